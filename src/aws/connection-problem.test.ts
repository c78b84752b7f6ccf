import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { createPorts } from './create-ports.js';
import { isConnectionProblem } from './errors.js';
import { awsError } from './error-kinds.js';

/** A port on loopback that nothing listens on: connections are refused, as by a stopped or restarting endpoint. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('a refused connection, through the real SDK client and port, is a connection problem', async () => {
  const ports = createPorts({ target: { kind: 'local', region: 'us-east-1' }, endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
  try {
    const e = await ports.personalize.listDatasetGroups().then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(isConnectionProblem(e), String(e));
  } finally {
    ports.close();
  }
});

test('a request that times out is a connection problem; an answer from the service never is', async () => {
  assert.ok(isConnectionProblem(awsError('s3', 'GetObject', 'TimeoutError', 'Connection timed out after 300 ms')));
  assert.ok(isConnectionProblem(awsError('personalize', 'DescribeSolutionVersion', 'ECONNRESET', 'socket hang up')));
  // Answered: the service is there, whatever it said.
  assert.ok(!isConnectionProblem(awsError('personalize', 'DescribeSolutionVersion', 'ExpiredTokenException', 'expired', 400)));
  assert.ok(!isConnectionProblem(awsError('s3', 'GetObject', 'InternalError', 'We encountered an internal error', 500)));
  assert.ok(!isConnectionProblem(awsError('s3', 'GetObject', 'RequestTimeout', 'Your socket connection to the server was not read from', 400)));
  assert.ok(!isConnectionProblem(new Error('ECONNREFUSED')), 'only what a port reports');
});
