import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.js';
import type { Emu, RequestInfo } from '../context.js';
import { batchSegmentJobOps } from './batch-segment-jobs.js';
import { datasetGroupOps } from './dataset-groups.js';
import { datasetOps } from './datasets.js';
import { filterOps } from './filters.js';
import type { PzOperations } from './handler.js';
import { importJobOps } from './import-jobs.js';
import { recipeOps } from './recipes.js';
import { schemaOps } from './schemas.js';
import { solutionOps } from './solutions.js';
import { solutionVersionOps } from './solution-versions.js';
import { tagOps } from './tags.js';
import { Input } from './validate.js';

/** awsJson1_1: POST / with X-Amz-Target: AmazonPersonalize.<Operation>; errors are HTTP 400 {"__type", "message"}. */
export const operations: PzOperations = {
  ...datasetGroupOps,
  ...schemaOps,
  ...datasetOps,
  ...importJobOps,
  ...solutionOps,
  ...solutionVersionOps,
  ...batchSegmentJobOps,
  ...filterOps,
  ...recipeOps,
  ...tagOps,
};

const TARGET_PREFIX = 'AmazonPersonalize.';

export function personalizeOperation(req: IncomingMessage): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || 'Unknown';
}

export function sendJsonError(res: ServerResponse, e: ApiError, requestId: string): void {
  const status = e.status;
  const body = JSON.stringify({ __type: e.code, message: e.message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': e.code,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function handlePersonalize(emu: Emu, req: IncomingMessage, res: ServerResponse, body: Buffer, info: RequestInfo): Promise<string> {
  const operation = personalizeOperation(req);
  const handler = Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
  if (req.method !== 'POST') throw new ApiError('UnknownOperationException', 'Personalize operations are POST requests to /.', 404);
  if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation ${String(req.headers['x-amz-target'] ?? '(no X-Amz-Target header)')}`);
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object.');
  }
  const output = await handler(emu, new Input(parsed as Record<string, unknown>), info);
  const text = JSON.stringify(output);
  res.writeHead(200, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': info.requestId,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return operation;
}
