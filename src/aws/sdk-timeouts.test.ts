import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListDatasetGroupsCommand } from '@aws-sdk/client-personalize';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createSdkClients } from './sdk-clients.js';
import { createPorts } from './create-ports.js';

/**
 * A server that accepts connections and never answers (a half-open connection, a hung load balancer): without
 * timeouts every SDK call to it would wait forever. Each client must give up on its own.
 */
async function silentServer(): Promise<{ endpoint: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.resume(); // read the request, never write a byte
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('every SDK client gives up on a server that never answers (no call can hang an apply or outlive a lock lease)', { timeout: 60_000 }, async () => {
  const server = await silentServer();
  const clients = createSdkClients({
    target: { kind: 'local', region: 'us-east-1' },
    endpoint: server.endpoint,
    maxAttempts: 1,
    httpTimeouts: { socketTimeout: 300, requestTimeout: 300 },
  });
  try {
    const calls: Array<[string, Promise<unknown>]> = [
      ['sts', clients.sts.send(new GetCallerIdentityCommand({}))],
      ['personalize', clients.personalize.send(new ListDatasetGroupsCommand({}))],
      ['iam', clients.iam.send(new GetRoleCommand({ RoleName: 'r' }))],
      ['kms', clients.kms.send(new ListKeysCommand({}))],
      ['s3', clients.s3.send(new HeadBucketCommand({ Bucket: 'b' }))],
    ];
    const outcomes = await Promise.allSettled(calls.map(([, call]) => call));
    outcomes.forEach((o, i) => {
      const service = calls[i]![0];
      assert.equal(o.status, 'rejected', `${service} must fail`);
      const e = o.reason as Error;
      assert.match(`${e.name} ${e.message}`, /timed? ?out/i, `${service} must time out`);
    });
    assert.ok(server.connections() >= 5, 'each request reached the server');
  } finally {
    clients.destroy();
    await server.close();
  }
});

test('the defaults: every client has a connection and an idle-socket timeout, control-plane clients a request timeout', async () => {
  const clients = createSdkClients({ target: { kind: 'local', region: 'us-east-1' }, endpoint: 'http://127.0.0.1:1' });
  try {
    for (const [service, client] of Object.entries({
      personalize: clients.personalize,
      s3: clients.s3,
      iam: clients.iam,
      sts: clients.sts,
      kms: clients.kms,
    })) {
      // The handler's resolved configuration (smithy keeps it behind a promise).
      const handler = client.config.requestHandler as unknown as { configProvider?: Promise<Record<string, unknown>>; config?: Record<string, unknown> };
      const config = handler.config ?? (await handler.configProvider) ?? {};
      assert.equal(config['connectionTimeout'], 10_000, service);
      assert.equal(config['socketTimeout'], 60_000, service);
      assert.equal(config['requestTimeout'], service === 's3' ? undefined : 120_000, service);
    }
  } finally {
    clients.destroy();
  }
  // The ports are built on the same clients.
  createPorts({ target: { kind: 'local', region: 'us-east-1' }, endpoint: 'http://127.0.0.1:1' }).close();
});
