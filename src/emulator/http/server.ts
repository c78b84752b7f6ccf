import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, isApiError } from '../api-error.js';
import { authError, type Protocol } from '../auth/auth-errors.js';
import { AuthFailure, claimedScope, verifySigV4, type SignedScope } from '../auth/sigv4.js';
import { partitionOf } from '../partitions.js';
import type { CallCounter } from '../calls.js';
import type { Emu, RequestInfo } from '../context.js';
import { IAM_NS, iamOperations } from '../iam/router.js';
import { authorizeIamCall } from '../iam/authz.js';
import type { QueryOperations } from '../iam/handler.js';
import { Params, queryParams, sendQueryError, sendQueryResult } from '../iam/query-protocol.js';
import { personalizeService } from '../personalize/router.js';
import { kmsService } from '../kms/router.js';
import { handleJson, jsonOperation, sendJsonError, type JsonService } from './json-rpc.js';
import { sendS3Error, type S3Request } from '../s3/responses.js';
import { addressOf, routeS3 } from '../s3/router.js';
import { checkBucketRules } from '../s3/bucket-access-rules.js';
import { STS_NS, stsOperations } from '../sts.js';
import { MAX_CONTROL_BODY_BYTES, readBody } from './body.js';
import { handleAdmin } from './admin.js';

type Service = 'personalize' | 'kms' | 's3' | 'iam' | 'sts';

const JSON_SERVICES: Partial<Record<Service, JsonService>> = { personalize: personalizeService, kms: kmsService };

