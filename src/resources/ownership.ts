import { SegflowError } from '../util/errors.js';
import { TAG_PIPELINE } from './naming.js';
import type { StepContext } from './types.js';

/**
 * segflow changes and deletes only what it created: a resource the state records as this step's, or one carrying
 * the pipeline's ownership tag (segflow:pipeline=<name>, set at creation, so a resource created by a run that was
 * interrupted before recording it is still recognised). A resource that merely has the name segflow would give
 * it is someone else's: plan refuses to adopt it (PLAN_FOREIGN_RESOURCE), destroy leaves it.
 */
export async function ownsPersonalizeResource(ctx: StepContext, stepId: string, arn: string): Promise<boolean> {
  if (ctx.state.step(stepId)?.arn === arn) return true;
  return (await ctx.aws.personalize.listTagsForResource(arn))[TAG_PIPELINE] === ctx.spec.name;
}

export function foreignResource(ctx: StepContext, kind: string, name: string, arn: string): SegflowError {
  return new SegflowError(
    'PLAN_FOREIGN_RESOURCE',
    `${kind} ${name} exists and was not created by segflow for pipeline ${ctx.spec.name} (no tag ${TAG_PIPELINE}=${ctx.spec.name}, not in the state): segflow will not adopt, change or delete it`,
    [
      `it is ${arn}; rename the pipeline (name: in the spec) so that segflow's names do not collide with it`,
      `if segflow did create it for this pipeline and the tag was removed, put the tag back: ${TAG_PIPELINE}=${ctx.spec.name}`,
    ],
  );
}

/** Throws PLAN_FOREIGN_RESOURCE unless the resource at `arn` is this step's. */
export async function requireOurs(ctx: StepContext, stepId: string, kind: string, name: string, arn: string): Promise<void> {
  if (!(await ownsPersonalizeResource(ctx, stepId, arn))) throw foreignResource(ctx, kind, name, arn);
}
