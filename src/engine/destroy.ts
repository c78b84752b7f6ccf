import {
  DeleteDatasetCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  ListBatchSegmentJobsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListSchemasCommand,
  ListSolutionVersionsCommand,
  ListSolutionsCommand,
  ListTagsForResourceCommand,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { rm } from 'node:fs/promises';
import type { Spec } from '../spec/types.js';
import { isInUse, isNotFound } from '../aws/errors.js';
import { TAG_PIPELINE, longLivedName, personalizeArn } from '../resources/naming.js';
import { bucketStep } from '../resources/bucket.js';
import { roleStep } from '../resources/role.js';
import { datasetGroupStep, describeDatasetGroup } from '../resources/dataset-group.js';
import { describeDataset } from '../resources/dataset.js';
import { describeSolution } from '../resources/solution.js';
import { describeSolutionVersion } from '../resources/training.js';
import { phaseOf, waitGone } from '../resources/lifecycle.js';
import type { StepContext } from '../resources/types.js';
import { pollUntil, retrying } from './backoff.js';
import { openSession, tuningOf, type EngineTuning } from './session.js';
import type { Emit } from './events.js';

export interface DestroyOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  keepData: boolean;
}

export interface DestroySummary {
  pipeline: string;
  deleted: string[];
  /** Resources AWS offers no delete for (import and batch segment jobs): they stay, and cost nothing. */
  undeletable: string[];
  kept: string[];
  /** Anything that may still cost money after destroy (should be empty). */
  stillBilling: string[];
  calls: Record<string, number>;
}

const retryInUse = <T>(ctx: StepContext, fn: () => Promise<T>) =>
  retrying(fn, isInUse, { initialMs: Math.max(ctx.pollInitialMs, 500), maxMs: ctx.pollMaxMs * 4, maxAttempts: 40, signal: ctx.signal });

/**
 * Tears the pipeline down in reverse dependency order, waiting for each asynchronous delete: stop training in
 * flight, solutions (with their versions), datasets, schemas, the dataset group, the role, the bucket (unless
 * --keep-data). Besides the state, it sweeps by tag and by deterministic name, so resources a crashed run never
 * recorded are found too. Idempotent: absent is success.
 */
