/**
 * Test support: an SDK request handler that answers from a function instead of the network, so an adapter can be
 * tested against wire answers the emulator does not give (a 403 HEAD, a third page, a NoSuchTagSet). The SDK's
 * own serializers and deserializers still run.
 */
import { Readable } from 'node:stream';

export interface StubRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body: string;
}

export interface StubAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface StubHandler {
  requests: StubRequest[];
  /** Give this to a client as `requestHandler`. */
  handler: never;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // Not Buffer.from(body): that calls valueOf(), which the SDK's JSON body adapter warns about.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return '';
}

export function stubHttp(answer: (req: StubRequest) => StubAnswer): StubHandler {
  const requests: StubRequest[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: unknown }) {
      const req: StubRequest = {
        method: request.method,
        path: request.path,
        query: request.query ?? {},
        headers: request.headers,
        body: bodyText(request.body),
      };
      requests.push(req);
      const a = answer(req);
      const body = Buffer.from(a.body ?? '');
      return {
        response: {
          statusCode: a.status ?? 200,
          headers: { 'content-length': String(body.length), ...(a.headers ?? {}) },
          body: Readable.from(body.length > 0 ? [body] : []),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return { requests, handler: handler as never };
}

/** A client config for stubbed clients: fixed credentials, no retries. */
export function stubConfig(stub: StubHandler, region = 'eu-west-1') {
  return { region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: stub.handler };
}
