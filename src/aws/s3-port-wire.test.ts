/**
 * The S3 adapter against stubbed wire answers: what the emulator cannot show (a bucket owned by someone else,
 * us-east-1's bodiless CreateBucket) or does not implement yet (tagging, versioning, object versions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client } from '@aws-sdk/client-s3';
import { CallCounter } from './call-counter.js';
import { isAwsError } from './errors.js';
import { sdkS3Port } from './s3-port.js';
import { stubConfig, stubHttp, type StubAnswer, type StubRequest } from '../../test/support/stub-http.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const xml = (body: string): StubAnswer => ({ headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` });
const s3Error = (status: number, code: string, message: string): StubAnswer => ({
  status,
  ...xml(`<Error><Code>${code}</Code><Message>${message}</Message><RequestId>r</RequestId></Error>`),
});

function stubbedPort(answer: (req: StubRequest) => StubAnswer, region = 'eu-west-1') {
  const stub = stubHttp(answer);
  const client = new S3Client({
    ...stubConfig(stub, region),
    forcePathStyle: true,
    endpoint: 'http://127.0.0.1:9',
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const calls = new CallCounter();
  calls.attach('s3', client);
  return { s3: sdkS3Port(client, calls, region), stub, calls, close: () => client.destroy() };
}

test('headBucket: 200 owned, 404 absent, bodiless 403 forbidden; other statuses are AwsErrors', async () => {
  for (const [status, expected] of [
    [200, 'owned'],
    [404, 'absent'],
    [403, 'forbidden'],
  ] as const) {
    const { s3, close } = stubbedPort(() => ({ status }));
    assert.equal(await s3.headBucket('b'), expected);
    close();
  }
  const { s3, close } = stubbedPort(() => ({ status: 400 }));
  await assert.rejects(s3.headBucket('b'), (e) => isAwsError(e, 'other') && e.code === 'BadRequest' && e.status === 400);
  close();
});

test('createBucket: LocationConstraint except in us-east-1; BucketAlreadyExists is already-exists, BucketAlreadyOwnedByYou is owned', async () => {
  const eu = stubbedPort(() => ({ status: 200 }));
  assert.equal(await eu.s3.createBucket('b'), 'created');
  assert.match(eu.stub.requests[0]!.body, /<LocationConstraint>eu-west-1<\/LocationConstraint>/);
  eu.close();
  const us = stubbedPort(() => ({ status: 200 }), 'us-east-1');
  assert.equal(await us.s3.createBucket('b'), 'created');
  assert.equal(us.stub.requests[0]!.body, '');
  us.close();
  const taken = stubbedPort(() => s3Error(409, 'BucketAlreadyExists', 'The requested bucket name is not available.'));
  await assert.rejects(taken.s3.createBucket('b'), (e) => isAwsError(e, 'already-exists') && e.code === 'BucketAlreadyExists' && e.status === 409);
  taken.close();
  const mine = stubbedPort(() => s3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded.'));
  assert.equal(await mine.s3.createBucket('b'), 'owned');
  mine.close();
});

test('bucket configuration reads: each "there is none" code is undefined; 403 is access-denied', async () => {
  const none: Array<[string, (s3: ReturnType<typeof stubbedPort>['s3']) => Promise<unknown>]> = [
    ['NoSuchTagSet', (s3) => s3.getBucketTagging('b')],
    ['ServerSideEncryptionConfigurationNotFoundError', (s3) => s3.getBucketEncryption('b')],
    ['NoSuchPublicAccessBlockConfiguration', (s3) => s3.getPublicAccessBlock('b')],
    ['NoSuchBucketPolicy', (s3) => s3.getBucketPolicy('b')],
    ['NoSuchBucket', (s3) => s3.getBucketVersioning('b')],
  ];
  for (const [code, read] of none) {
    const { s3, close } = stubbedPort(() => s3Error(404, code, 'none'));
    assert.equal(await read(s3), undefined, code);
    close();
  }
  const denied = stubbedPort(() => s3Error(403, 'AccessDenied', 'Access Denied'));
  await assert.rejects(denied.s3.getBucketPolicy('b'), (e) => isAwsError(e, 'access-denied') && e.code === 'AccessDenied' && e.operation === 'GetBucketPolicy');
  denied.close();
});

test('bucket tagging and versioning, as S3 answers them', async () => {
  const { s3, stub, close } = stubbedPort((req) => {
    if ('tagging' in req.query && req.method === 'GET')
      return xml(
        `<Tagging xmlns="${NS}"><TagSet><Tag><Key>team</Key><Value>growth</Value></Tag><Tag><Key>segflow:pipeline</Key><Value>demo</Value></Tag></TagSet></Tagging>`,
      );
    if ('versioning' in req.query && req.path.includes('never')) return xml(`<VersioningConfiguration xmlns="${NS}"/>`);
    if ('versioning' in req.query) return xml(`<VersioningConfiguration xmlns="${NS}"><Status>Suspended</Status></VersioningConfiguration>`);
    return { status: 204 };
  });
  assert.deepEqual(await s3.getBucketTagging('b'), { team: 'growth', 'segflow:pipeline': 'demo' });
  await s3.putBucketTagging('b', { team: 'growth' });
  assert.match(stub.requests[1]!.body, /<Tag><Key>team<\/Key><Value>growth<\/Value><\/Tag>/);
  assert.equal(await s3.getBucketVersioning('b'), 'Suspended');
  assert.equal(await s3.getBucketVersioning('never'), undefined);
  close();
});

test('listObjectVersions pages on KeyMarker + VersionIdMarker; versions and delete markers both come back', async () => {
  const { s3, stub, calls, close } = stubbedPort((req) => {
    const marker = req.query['key-marker'];
    if (!marker) {
      return xml(
        `<ListVersionsResult xmlns="${NS}"><Name>b</Name><Prefix>p/</Prefix><IsTruncated>true</IsTruncated><NextKeyMarker>p/a</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>` +
          `<Version><Key>p/a</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><Size>3</Size><ETag>"e"</ETag></Version>` +
          `<DeleteMarker><Key>p/a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest></DeleteMarker></ListVersionsResult>`,
      );
    }
    assert.equal(marker, 'p/a');
    assert.equal(req.query['version-id-marker'], 'v1');
    return xml(
      `<ListVersionsResult xmlns="${NS}"><Name>b</Name><IsTruncated>false</IsTruncated><Version><Key>p/b</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><Size>5</Size></Version></ListVersionsResult>`,
    );
  });
  assert.deepEqual(await s3.listObjectVersions('b', 'p/'), [
    { key: 'p/a', versionId: 'v2', isDeleteMarker: false, isLatest: true, size: 3 },
    { key: 'p/a', versionId: 'v1', isDeleteMarker: true, isLatest: false },
    { key: 'p/b', versionId: 'null', isDeleteMarker: false, isLatest: true, size: 5 },
  ]);
  assert.equal(stub.requests[0]!.query['prefix'], 'p/');
  assert.equal(calls.get('s3:ListObjectVersions'), 2);
  close();
});

test('deleteObjects reports per-key failures; deleteObject passes versionId and If-Match', async () => {
  const { s3, stub, close } = stubbedPort((req) => {
    if (req.method === 'POST')
      return xml(
        `<DeleteResult xmlns="${NS}"><Error><Key>locked</Key><VersionId>v9</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>`,
      );
    return { status: 204 };
  });
  assert.deepEqual(await s3.deleteObjects('b', [{ key: 'a' }, { key: 'locked', versionId: 'v9' }]), {
    deleted: 1,
    errors: [{ key: 'locked', versionId: 'v9', code: 'AccessDenied', message: 'Access Denied' }],
  });
  assert.match(stub.requests[0]!.body, /<Quiet>true<\/Quiet>/);
  await s3.deleteObject('b', 'k', { versionId: 'v3', ifMatch: '"e"' });
  assert.equal(stub.requests[1]!.query['versionId'], 'v3');
  assert.equal(stub.requests[1]!.headers['if-match'], '"e"');
  assert.deepEqual(await s3.deleteObjects('b', []), { deleted: 0, errors: [] });
  assert.equal(stub.requests.length, 2);
  close();
});

test('S3 409 ConditionalRequestConflict is kind conflict', async () => {
  const { s3, close } = stubbedPort(() => s3Error(409, 'ConditionalRequestConflict', 'A conflicting operation occurred.'));
  await assert.rejects(
    s3.putObject('b', 'k', { data: 'x' }, { ifNoneMatch: '*' }),
    (e) => isAwsError(e, 'conflict') && e.code === 'ConditionalRequestConflict',
  );
  close();
});