export async function destroyPipeline(opts: DestroyOptions): Promise<DestroySummary> {
  const session = await openSession({
    spec: opts.spec,
    cwd: opts.cwd,
    signal: opts.signal,
    emit: opts.emit,
    lockFor: 'destroy',
    ...tuningOf(opts),
  });
  const { ctx } = session;
  const { personalize } = ctx.aws;
  const spec = opts.spec;
  const summary: DestroySummary = { pipeline: spec.name, deleted: [], undeletable: [], kept: [], stillBilling: [], calls: {} };
  const say = (id: string, message: string) => opts.emit({ type: 'step-progress', id, message });
  try {
    // Names never depend on prepared data here: destroy must work without the data files.
    ctx.desired.set('dataset-group', { name: longLivedName(spec, 'dsg'), inputs: {}, inputsHash: '' });
    const groups = new Set<string>();
    const recorded = ctx.state.step('dataset-group')?.arn;
    if (recorded) groups.add(recorded);
    groups.add(personalizeArn(ctx.aws.region, ctx.account, 'dataset-group', longLivedName(spec, 'dsg')));
    for (const arn of await sweepDatasetGroups(ctx)) groups.add(arn);

    for (const dsg of groups) {
      const seen = await describeDatasetGroup(ctx, dsg);
      if (!seen.exists) continue;
      // Jobs cannot be deleted; wait for any in flight (they block dataset deletion) and list them.
      const solutions = (await personalize.send(new ListSolutionsCommand({ datasetGroupArn: dsg, maxResults: 100 }))).solutions ?? [];
      for (const s of solutions) {
        if (!s.solutionArn) continue;
        const versions = (await personalize.send(new ListSolutionVersionsCommand({ solutionArn: s.solutionArn, maxResults: 100 }))).solutionVersions ?? [];
        for (const v of versions) {
          if (!v.solutionVersionArn || phaseOf(v.status) !== 'pending') continue;
          say('training', `stopping training ${v.solutionVersionArn}`);
          try {
            await personalize.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: v.solutionVersionArn }));
          } catch (e) {
            if (!isNotFound(e) && !isInUse(e)) throw e;
          }
          await pollUntil(() => describeSolutionVersion(ctx, v.solutionVersionArn!), (o) => !o.exists || o.phase !== 'pending', {
            initialMs: ctx.pollInitialMs,
            maxMs: ctx.pollMaxMs,
            signal: ctx.signal,
          });
        }
        const jobs = (await personalize.send(new ListBatchSegmentJobsCommand({ maxResults: 100 }))).batchSegmentJobs ?? [];
        for (const j of jobs) {
          if (!versions.some((v) => v.solutionVersionArn === j.solutionVersionArn)) continue;
          summary.undeletable.push(`batch segment job ${j.jobName} (${j.status})`);
        }
        say('solution', `deleting solution ${s.name}`);
        await retryInUse(ctx, () => deleteOrAbsent(() => personalize.send(new DeleteSolutionCommand({ solutionArn: s.solutionArn }))));
        await waitGone(ctx, 'solution', s.name ?? s.solutionArn, () => describeSolution(ctx, s.solutionArn!));
        summary.deleted.push(`solution ${s.name}`);
      }
      const datasets = (await personalize.send(new ListDatasetsCommand({ datasetGroupArn: dsg, maxResults: 100 }))).datasets ?? [];
      const schemas = new Set<string>();
      for (const d of datasets) {
        if (!d.datasetArn) continue;
        const imports = await personalize.send(new ListDatasetImportJobsCommand({ datasetArn: d.datasetArn, maxResults: 100 }));
        for (const j of imports.datasetImportJobs ?? []) summary.undeletable.push(`dataset import job ${j.jobName} (${j.status})`);
        const live = await describeDataset(ctx, d.datasetArn);
        if (typeof live.details?.['schemaArn'] === 'string') schemas.add(live.details['schemaArn'] as string);
        say('dataset', `deleting dataset ${d.name}`);
        await retryInUse(ctx, () => deleteOrAbsent(() => personalize.send(new DeleteDatasetCommand({ datasetArn: d.datasetArn }))));
        await waitGone(ctx, 'dataset', d.name ?? d.datasetArn, () => describeDataset(ctx, d.datasetArn!));
        summary.deleted.push(`dataset ${d.name}`);
      }
      say('dataset-group', `deleting dataset group ${seen.name ?? dsg}`);
      await retryInUse(ctx, () => datasetGroupStep.destroy!(ctx, { phase: 'done', arn: dsg, name: seen.name ?? dsg, updatedAt: '' }));
      summary.deleted.push(`dataset group ${seen.name ?? dsg}`);
      for (const schemaArn of schemas) await deleteSchema(ctx, schemaArn, summary);
    }
    // Schemas of ours that no dataset referenced any more (e.g. a replaced items schema).
    for (const schemaArn of await sweepSchemas(ctx)) await deleteSchema(ctx, schemaArn, summary);

    const role = ctx.state.step('role')?.name ?? longLivedName(spec, 'personalize');
    say('role', `deleting role ${role}`);
    await roleStep.destroy!(ctx, { phase: 'done', name: role, updatedAt: '' });
    summary.deleted.push(`role ${role}`);

    const oldBuckets = (ctx.state.current.orphans ?? []).filter((o) => o.kind === 'bucket' && o.name && o.name !== spec.storage.bucket);
    if (opts.keepData) {
      for (const o of oldBuckets) summary.kept.push(`bucket s3://${o.name} (an earlier storage.bucket; --keep-data)`);
      summary.kept.push(`bucket s3://${spec.storage.bucket} (--keep-data)`);
      summary.stillBilling.push(`S3 storage of s3://${spec.storage.bucket} (kept with --keep-data)`);
    } else {
      say('bucket', `emptying and deleting s3://${spec.storage.bucket}`);
      for (const bucket of [...oldBuckets.map((o) => o.name!), spec.storage.bucket]) {
        await bucketStep.destroy!(ctx, { phase: 'done', name: bucket, updatedAt: '' });
        summary.deleted.push(`bucket ${bucket}`);
      }
    }
    await ctx.state.update((s) => {
      for (const id of Object.keys(s.steps)) {
        if (opts.keepData && (id === 'bucket' || id === 'upload' || id === 'prepare')) continue;
        delete s.steps[id];
      }
    });
    if (!opts.keepData) {
      await ctx.state.deleteFile();
      await rm(ctx.workDir + '/segments', { recursive: true, force: true });
    }
    summary.calls = ctx.aws.calls.snapshot();
    return summary;
  } finally {
    await session.close();
  }
}

async function deleteOrAbsent(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

async function deleteSchema(ctx: StepContext, schemaArn: string, summary: DestroySummary): Promise<void> {
  try {
    await ctx.aws.personalize.send(new DeleteSchemaCommand({ schemaArn }));
    summary.deleted.push(`schema ${schemaArn.split('/').pop()}`);
  } catch (e) {
    if (isNotFound(e)) return;
    if (isInUse(e)) summary.kept.push(`schema ${schemaArn.split('/').pop()} (still used by another dataset)`);
    else throw e;
  }
}

/** Dataset groups tagged segflow:pipeline=<name>. */
async function sweepDatasetGroups(ctx: StepContext): Promise<string[]> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.aws.personalize.send(new ListDatasetGroupsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const g of page.datasetGroups ?? []) {
      if (!g.datasetGroupArn || !g.name?.startsWith(`${ctx.spec.name}-`)) continue;
      const tags = await ctx.aws.personalize.send(new ListTagsForResourceCommand({ resourceArn: g.datasetGroupArn }));
      if ((tags.tags ?? []).some((t) => t.tagKey === TAG_PIPELINE && t.tagValue === ctx.spec.name)) found.push(g.datasetGroupArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** Schemas cannot be tagged: ours are found by their deterministic name prefix. */
async function sweepSchemas(ctx: StepContext): Promise<string[]> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.aws.personalize.send(new ListSchemasCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const s of page.schemas ?? []) {
      if (s.schemaArn && /^(int|itm)-[0-9a-f]{8}$/.test(s.name?.slice(ctx.spec.name.length + 1) ?? '') && s.name?.startsWith(`${ctx.spec.name}-`)) {
        found.push(s.schemaArn);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}
