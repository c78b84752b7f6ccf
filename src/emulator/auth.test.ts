import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { ListRecipesCommand } from '@aws-sdk/client-personalize';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { clientsFor, withEmulator } from '../../test/support/emulator.js';
import { chunkedBody, presignedUrl, sha256hex, signedFetch } from '../../test/support/signer.js';

/** Personalize's ListRecipes as a raw request (endpoint to add). */
const LIST_RECIPES = {
  method: 'POST',
  path: '/',
  service: 'personalize',
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.ListRecipes' },
  body: '{}',
};

test('a client signing by the documented SigV4 algorithm (not the JS SDK) is served by every protocol', async () => {
  await withEmulator(async (emu) => {
    const json = await signedFetch({ ...LIST_RECIPES, endpoint: emu.endpoint });
    assert.equal(json.status, 200);
    const recipes = (await json.json()) as { recipes: Array<{ name: string }> };
    assert.deepEqual(recipes.recipes.map((r) => r.name).sort(), ['aws-item-affinity', 'aws-item-attribute-affinity']);

    const sts = await signedFetch({
      method: 'POST',
      endpoint: emu.endpoint,
      path: '/',
      service: 'sts',
      region: 'us-east-1',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    assert.equal(sts.status, 200);
    assert.match(await sts.text(), /<Account>000000000000<\/Account>/);

    const iam = await signedFetch({
      method: 'GET',
      endpoint: emu.endpoint,
      path: '/',
      service: 'iam',
      region: 'us-east-1',
      query: [
        ['Action', 'ListRoles'],
        ['Version', '2010-05-08'],
      ],
    });
    assert.equal(iam.status, 200);
    assert.match(await iam.text(), /<ListRolesResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><ListRolesResult><Roles><\/Roles>/);

    assert.equal((await signedFetch({ method: 'PUT', endpoint: emu.endpoint, path: '/raw-bucket', service: 's3' })).status, 200);
    const key = '/raw-bucket/with%20space/and%2Bplus.txt';
    const put = await signedFetch({ method: 'PUT', endpoint: emu.endpoint, path: key, service: 's3', body: 'raw body' });
    assert.equal(put.status, 200, await put.text());
    const get = await signedFetch({ method: 'GET', endpoint: emu.endpoint, path: key, service: 's3', payloadHash: sha256hex('') });
    assert.equal(await get.text(), 'raw body');

    // aws-chunked with a trailing CRC32, encoded by hand.
    const data = Buffer.from('chunk one|chunk two');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    const chunked = (checksum: string) =>
      Buffer.concat([
        Buffer.from(`a\r\n`),
        data.subarray(0, 10),
        Buffer.from(`\r\n${(data.length - 10).toString(16)}\r\n`),
        data.subarray(10),
        Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`),
      ]);
    const chunkedHeaders = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    };
    const ok = await signedFetch({
      method: 'PUT',
      endpoint: emu.endpoint,
      path: '/raw-bucket/chunked',
      service: 's3',
      headers: chunkedHeaders,
      body: chunked(crc.toString('base64')),
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    });
    assert.equal(ok.status, 200, await ok.text());
    assert.equal(ok.headers.get('x-amz-checksum-crc32'), crc.toString('base64'));
    const bad = await signedFetch({
      method: 'PUT',
      endpoint: emu.endpoint,
      path: '/raw-bucket/chunked2',
      service: 's3',
      headers: chunkedHeaders,
      body: chunked('AAAAAA=='),
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /<Code>BadDigest<\/Code>/);
    const truncated = await signedFetch({
      method: 'PUT',
      endpoint: emu.endpoint,
      path: '/raw-bucket/chunked3',
      service: 's3',
      headers: chunkedHeaders,
      body: chunked('x').subarray(0, 12),
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    });
    assert.equal(truncated.status, 400);
    const mismatch = await signedFetch({
      method: 'PUT',
      endpoint: emu.endpoint,
      path: '/raw-bucket/x',
      service: 's3',
      body: 'abc',
      payloadHash: sha256hex('abd'),
    });
    assert.match(await mismatch.text(), /XAmzContentSHA256Mismatch/);

    // Signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): every chunk signature is checked.
    const pieces = [Buffer.from('first chunk '), Buffer.from('second chunk')];
    const streaming = (payloadHash: string, build: Parameters<typeof chunkedBody>[2], tamper = false, extra: Record<string, string> = {}) =>
      signedFetch({
        method: 'PUT',
        endpoint: emu.endpoint,
        path: '/raw-bucket/signed-chunks',
        service: 's3',
        payloadHash,
        headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(Buffer.concat(pieces).length), ...extra },
        bodyFromSeed: (seed) => chunkedBody(seed, pieces, build, tamper),
      });
    const signedOk = await streaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', undefined);
    assert.equal(signedOk.status, 200, await signedOk.text());
    const signedGet = await signedFetch({
      method: 'GET',
      endpoint: emu.endpoint,
      path: '/raw-bucket/signed-chunks',
      service: 's3',
      payloadHash: sha256hex(''),
    });
    assert.equal(await signedGet.text(), 'first chunk second chunk');
    const tamperedChunks = await streaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', undefined, true);
    assert.equal(tamperedChunks.status, 403);
    assert.match(await tamperedChunks.text(), /SignatureDoesNotMatch/);
    const crcAll = Buffer.alloc(4);
    crcAll.writeUInt32BE(crc32(Buffer.concat(pieces)));
    const withTrailer = await streaming('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', ['x-amz-checksum-crc32', crcAll.toString('base64')], false, {
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    assert.equal(withTrailer.status, 200, await withTrailer.text());

    // Presigned URLs: valid, tampered, expired.
    assert.equal(await (await fetch(presignedUrl(emu.endpoint, key, 300))).text(), 'raw body');
    const tampered = presignedUrl(emu.endpoint, key, 300).replace('and%2Bplus', 'and%2Bminus');
    const t = await fetch(tampered);
    assert.equal(t.status, 403);
    assert.match(await t.text(), /SignatureDoesNotMatch/);
    const expired = await fetch(presignedUrl(emu.endpoint, key, 60, new Date(Date.now() - 3600_000)));
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
  });
});

test("bad credentials and missing signatures get each service's own auth errors", async () => {
  await withEmulator(async (emu) => {
    const wrongSecret = clientsFor(emu.endpoint, { accessKeyId: 'test', secretAccessKey: 'wrong' });
    const unknownKey = clientsFor(emu.endpoint, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'test' });
    try {
      await assert.rejects(wrongSecret.personalize.send(new ListRecipesCommand({})), { name: 'InvalidSignatureException' });
      await assert.rejects(wrongSecret.s3.send(new CreateBucketCommand({ Bucket: 'abc-def' })), { name: 'SignatureDoesNotMatch' });
      await assert.rejects(wrongSecret.s3.send(new PutObjectCommand({ Bucket: 'abc-def', Key: 'k', Body: 'x' })), { name: 'SignatureDoesNotMatch' });
      await assert.rejects(wrongSecret.iam.send(new GetRoleCommand({ RoleName: 'r' })), { name: 'SignatureDoesNotMatch' });
      await assert.rejects(wrongSecret.sts.send(new GetCallerIdentityCommand({})), { name: 'SignatureDoesNotMatch' });
      await assert.rejects(unknownKey.personalize.send(new ListRecipesCommand({})), { name: 'UnrecognizedClientException' });
      await assert.rejects(unknownKey.s3.send(new CreateBucketCommand({ Bucket: 'abc-def' })), { name: 'InvalidAccessKeyId' });
      await assert.rejects(unknownKey.iam.send(new GetRoleCommand({ RoleName: 'r' })), { name: 'InvalidClientTokenId' });
    } finally {
      for (const c of [...Object.values(wrongSecret), ...Object.values(unknownKey)]) c.destroy();
    }
    const unsigned = await fetch(`${emu.endpoint}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonPersonalize.ListRecipes', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    assert.equal(((await unsigned.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const s3 = await fetch(`${emu.endpoint}/some-bucket`);
    assert.equal(s3.status, 403);
    assert.match(await s3.text(), /<Code>AccessDenied<\/Code>/);
    const skewed = await signedFetch({ ...LIST_RECIPES, endpoint: emu.endpoint, now: new Date(Date.now() - 20 * 60_000) });
    assert.match(((await skewed.json()) as { message: string }).message, /Signature expired/);
    const calls = emu.calls();
    assert.ok(calls.errors >= 10);
  });
});

test("malformed input gets the service's error shape, never a crash; health and call counts", async () => {
  await withEmulator(async (emu) => {
    const pz = (body: string | Buffer, target = 'AmazonPersonalize.CreateDatasetGroup') =>
      signedFetch({
        method: 'POST',
        endpoint: emu.endpoint,
        path: '/',
        service: 'personalize',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });
    const bad = await pz('{"name": ');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { __type: string }).__type, 'SerializationException');
    assert.equal(((await (await pz('[1,2]')).json()) as { __type: string }).__type, 'SerializationException');
    assert.equal(((await (await pz('{"name": 5}')).json()) as { __type: string }).__type, 'SerializationException');
    assert.equal(((await (await pz('{}', 'AmazonPersonalize.NoSuchThing')).json()) as { __type: string }).__type, 'UnknownOperationException');
    const invalid = (await (await pz('{"name": "-bad"}')).json()) as { __type: string; message: string };
    assert.equal(invalid.__type, 'InvalidInputException');
    assert.match(invalid.message, /failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const big = await pz(Buffer.alloc(2 * 1024 * 1024, 0x20));
    assert.equal(big.status, 413);
    await signedFetch({ method: 'PUT', endpoint: emu.endpoint, path: '/xml-bucket', service: 's3' });
    // DeleteObjects requires a Content-MD5 (or x-amz-checksum-*) header, as the S3 model says (requestChecksumRequired).
    const md5 = (body: string) => ({ 'content-md5': createHash('md5').update(body).digest('base64') });
    const deleteObjects = (body: string, headers?: Record<string, string>) =>
      signedFetch({ method: 'POST', endpoint: emu.endpoint, path: '/xml-bucket', query: [['delete', '']], service: 's3', body, headers });
    const noMd5 = await deleteObjects('<Delete><Object><Key>a</Key></Object></Delete>');
    assert.equal(noMd5.status, 400);
    assert.match(await noMd5.text(), /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5<\/Message>/);
    const broken = '<Delete><Object><Key>a</Key></Object>';
    const xml = await deleteObjects(broken, md5(broken));
    assert.equal(xml.status, 400);
    assert.match(await xml.text(), /<Code>MalformedXML<\/Code>/);
    const bomb = '<!DOCTYPE x [<!ENTITY e "boom">]><Delete>&e;</Delete>';
    const entity = await deleteObjects(bomb, md5(bomb));
    assert.match(await entity.text(), /<Code>MalformedXML<\/Code>/);
    const form = await signedFetch({
      method: 'POST',
      endpoint: emu.endpoint,
      path: '/',
      service: 'iam',
      region: 'us-east-1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=Frobnicate&Version=2010-05-08',
    });
    assert.equal(form.status, 400);
    assert.match(
      await form.text(),
      /<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );
    const health = (await (await fetch(`${emu.endpoint}/_emulator/health`)).json()) as { status: string; services: string[] };
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.services, ['personalize', 'kms', 's3', 'iam', 'sts']);
    const calls = (await (await fetch(`${emu.endpoint}/_emulator/calls`)).json()) as { services: Record<string, Record<string, number>> };
    assert.equal(calls.services.personalize?.CreateDatasetGroup, 5);
    assert.equal(calls.services.s3?.DeleteObjects, 3);
    assert.equal(calls.services.iam?.Frobnicate, 1);
  });
});
