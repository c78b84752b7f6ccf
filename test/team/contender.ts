/**
 * A separate machine, as far as the lock and the state know: a node process with its own S3 client that
 *   lock  ENDPOINT BUCKET KEY LEASE_MS NAME       races for the lock of the state KEY
 *   write ENDPOINT BUCKET KEY WRITER COUNT        writes COUNT step updates to the state KEY at once
 * Protocol on stdin/stdout: prints "ready", waits for "go", prints one JSON result line; a lock winner then holds
 * (renewing its lease) until it reads "exit".
 */
import { createInterface } from 'node:readline';
import { createPorts } from '../../src/aws/create-ports.js';
import { S3StateBackend } from '../../src/state/s3-backend.js';
import { StateStore } from '../../src/state/store.js';
import { isSegflowError } from '../../src/util/errors.js';

const [mode, endpoint, bucket, key, a, b] = process.argv.slice(2) as [string, string, string, string, string, string];
const ports = createPorts({ target: { kind: 'local', region: 'us-east-1' }, endpoint });
const lines = createInterface({ input: process.stdin });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const say = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');

if (mode === 'lock') {
  const leaseMs = Number(a);
  const backend = await S3StateBackend.open(ports.s3, bucket, key, { timing: { leaseMs, renewEveryMs: Math.floor(leaseMs / 4) } });
  process.stdout.write('ready\n');
  await next();
  try {
    const held = await backend.lock.acquire('apply', { who: b });
    say({ result: 'won', id: held.holder.id, tookOver: held.tookOver?.id ?? null });
    let lost: string | null = null;
    held.keepAlive((e) => (lost = e.message));
    await next();
    await held.release();
    say({ result: 'released', lost });
  } catch (e) {
    say({ result: 'refused', code: isSegflowError(e) ? e.code : String(e), message: (e as Error).message });
  }
} else if (mode === 'write') {
  const writer = a;
  const count = Number(b);
  const store = await StateStore.load(await S3StateBackend.open(ports.s3, bucket, key), 'race', { kind: 'local', region: 'us-east-1' });
  process.stdout.write('ready\n');
  await next();
  await Promise.all(Array.from({ length: count }, (_, i) => store.setStep(`${writer}-${i}`, { phase: 'done', name: `${writer}-${i}` })));
  say({ result: 'written', conflicts: store.conflicts });
}
ports.close();
lines.close();
