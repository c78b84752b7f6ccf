import {
  CreateSolutionVersionCommand,
  DescribeSolutionVersionCommand,
  ListSolutionVersionsCommand,
  ListTagsForResourceCommand,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { isInUse, isNotFound } from '../aws/errors.js';
import { TAG_INPUTS, inputsHashOf, personalizeTags } from './naming.js';
import { createRecorded, phaseOf, readOrAbsent, waitActive } from './lifecycle.js';
import { solutionArn } from './solution.js';
import type { Observation, StepContext, StepDefinition } from './types.js';
import type { StepRecord } from '../state/types.js';

export function describeSolutionVersion(ctx: StepContext, arn: string): Promise<Observation> {
  return readOrAbsent(async () => {
    const r = await ctx.aws.personalize.send(new DescribeSolutionVersionCommand({ solutionVersionArn: arn }));
    const v = r.solutionVersion;
    return {
      exists: true,
      arn,
      status: v?.status,
      phase: phaseOf(v?.status),
      failureReason: v?.failureReason,
      details: { trainingHours: v?.trainingHours },
    };
  });
}

/**
 * Solution versions cannot be named: ours carry the tag segflow:inputs=<hash>. This finds one for the given
 * inputs (a crash between CreateSolutionVersion and recording its ARN, a lost state file, or inputs that went
 * back to an earlier value) so that the same training is never paid for twice.
 */
export async function findVersionByInputs(ctx: StepContext, inputsHash: string): Promise<Observation> {
  const solution = solutionArn(ctx);
  let versions;
  try {
    versions = await ctx.aws.personalize.send(new ListSolutionVersionsCommand({ solutionArn: solution, maxResults: 100 }));
  } catch (e) {
    if (isNotFound(e)) return { exists: false };
    throw e;
  }
  // Newest first: the last attempt decides (an older failed one is history).
  const summaries = [...(versions.solutionVersions ?? [])].sort(
    (a, b) => (b.creationDateTime?.getTime() ?? 0) - (a.creationDateTime?.getTime() ?? 0),
  );
  for (const v of summaries) {
    if (!v.solutionVersionArn) continue;
    const tags = await ctx.aws.personalize.send(new ListTagsForResourceCommand({ resourceArn: v.solutionVersionArn }));
    if ((tags.tags ?? []).some((t) => t.tagKey === TAG_INPUTS && t.tagValue === inputsHash)) {
      return { exists: true, arn: v.solutionVersionArn, status: v.status, phase: phaseOf(v.status), failureReason: v.failureReason };
    }
  }
  return { exists: false };
}

async function observe(ctx: StepContext, inputsHash: string, record: StepRecord | undefined): Promise<Observation> {
  if (record?.arn && record.inputsHash === inputsHash) {
    const seen = await describeSolutionVersion(ctx, record.arn);
    if (seen.exists) return seen;
  }
  // Look the version up by tag (one list call; on a first run the solution is absent and that is the answer).
  return findVersionByInputs(ctx, inputsHash);
}

export const trainingStep: StepDefinition = {
  id: 'training',
  kind: 'training',
  title: 'training (solution version)',
  deps: ['solution', 'import-interactions'],
  costly: true,
  job: true,
  desired(ctx) {
    const inputs: Record<string, unknown> = {
      solution: ctx.desired.get('solution')!.inputsHash,
      interactions: ctx.desired.get('import-interactions')!.inputsHash,
    };
    const items = ctx.desired.get('import-items');
    if (items) inputs['items'] = items.inputsHash;
    const inputsHash = inputsHashOf(inputs);
    return { name: `${ctx.spec.name}-train-${inputsHash.slice(0, 8)}`, inputs, inputsHash };
  },
  read(ctx, desired, record) {
    return observe(ctx, desired.inputsHash, record);
  },
  async apply(ctx, desired, record) {
    let seen = await observe(ctx, desired.inputsHash, record);
    if (seen.exists && seen.phase === 'failed') {
      ctx.progress('training', { message: `previous training ${seen.status}: ${seen.failureReason ?? ''}; training again` });
      seen = { exists: false };
    }
    let arn = seen.arn;
    let adopted = seen.exists;
    if (!seen.exists) {
      const r = await createRecorded(ctx, 'training', desired, async () => {
        const out = await ctx.aws.personalize.send(
          new CreateSolutionVersionCommand({
            solutionArn: solutionArn(ctx),
            trainingMode: 'FULL',
            tags: personalizeTags(ctx.spec, 'training', { [TAG_INPUTS]: desired.inputsHash }),
          }),
        );
        return out.solutionVersionArn;
      });
      arn = r.arn;
      adopted = r.adopted;
      if (!arn) arn = (await findVersionByInputs(ctx, desired.inputsHash)).arn;
    } else {
      await ctx.state.setStep('training', { phase: 'created', name: desired.name, arn, inputsHash: desired.inputsHash, inputs: desired.inputs });
    }
    if (!arn) throw new Error('training: no solution version ARN after create');
    const final = await waitActive(ctx, 'training', 'training', () => describeSolutionVersion(ctx, arn!));
    const trainingHours = final.details?.['trainingHours'];
    await ctx.state.patchStep('training', { phase: 'done', arn, outputs: { trainingHours: typeof trainingHours === 'number' ? trainingHours : null } });
    return { arn, adopted };
  },
  /** Destroy stops training in flight (it is billed until stopped); the version itself goes with its solution. */
  async destroy(ctx, record) {
    if (!record.arn) return;
    const seen = await describeSolutionVersion(ctx, record.arn);
    if (seen.exists && seen.phase === 'pending') {
      try {
        await ctx.aws.personalize.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: record.arn }));
      } catch (e) {
        if (!isNotFound(e) && !isInUse(e)) throw e;
      }
      await waitActive(ctx, 'training', 'stopping training', () => describeSolutionVersion(ctx, record.arn!)).catch(() => undefined);
    }
  },
};
