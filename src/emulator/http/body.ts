import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api-error.js';

/** Control-plane bodies (JSON, forms, small XML) are read whole; bigger ones are refused with `tooLarge`. */
export const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit: number, tooLarge: () => ApiError): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
