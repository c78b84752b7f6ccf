import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDatasetGroupCommand, ListDatasetGroupsCommand, ListTagsForResourceCommand, TagResourceCommand } from '@aws-sdk/client-personalize';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { signedFetch, type RawRequest } from '../support/signer.js';
import { startStandalone, type StandaloneEmulator } from './support.js';

/**
 * Malformed requests of every protocol against a standalone emulator process (so a crash is a dead process):
 * Personalize JSON, S3 REST-XML, IAM and STS forms; bad headers and signatures; huge and truncated bodies; S3 keys
 * with `..`, NUL and unicode. Every answer must be the service's own error shape (never a 5xx), the server must keep
 * serving, and nothing may be written outside its data directory. Complements src/emulator/fuzz.test.ts, which
 * fuzzes the members of well-formed requests to every operation.
 */
const RUNS = Number(process.env['SEGFLOW_FUZZ_SCALE'] ?? 1);
const REGION = 'us-east-1';
let requests = 0;

type Shape = 'json' | 's3' | 'query';
const shapes: Record<Shape, (body: string) => boolean> = {
  // awsJson1_1: {"__type": "...Exception", "message": ...}
  json: (b) => {
    try {
      return /Exception$/.test((JSON.parse(b) as { __type?: string }).__type ?? '');
    } catch {
      return false;
    }
  },
  s3: (b) => /^(<\?xml[^>]*>\s*)?<Error>\s*<Code>[A-Za-z]+<\/Code>/.test(b.trim()),
  query: (b) => /<ErrorResponse[^>]*>\s*<Error>[\s\S]*<Code>[A-Za-z.]+<\/Code>/.test(b),
};

async function expectError(res: Response, shape: Shape, what: string): Promise<void> {
  requests++;
  const body = await res.text();
  assert.ok(res.status >= 400 && res.status < 500, `${what}: status ${res.status} ${body.slice(0, 300)}`);
  if (res.status !== 413 || body.length > 0) assert.ok(shapes[shape](body), `${what}: not the service's error shape (${res.status}): ${body.slice(0, 300)}`);
}

function personalize(emu: StandaloneEmulator, target: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return signedFetch({
    method: 'POST',
    endpoint: emu.endpoint,
    path: '/',
    service: 'personalize',
    region: REGION,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
    body,
  });
}
function form(emu: StandaloneEmulator, service: 'iam' | 'sts', body: string) {
  return signedFetch({
    method: 'POST',
    endpoint: emu.endpoint,
    path: '/',
    service,
    region: REGION,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}
function s3(
  emu: StandaloneEmulator,
  method: string,
  path: string,
  body: string | Buffer = '',
  query: Array<[string, string]> = [],
  headers: Record<string, string> = {},
) {
  return signedFetch({ method, endpoint: emu.endpoint, path, query, service: 's3', region: REGION, body, headers });
}

/** A raw HTTP exchange: bodies that lie about their length, garbage instead of HTTP. */
function raw(endpoint: string, payload: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname);
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('error', () => resolve(out));
    sock.on('close', () => resolve(out));
    sock.write(payload);
    setTimeout(() => sock.end(), 200);
    setTimeout(() => sock.destroy(), 3000);
  });
}

async function snapshot(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(f.parentPath, f.name);
    out.set(p, f.isFile() ? (await stat(p)).size : -1);
  }
  return out;
}

