import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallCounter } from '../calls.js';
import type { Emu } from '../context.js';
import { validateFaults, type FaultSpec } from '../options.js';
import { segflowVersion } from '../../util/paths.js';
import { MAX_CONTROL_BODY_BYTES, readBody } from './body.js';
import { ApiError } from '../api-error.js';

const started = Date.now();

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Unsigned local endpoints (the emulator binds to loopback):
 *   GET /_emulator/health, GET|DELETE /_emulator/calls, GET|PUT /_emulator/faults,
 *   GET /_emulator/credentials (expiry of the default credentials), POST /_emulator/credentials/renew.
 */
export async function handleAdmin(emu: Emu, calls: CallCounter, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const m = req.method ?? 'GET';
  if (path === '/_emulator/health' && m === 'GET') {
    return json(res, 200, {
      status: 'ok',
      version: segflowVersion,
      services: ['personalize', 'kms', 's3', 'iam', 'sts'],
      accountId: emu.opts.accountId,
      accounts: emu.credentials.accountIds(),
      lifecycle: emu.opts.lifecycle,
      pageSize: emu.opts.pageSize ?? null,
      iamPropagationDelayMs: emu.opts.iamPropagationDelayMs,
      quotas: emu.opts.quotas,
      dataDir: emu.opts.dataDir,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    });
  }
  if (path === '/_emulator/calls' && m === 'GET') return json(res, 200, calls.snapshot());
  if (path === '/_emulator/calls' && m === 'DELETE') {
    calls.reset();
    return json(res, 200, calls.snapshot());
  }
  if (path === '/_emulator/credentials' && m === 'GET') return json(res, 200, emu.credentials.expiryStatus());
  if (path === '/_emulator/credentials/renew' && m === 'POST') {
    req.resume();
    emu.credentials.renew();
    return json(res, 200, emu.credentials.expiryStatus());
  }
  if (path === '/_emulator/faults' && m === 'GET') return json(res, 200, emu.faults.current);
  if (path === '/_emulator/faults' && m === 'PUT') {
    try {
      const body = await readBody(req, MAX_CONTROL_BODY_BYTES, () => new ApiError('TooLarge', 'body too large', 413));
      const spec = validateFaults(JSON.parse(body.toString('utf8') || '{}') as FaultSpec);
      emu.faults.replace(spec);
      return json(res, 200, emu.faults.current);
    } catch (e) {
      return json(res, 400, { error: (e as Error).message });
    }
  }
  req.resume();
  return json(res, 404, { error: `no such emulator endpoint: ${m} ${path}` });
}