/** Which service a request is for: its credential scope, else what its shape says (for error answers). */
function detectService(req: IncomingMessage, query: URLSearchParams): Service | undefined {
  const scope = claimedScope(req, query);
  if (scope) {
    if (scope.service === 'personalize' || scope.service === 'kms' || scope.service === 's3' || scope.service === 'iam' || scope.service === 'sts')
      return scope.service;
    return undefined;
  }
  if (String(req.headers['x-amz-target'] ?? '').startsWith('AmazonPersonalize.')) return 'personalize';
  if (String(req.headers['x-amz-target'] ?? '').startsWith('TrentService.')) return 'kms';
  if (/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')) && req.method === 'POST') return 'iam';
  return 's3';
}

const PROTOCOL: Record<Service, Protocol> = { personalize: 'json', kms: 'json', s3: 's3', iam: 'query', sts: 'query' };

export function createEmulatorServer(emu: Emu, calls: CallCounter): Server {
  const server = createServer((req, res) => {
    void handle(emu, calls, req, res).catch((e) => {
      emu.log(`emulator: unexpected error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      } else res.destroy();
    });
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // big uploads may take long
  server.maxHeadersCount = 200;
  return server;
}

async function handle(emu: Emu, calls: CallCounter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  if (rawPath.startsWith('/_emulator/')) return handleAdmin(emu, calls, req, res, rawPath);
  const requestId = randomUUID();
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(rawQuery);
  } catch {
    query = new URLSearchParams();
  }
  const service = detectService(req, query);
  if (!service) {
    req.resume();
    const body = JSON.stringify({ __type: 'UnknownServiceException', message: 'The segflow emulator serves personalize, kms, s3, iam and sts only.' });
    res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    calls.record('unknown', 'Unknown', true);
    return;
  }
  const protocol = PROTOCOL[service];
  const jsonService = JSON_SERVICES[service];
  let operation = jsonService ? jsonOperation(req, jsonService.targetPrefix) : 'Unknown';
  try {
    await emu.faults.delay();
    // Control-plane bodies are small and read first (their hash is signed); S3 bodies stream after auth.
    const body = protocol === 's3' ? Buffer.alloc(0) : await readBody(req, MAX_CONTROL_BODY_BYTES, () => tooLarge(protocol));
    let auth: SignedScope;
    let signedIn: ReturnType<Emu['credentials']['signIn']>;
    try {
      auth = verifySigV4(
        req,
        rawPath,
        rawQuery,
        (id) => emu.credentials.secretFor(id),
        () => {
          if (protocol === 's3') throw new ApiError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
          return createHash('sha256').update(body).digest('hex');
        },
      );
      signedIn = emu.credentials.signIn(auth.accessKeyId);
    } catch (e) {
      if (e instanceof AuthFailure) throw authError(protocol, e);
      throw e;
    }
    // The caller: the signing account, in the partition of the signing region (IAM and STS included: global
    // services take the partition of the region they are signed for).
    const partition = partitionOf(auth.region);
    const info: RequestInfo = { region: auth.region, requestId, account: signedIn.account, partition };
    if (signedIn.roleArn) {
      const roleName = signedIn.roleArn.slice(signedIn.roleArn.lastIndexOf('/') + 1);
      info.session = { roleArn: signedIn.roleArn, sessionArn: `arn:${partition}:sts::${signedIn.account}:assumed-role/${roleName}/${signedIn.sessionName}` };
    }
    const fault = emu.faults.decide();
    if (fault.kind === 'throttle') throw throttled(protocol);
    if (fault.kind === 'error') throw internal(protocol);
    if (jsonService) {
      operation = await handleJson(jsonService, emu, req, res, body, info);
    } else if (service === 's3') {
      const { bucket, key } = addressOf(req.headers.host, rawPath);
      const r: S3Request = { emu, req, res, info, bucket, key, query, chain: auth.chain };
      const [op, run] = routeS3(r);
      operation = op;
      checkBucketRules(r, op);
      await run(r);
    } else {
      const params = new Params(queryParams(rawQuery, body, req.headers['content-type']));
      const action = params.get('Action');
      operation = action ?? 'Unknown';
      const ops: QueryOperations = service === 'iam' ? iamOperations : stsOperations;
      const handler = action && Object.prototype.hasOwnProperty.call(ops, action) ? ops[action] : undefined;
      if (!handler)
        throw new ApiError(
          'InvalidAction',
          `Could not find operation ${action ?? '(no Action)'} for version ${service === 'iam' ? '2010-05-08' : '2011-06-15'}`,
        );
      if (service === 'iam') authorizeIamCall(emu, action!, params, info);
      const result = await handler(emu, params, info);
      sendQueryResult(res, service === 'iam' ? IAM_NS : STS_NS, action!, requestId, result);
    }
    calls.record(service, operation, false);
  } catch (e) {
    const err = isApiError(e) ? e : internalBug(emu, protocol, e);
    calls.record(service, operation, true);
    if (!req.complete) req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (protocol === 'json') sendJsonError(res, err, requestId);
    else if (protocol === 's3') sendS3Error(req, res, err, requestId);
    else sendQueryError(res, service === 'sts' ? STS_NS : IAM_NS, err, requestId);
  }
}

function tooLarge(protocol: Protocol): ApiError {
  if (protocol === 'json') return new ApiError('SerializationException', `The request body exceeds the limit of ${MAX_CONTROL_BODY_BYTES} bytes.`, 413);
  if (protocol === 'query') return new ApiError('RequestEntityTooLarge', `The request body exceeds the limit of ${MAX_CONTROL_BODY_BYTES} bytes.`, 413);
  return new ApiError('MaxMessageLengthExceeded', 'Your request was too big.', 400);
}

function throttled(protocol: Protocol): ApiError {
  if (protocol === 'json') return new ApiError('ThrottlingException', 'Rate exceeded', 400);
  if (protocol === 's3') return new ApiError('SlowDown', 'Please reduce your request rate.', 503);
  return new ApiError('Throttling', 'Rate exceeded', 400);
}

function internal(protocol: Protocol): ApiError {
  if (protocol === 'json') return new ApiError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
  if (protocol === 's3') return new ApiError('InternalError', 'We encountered an internal error. Please try again.', 500);
  return new ApiError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

function internalBug(emu: Emu, protocol: Protocol, e: unknown): ApiError {
  emu.log(`emulator: internal error: ${(e as Error)?.stack ?? String(e)}`);
  return internal(protocol);
}