test('emulator fuzzing: malformed requests of every protocol', { timeout: 10 * 60_000 }, async () => {
  // The data directory sits inside a sandbox whose other contents must not change.
  const sandbox = await mkdtemp(join(tmpdir(), 'segflow-rel-sandbox-'));
  const dataDir = join(sandbox, 'data');
  await mkdir(join(sandbox, 'neighbour'));
  const emu = await startStandalone({ dataDir });
  const outside = async () => [...(await snapshot(sandbox)).keys()].filter((p) => !p.startsWith(dataDir + '/') && p !== dataDir).sort();
  const before = await outside();
  const alive = async () => {
    const h = await fetch(`${emu.endpoint}/_emulator/health`);
    assert.equal(h.status, 200);
    await emu.aws.personalize.send(new ListDatasetGroupsCommand({}));
  };
  let roundTrips = 0;
  const keys = [
    '../escape.txt',
    '../../../../../../tmp/segflow-escape.txt',
    '..',
    '.',
    'a/../../b',
    '/abs/path',
    'nul\u0000byte',
    'back\\slash\\..\\..\\x',
    'ünïcødé/日本語/🙂.csv',
    '%2e%2e%2fencoded',
    'CON',
    '__proto__',
    'constructor',
    'a'.repeat(1024),
  ];
  try {
    // --- Personalize (awsJson1_1)
    const pzBodies = [
      '',
      '{',
      '{"name":',
      'null',
      '[]',
      '"x"',
      '\u0000\u0001',
      '{"maxResults": 1e400}',
      '{'.repeat(5000) + '}'.repeat(5000),
      '{"name": "' + '\\ud800' + '"}',
    ];
    for (const b of pzBodies)
      await expectError(await personalize(emu, 'AmazonPersonalize.CreateDatasetGroup', b), 'json', `personalize body ${b.slice(0, 40)}`);
    for (const t of [
      '',
      'AmazonPersonalize.',
      'AmazonPersonalize.NoSuchOperation',
      'Other.CreateDatasetGroup',
      'AmazonPersonalize.CreateDatasetGroup.x',
      'AmazonPersonalize.__proto__',
      'AmazonPersonalize.constructor',
    ]) {
      await expectError(await personalize(emu, t, '{}'), 'json', `target ${t}`);
    }
    await expectError(await personalize(emu, 'AmazonPersonalize.ListDatasetGroups', Buffer.alloc(1024 * 1024 + 10, 0x20)), 'json', 'a body over 1 MiB');
    await expectError(await personalize(emu, 'AmazonPersonalize.ListDatasetGroups', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), 'json', 'invalid UTF-8');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
        ),
        async (b) => {
          const res = await personalize(emu, 'AmazonPersonalize.CreateSchema', b);
          if (res.status === 200) {
            requests++;
            await res.text();
            return;
          }
          await expectError(res, 'json', `CreateSchema ${JSON.stringify(b).slice(0, 60)}`);
        },
      ),
      { numRuns: 150 * RUNS },
    );

    // --- Signatures and headers (each service answers in its own shape)
    const targets: Array<[Shape, (h: Record<string, string>, mutate?: (auth: string) => string) => Promise<Response>]> = [
      [
        'json',
        (h) =>
          fetch(emu.endpoint + '/', {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups', ...h },
            body: '{}',
          }),
      ],
      ['s3', (h) => fetch(emu.endpoint + '/some-bucket', { method: 'GET', headers: h })],
      [
        'query',
        (h) =>
          fetch(emu.endpoint + '/', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...h },
            body: 'Action=ListRoles&Version=2010-05-08',
          }),
      ],
    ];
    // The emulator serves every service on one port and routes by the credential scope's service, as each AWS
    // endpoint serves one service: a header signed "for personalize" gets Personalize's error shape.
    const scopeService = ['personalize', 's3', 'iam'] as const;
    const badAuth = (svc: string) =>
      fc.oneof(
        fc.string(),
        fc.constant('AWS4-HMAC-SHA256'),
        fc.constant(`AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${svc}/aws4_request, SignedHeaders=host, Signature=00`),
        fc
          .tuple(
            fc.constantFrom('test', 'AKIDEXAMPLE', '', '../..'),
            fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 }),
            fc.constantFrom('host', 'host;x-amz-date', '', ';;;'),
          )
          .map(([k, sig, sh]) => `AWS4-HMAC-SHA256 Credential=${k}/20261128/us-east-1/${svc}/aws4_request, SignedHeaders=${sh}, Signature=${sig}`),
        fc.constant('Basic dGVzdDp0ZXN0'),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }).chain((i) => fc.tuple(fc.constant(i), badAuth(scopeService[i]!))),
        fc.constantFrom('', '20261128T000000Z', 'yesterday', '19700101T000000Z', '99991231T235959Z'),
        async ([i, auth], date) => {
          const [shape, send] = targets[i]!;
          const headers: Record<string, string> = { authorization: auth };
          if (date) headers['x-amz-date'] = date;
          await expectError(await send(headers), shape, `auth ${auth.slice(0, 50)}`);
        },
      ),
      { numRuns: 150 * RUNS },
    );
    for (const [shape, send] of targets) await expectError(await send({}), shape, 'no signature');
    // Valid signatures for the wrong secret, key, region of another service, a clock far off.
    const signedRequests: Array<[Shape, Omit<RawRequest, 'endpoint' | 'region'>]> = [
      [
        'json',
        {
          method: 'POST',
          path: '/',
          service: 'personalize',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' },
          body: '{}',
        },
      ],
      ['s3', { method: 'GET', path: '/', service: 's3' }],
      [
        'query',
        {
          method: 'POST',
          path: '/',
          service: 'iam',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'Action=ListRoles&Version=2010-05-08',
        },
      ],
    ];
    for (const [what, extra] of [
      ['wrong secret', { secret: 'nope' }],
      ['unknown key', { accessKey: 'AKIAFUZZFUZZFUZZFUZZ' }],
      ['clock skew', { now: new Date(Date.now() - 3600_000) }],
    ] as const) {
      for (const [shape, request] of signedRequests)
        await expectError(await signedFetch({ ...request, endpoint: emu.endpoint, region: REGION, ...extra }), shape, `${request.service} ${what}`);
    }
    // The body was changed after signing.
    await expectError(
      await signedFetch({ method: 'PUT', endpoint: emu.endpoint, path: '/b/k', service: 's3', region: REGION, body: 'abc', payloadHash: 'f'.repeat(64) }),
      's3',
      's3 payload hash mismatch',
    );
    await alive();

    // --- IAM and STS (query protocol: forms in, XML out)
    const forms = [
      '',
      'Action',
      'Action=',
      '%zz=%zz',
      'Action=NoSuchAction&Version=2010-05-08',
      'Action=CreateRole&Version=2010-05-08',
      'Action=CreateRole&RoleName=a&AssumeRolePolicyDocument=%7B',
      'Action=GetRole&RoleName=' + 'x'.repeat(100000),
      'Action=ListRoles&Action=DeleteRole&Version=2010-05-08',
      'Action=__proto__&Version=2010-05-08',
      'Action=PutRolePolicy&RoleName=..%2F..&PolicyName=p&PolicyDocument=%00',
    ];
    for (const f of forms) await expectError(await form(emu, 'iam', f), 'query', `iam form ${f.slice(0, 50)}`);
    for (const f of ['', 'Action=AssumeRole&Version=2011-06-15', 'Action=GetCallerIdentity&Version=1999-01-01', '&&&=']) {
      const res = await form(emu, 'sts', f);
      if (res.status === 200) {
        requests++;
        await res.text();
      } else await expectError(res, 'query', `sts form ${f}`);
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), async (body) =>
        expectError(
          await form(emu, 'iam', 'Action=CreatePolicy&PolicyName=p&Version=2010-05-08&PolicyDocument=' + encodeURIComponent(body)),
          'query',
          `CreatePolicy ${body.slice(0, 40)}`,
        ),
      ),
      { numRuns: 100 * RUNS },
    );

    // --- S3 (REST-XML)
    const bucket = 'fuzz-bucket';
    assert.equal((await s3(emu, 'PUT', `/${bucket}`)).status, 200);
    requests++;
    const xmlBodies = [
      '',
      '<',
      '<Delete><Object><Key>a</Key></Object>',
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Delete><Object><Key>&lol2;</Key></Object></Delete>',
      '<Delete>' + '<Object><Key>k</Key></Object>'.repeat(1001) + '</Delete>',
      '<Delete><Object><Key>&#0;</Key></Object></Delete>',
      '<a>'.repeat(10000),
      '\u0000\u0000',
    ];
    for (const b of xmlBodies) {
      await expectError(
        await s3(emu, 'POST', `/${bucket}`, b, [['delete', '']], { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' }),
        's3',
        `DeleteObjects ${b.slice(0, 40)}`,
      );
    }
    for (const b of xmlBodies.slice(0, 5)) {
      await expectError(await s3(emu, 'PUT', `/${bucket}`, b, [['encryption', '']]), 's3', `PutBucketEncryption ${b.slice(0, 40)}`);
      await expectError(await s3(emu, 'PUT', `/${bucket}`, b, [['publicAccessBlock', '']]), 's3', `PutPublicAccessBlock ${b.slice(0, 40)}`);
      await expectError(await s3(emu, 'POST', `/${bucket}/mp`, b, [['uploadId', 'nope']]), 's3', `CompleteMultipartUpload ${b.slice(0, 40)}`);
    }
    await expectError(await s3(emu, 'PUT', `/${bucket}`, '{"Statement": [', [['policy', '']]), 's3', 'PutBucketPolicy bad JSON');
    for (const name of ['..', 'UPPER', 'a', '-x-', 'x'.repeat(64), '192.168.1.1', 'a..b', '%2e%2e']) {
      await expectError(await s3(emu, 'PUT', `/${name}`), 's3', `CreateBucket ${name}`);
    }
    await expectError(await s3(emu, 'PUT', `/${bucket}/k`, 'x', [], { 'content-md5': 'bm9wZQ==' }), 's3', 'bad Content-MD5');
    await expectError(await s3(emu, 'PUT', `/${bucket}/k`, 'x', [], { 'x-amz-checksum-crc32': 'AAAAAA==' }), 's3', 'bad checksum');
    await expectError(await s3(emu, 'GET', `/${bucket}/k`, '', [], { range: 'bytes=9-3' }), 's3', 'GetObject of a missing key');
    await expectError(await s3(emu, 'PUT', `/${bucket}/${'k'.repeat(1025)}`, 'x'), 's3', 'key over 1024 bytes');

    // Keys that look like paths: stored as names (or refused), never as paths.
    for (const key of keys) {
      try {
        await emu.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
      } catch (e) {
        // A refusal must be an S3 client error.
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
        assert.ok(status >= 400 && status < 500, `PutObject ${JSON.stringify(key)}: ${String(e)}`);
        requests++;
        continue;
      }
      requests++;
      const got = await emu.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      requests++;
      assert.equal(await got.Body!.transformToString(), `body of ${key}`, `round trip of ${JSON.stringify(key)}`);
      roundTrips++;
    }
    assert.ok(roundTrips >= keys.length - 2, `only ${roundTrips} of ${keys.length} odd keys round-tripped`);
    const listed = (await emu.aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '__' }))).Contents?.map((c) => c.Key);
    assert.deepEqual(listed, ['__proto__']);
    requests++;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), async (key) => {
        await emu.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
        const got = await emu.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        requests += 2;
        assert.equal(await got.Body!.transformToString(), key);
      }),
      { numRuns: 60 * RUNS },
    );
    // Names that are special in JavaScript are ordinary names: a role and an inline policy called __proto__.
    for (const RoleName of ['__proto__', 'constructor']) {
      await emu.aws.iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      await emu.aws.iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: '__proto__',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] }),
        }),
      );
      assert.equal((await emu.aws.iam.send(new GetRoleCommand({ RoleName }))).Role?.RoleName, RoleName);
      assert.deepEqual((await emu.aws.iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames, ['__proto__']);
      assert.ok(
        (await emu.aws.iam.send(new ListRolesCommand({}))).Roles?.some((r) => r.RoleName === RoleName),
        `role ${RoleName} is not listed`,
      );
      await emu.aws.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: '__proto__' }));
      await emu.aws.iam.send(new DeleteRoleCommand({ RoleName }));
      requests += 7;
    }
    const group = await emu.aws.personalize.send(new CreateDatasetGroupCommand({ name: 'fuzz-tags', tags: [{ tagKey: '__proto__', tagValue: 'a' }] }));
    await emu.aws.personalize.send(new TagResourceCommand({ resourceArn: group.datasetGroupArn, tags: [{ tagKey: 'constructor', tagValue: 'b' }] }));
    const tags = (await emu.aws.personalize.send(new ListTagsForResourceCommand({ resourceArn: group.datasetGroupArn }))).tags ?? [];
    assert.deepEqual(tags.map((t) => `${t.tagKey}=${t.tagValue}`).sort(), ['__proto__=a', 'constructor=b']);
    requests += 3;
    await alive();

    // --- Truncated, lying and non-HTTP bytes on the socket
    const host = new URL(emu.endpoint).host;
    const rawPayloads = [
      `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AmazonPersonalize.ListDatasetGroups\r\nContent-Length: 1000\r\n\r\n{"trunc`,
      `PUT /${bucket}/trunc HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5000000\r\n\r\n${'x'.repeat(1000)}`,
      `POST / HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot hex\r\n`,
      `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'h'.repeat(70000)}\r\n\r\n`,
      '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
      'GARBAGE\r\n\r\n',
    ];
    for (const p of rawPayloads) {
      const out = await raw(emu.endpoint, p);
      requests++;
      assert.doesNotMatch(out, /^HTTP\/1\.1 5\d\d/, `a 5xx for ${p.slice(0, 60)}: ${out.slice(0, 200)}`);
    }
    // The truncated upload left nothing: the key does not exist.
    await expectError(await s3(emu, 'GET', `/${bucket}/trunc`), 's3', 'truncated upload');
    await alive();

    assert.deepEqual(await outside(), before, 'something was written outside the data directory');
    assert.equal(existsSync('/tmp/segflow-escape.txt'), false);
    // (A Map's JSON is always "{}": compare its entries, so a file that appears in the neighbour directory fails.)
    assert.deepEqual([...(await snapshot(join(sandbox, 'neighbour')))], [], 'something appeared next to the data directory');
    const calls = (await emu.calls()) as { total: number; errors: number };
    console.log(
      `emulator fuzz: ${requests} malformed or odd requests (${calls.total} answered by a service, ${calls.errors} errors), ${roundTrips}/${keys.length} path-like keys stored as names, 0 crashes, 0 writes outside the data directory`,
    );
  } finally {
    await emu.stop();
  }
});
