import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { StandaloneEmulator } from '../reliability/support.js';
import { sidPrefix } from '../../src/resources/bucket-policy.js';
import { ACCOUNT, assertChanges, bucketExists, bucketStatements, changes, objectVersions, pipeline, useStrictEmulator, type Statement } from './support.js';

/** The Sids of a pipeline's own statements in a bucket policy. */
const ours = (statements: Statement[], name: string) => statements.filter((s) => s.Sid?.startsWith(sidPrefix({ name }))).map((s) => s.Sid!);

/** The user's own statement: the account's analysts may read reports/. */
const analystsRead: Statement = {
  Sid: 'AnalyticsTeamReadsReports',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::team-data-lake/reports/*',
};

describe('scenarios: buckets segflow shares, adopts and gives back (strict emulator)', () => {
  let emu: StandaloneEmulator;
  useStrictEmulator((e) => (emu = e));

  test('two pipelines share a bucket; destroying one leaves the other untouched: no drift, its next apply works', async () => {
    const bucket = 'segflow-shared';
    const first = await pipeline(emu, { name: 'share-first', bucket, prefix: 'first/' });
    const second = await pipeline(emu, { name: 'share-second', bucket, prefix: 'second/' });
    await first.apply();
    await second.apply();
    // The pipeline that adopted the shared bucket records the statements it added as its own, so one apply converges:
    // its next plan changes nothing.
    assertChanges(await second.plan(), {});
    const secondObjects = await objectVersions(emu.aws, bucket, 'second/');
    const secondStatements = (await bucketStatements(emu.aws, bucket)).filter((s) => ours([s], 'share-second').length > 0);
    assert.equal(secondStatements.length, 3);
    assert.equal(ours(await bucketStatements(emu.aws, bucket), 'share-first').length, 3);

    const d = await first.destroy();
    assert.match(d.stdout, /bucket segflow-shared: it holds \d+ object version\(s\) segflow did not write/);
    assert.ok(await bucketExists(emu.aws, bucket));
    assert.deepEqual(await objectVersions(emu.aws, bucket, 'first/'), []);
    const after = await bucketStatements(emu.aws, bucket);
    assert.deepEqual(ours(after, 'share-first'), []);
    assert.deepEqual(after, secondStatements, "the other pipeline's statements, exactly as they were");
    assert.deepEqual(await objectVersions(emu.aws, bucket, 'second/'), secondObjects);

    assertChanges(await second.plan(), {});
    // A new segment job: Personalize reads the other pipeline's input and writes its output through its statements.
    await second.set({ count: 12 });
    assertChanges(await second.plan(), {
      prepare: ['run', 'segments.numResults'],
      segments: ['run', 'numResults: 10 -> 12'],
      download: ['run', 'after segments'],
      evaluate: ['run', 'after download'],
    });
    await second.apply();
    assertChanges(await second.plan(), {});

    // The last one out removes its objects and statements; the bucket (made by the first) stays, empty.
    const last = await second.destroy();
    assert.match(last.stdout, /bucket segflow-shared: it was not created by segflow/);
    assert.deepEqual(await objectVersions(emu.aws, bucket), []);
    assert.deepEqual(await bucketStatements(emu.aws, bucket), []);
  });

  test("an adopted bucket keeps its owner's objects, statement, tags and settings through apply and destroy", async () => {
    const bucket = 'team-data-lake';
    const s3 = emu.aws.s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const foreign = ['reports/q1.csv', 'adopted/README.txt', 'adopted/output/someone-elses-job/part.out', 'adopted/inputs-of-mine.csv'];
    for (const Key of foreign) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `not segflow's: ${Key}\n` }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [analystsRead] }) }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'owner', Value: 'analytics' }] } }));
    const encryption = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration;

    const p = await pipeline(emu, { name: 'adopted', bucket, prefix: 'adopted/' });
    // The plan says what it will do to the bucket: add segflow's statements, nothing else.
    const bucketPlan = changes(await p.plan())['bucket'];
    assert.equal(bucketPlan?.action, 'update', JSON.stringify(bucketPlan));
    assert.ok(
      bucketPlan.reasons.every((r) => r.includes(`bucket policy lacks segflow's statement ${sidPrefix({ name: 'adopted' })}`)),
      bucketPlan.reasons.join('; '),
    );
    const r = await p.apply();
    assert.match(r.stdout, /adopted: only segflow's own policy statements were added/);
    assertChanges(await p.plan(), {});

    const applied = await bucketStatements(emu.aws, bucket);
    assert.deepEqual(applied[0], analystsRead, "the owner's statement first, unchanged");
    assert.equal(ours(applied, 'adopted').length, applied.length - 1);
    // Only the pipeline's prefix is TLS-only: the owner's other objects keep whatever access they had.
    const deny = applied.find((s) => s.Effect === 'Deny')!;
    assert.equal(deny['Resource'], `arn:aws:s3:::${bucket}/adopted/*`);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet, [{ Key: 'owner', Value: 'analytics' }]);
    assert.deepEqual((await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration, encryption);
    await assert.rejects(s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), /NoSuchPublicAccessBlockConfiguration/);
    const written = (await objectVersions(emu.aws, bucket, 'adopted/')).filter((k) => !foreign.includes(k));
    assert.ok(
      written.some((k) => k.startsWith('adopted/output/adopted-seg-')),
      written.join('\n'),
    );

    const d = await p.destroy();
    assert.match(d.stdout, /bucket team-data-lake: it was not created by segflow/);
    assert.ok(await bucketExists(emu.aws, bucket));
    assert.deepEqual(await objectVersions(emu.aws, bucket), [...foreign].sort(), "exactly the owner's objects are left");
    assert.deepEqual(await bucketStatements(emu.aws, bucket), [analystsRead]);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet, [{ Key: 'owner', Value: 'analytics' }]);
  });

  test("segflow's statements removed or changed out of band: plan shows the bucket updated in place, apply puts them back", async () => {
    const bucket = 'segflow-drift';
    const p = await pipeline(emu, { name: 'drift' });
    await p.apply();
    const own = await bucketStatements(emu.aws, bucket);
    // Someone replaces the policy with their own: Personalize can no longer read the pipeline's data.
    const theirs: Statement = { ...analystsRead, Resource: `arn:aws:s3:::${bucket}/reports/*` };
    await emu.aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [theirs] }) }));
    assertChanges(await p.plan(), { bucket: ['update', `bucket policy lacks segflow's statement ${sidPrefix({ name: 'drift' })}PersonalizeReads`] });
    await p.apply();
    assert.deepEqual(await bucketStatements(emu.aws, bucket), [theirs, ...own]);
    assertChanges(await p.plan(), {});

    // One of segflow's statements narrowed by hand.
    const narrowed = [
      theirs,
      ...own.map((s) => (s.Sid?.endsWith('PersonalizeWrites') ? { ...s, Resource: `arn:aws:s3:::${bucket}/drift/output/only-this/*` } : s)),
    ];
    await emu.aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: narrowed }) }));
    assertChanges(await p.plan(), { bucket: ['update', 'PersonalizeWrites was changed'] });
    await p.apply();
    assert.deepEqual(await bucketStatements(emu.aws, bucket), [theirs, ...own]);
    assertChanges(await p.plan(), {});
  });
});
