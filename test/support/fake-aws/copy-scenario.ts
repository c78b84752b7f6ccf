/**
 * The contract for S3Port.copyObject: server-side copies within a bucket and across buckets, metadata kept or
 * replaced, the source's ETag condition, versions by id, and what a copy refuses (missing source or destination,
 * a copy onto itself that changes nothing).
 */
import { B, outcome, type Scenario } from './contract-scenarios.js';

const B2 = `${B}-2`;
const SOURCE = { bucket: B, key: 'runs/r1/segments.csv' };

export const copyScenario: Scenario = {
  name: 's3: server-side copies within and across buckets, metadata kept or replaced, conditions, refusals',
  async run({ s3 }) {
    const obs: Record<string, unknown> = {};
    await s3.createBucket(B);
    await s3.createBucket(B2);
    const put = await s3.putObject(B, SOURCE.key, { data: 'query,rank,user\ni1,1,u1\n' }, { metadata: { run: 'r1' }, contentType: 'text/csv' });
    obs['within'] = await outcome(s3.copyObject(B, 'latest/segments.csv', SOURCE, { ifMatch: put.etag }));
    obs['withinHead'] = await outcome(s3.headObject(B, 'latest/segments.csv'));
    obs['withinText'] = (await s3.getObjectText(B, 'latest/segments.csv'))?.text;
    obs['across'] = await outcome(s3.copyObject(B2, 'a b/ü?.csv', SOURCE, { metadata: { run: 'r2' } }));
    obs['acrossHead'] = await outcome(s3.headObject(B2, 'a b/ü?.csv'));
    obs['back'] = await outcome(s3.copyObject(B, 'back.csv', { bucket: B2, key: 'a b/ü?.csv' }));
    obs['nullVersion'] = await outcome(s3.copyObject(B, 'null.csv', { ...SOURCE, versionId: 'null' }));
    obs['refused'] = [
      await outcome(s3.copyObject(B, 'x', SOURCE, { ifMatch: '"00000000000000000000000000000000"' })),
      await outcome(s3.copyObject(B, 'x', { bucket: B, key: 'absent' })),
      await outcome(s3.copyObject(B, 'x', { ...SOURCE, versionId: 'nope' })),
      await outcome(s3.copyObject(B, 'x', { bucket: `${B}-absent`, key: 'k' })),
      await outcome(s3.copyObject(`${B}-absent`, 'x', SOURCE)),
      await outcome(s3.copyObject(B, SOURCE.key, SOURCE)),
    ];
    obs['replacedInPlace'] = await outcome(s3.copyObject(B, SOURCE.key, SOURCE, { metadata: { run: 'r1', checked: 'yes' } }));
    obs['inPlaceHead'] = await outcome(s3.headObject(B, SOURCE.key));
    obs['keys'] = [(await s3.listObjects(B, '')).map((o) => o.key), (await s3.listObjects(B2, '')).map((o) => o.key)];
    return obs;
  },
};
