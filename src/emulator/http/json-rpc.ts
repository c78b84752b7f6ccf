import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import { Input } from '../personalize/validate.js';

/**
 * The awsJson1_1 protocol shared by Personalize (X-Amz-Target: AmazonPersonalize.<Op>) and KMS
 * (TrentService.<Op>): POST / with a JSON object body; answers 200 with JSON, errors 400 {"__type", "message"}.
 */
export type JsonHandler = (emu: Emu, input: Input, info: RequestInfo) => Promise<Record<string, unknown>>;
export type JsonOperations = Record<string, JsonHandler>;

export interface JsonService {
  targetPrefix: string;
  operations: JsonOperations;
  /** The error code of a constraint violation (Personalize: InvalidInputException, KMS: ValidationException). */
  validationCode: string;
  unknownOperation: string;
  /** Authorizes a role session's call before it is handled (the root user needs no permission in its account). */
  authorize?: (emu: Emu, operation: string, input: Input, info: RequestInfo) => void;
}

export function jsonOperation(req: IncomingMessage, targetPrefix: string): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  return target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : target || 'Unknown';
}

export function sendJsonError(res: ServerResponse, e: ApiError, requestId: string): void {
  const body = JSON.stringify({ __type: e.code, message: e.message });
  res.writeHead(e.status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': e.code,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function handleJson(service: JsonService, emu: Emu, req: IncomingMessage, res: ServerResponse, body: Buffer, info: RequestInfo): Promise<string> {
  const operation = jsonOperation(req, service.targetPrefix);
  const handler = Object.prototype.hasOwnProperty.call(service.operations, operation) ? service.operations[operation] : undefined;
  if (req.method !== 'POST') throw new ApiError(service.unknownOperation, 'Operations are POST requests to /.', 404);
  if (!handler) throw new ApiError(service.unknownOperation, `Unknown operation ${String(req.headers['x-amz-target'] ?? '(no X-Amz-Target header)')}`);
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object.');
  }
  const input = new Input(parsed as Record<string, unknown>, '', service.validationCode, info.partition);
  service.authorize?.(emu, operation, input, info);
  const output = await handler(emu, input, { ...info, operation });
  const text = JSON.stringify(output);
  res.writeHead(200, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': info.requestId,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return operation;
}
