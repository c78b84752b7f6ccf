import type { Spec } from '../spec/types.js';
import type { LockOwner } from '../state/backend.js';
import { SegflowError, refusal } from '../util/errors.js';
import type { CostEstimate } from '../cost/formulas.js';
import type { Plan, PlannedStep } from '../plan/types.js';
import { isChange } from '../plan/types.js';
import { runDag, type NodeOutcome } from './dag.js';
import { openSession } from './session.js';
import { planIn } from './plan.js';
import { keepReport, summaryLines } from './reports.js';
import { runCostOf } from './run-cost.js';
import { syncTags } from '../resources/tags.js';
import { awsFailure } from '../resources/failures.js';
import { isAwsError } from '../aws/errors.js';
import type { EngineDeps, EngineTuning } from './deps.js';
import type { StepContext, StepDefinition } from '../resources/types.js';
import type { Emit } from './events.js';

export interface ApplyOptions extends EngineTuning {
  spec: Spec;
  cwd: string;
  signal: AbortSignal;
  emit: Emit;
  deps: EngineDeps;
  autoApprove: boolean;
  approveCost: boolean;
  /** Asks the user; undefined when there is nobody to ask (no TTY): then apply refuses instead of hanging. */
  confirm?: (plan: Plan) => Promise<boolean>;
  /** Who takes the lock beyond host and pid (CI actor and run). */
  lockOwner?: LockOwner;
  /** A plan saved by `plan --out`: refused when the spec or the world moved since. */
  savedPlan?: Plan;
}

export interface StepResult {
  id: string;
  action: PlannedStep['action'];
  outcome: NodeOutcome['status'] | 'noop';
  adopted?: boolean;
  note?: string;
  error?: string;
}

export interface ApplySummary {
  pipeline: string;
  target: string;
  ok: boolean;
  changes: number;
  steps: StepResult[];
  cost: CostEstimate;
  /** SDK calls per operation ("personalize:CreateSolutionVersion": 1). */
  calls: Record<string, number>;
  totalCalls: number;
  /** Create*, Put*, Upload* calls made. */
  createCalls: number;
  bytesUploaded: number;
  durationMs: number;
  /** Evaluation summary lines (src/eval summarizeReport). */
  report: string[];
}

/**
 * Apply's result as a value: the summary of what ran (when planning got that far) and, when it did not all
 * work, the error that decides the exit code.
 */
export type ApplyOutcome = { ok: true; summary: ApplySummary } | { ok: false; summary?: ApplySummary; error: unknown };

/** Checks made before anything is created: a stale saved plan, the budget, the user's confirmation. */
export async function gate(plan: Plan, opts: Pick<ApplyOptions, 'savedPlan' | 'approveCost' | 'autoApprove' | 'confirm'>): Promise<void> {
  if (opts.savedPlan) {
    if (opts.savedPlan.specHash !== plan.specHash) {
      throw refusal('PLAN_STALE', 'the spec file changed since the plan was saved', ['run segflow plan --out again']);
    }
    const [before, after] = [opts.savedPlan.state?.serial, plan.state?.serial];
    if (before !== undefined && after !== undefined && before !== after) {
      throw refusal('PLAN_STALE', `the state changed since the plan was saved (serial ${before} -> ${after}: another apply or destroy ran)`, [
        `state: ${plan.state?.location ?? '?'}`,
        'run segflow plan --out again and review the new plan',
      ]);
    }
    if (opts.savedPlan.basisHash !== plan.basisHash) {
      const moved = plan.steps
        .filter((s) => {
          const old = opts.savedPlan!.steps.find((o) => o.id === s.id);
          return !old || old.action !== s.action || old.name !== s.name || (old.status ?? '') !== (s.status ?? '');
        })
        .map((s) => s.id);
      throw refusal('PLAN_STALE', 'the world moved since the plan was saved', [
        `steps now different: ${moved.join(', ') || '(state)'}`,
        'run segflow plan --out again',
      ]);
    }
  }
  if (plan.cost.totalUsd > plan.budgetUsd && !opts.approveCost) {
    const cheaper = (plan.cost.advice?.suggestions ?? [])
      .filter((s) => s.underBudget)
      .map((s) => `  ${s.key}: ${s.from} -> ${s.to} brings it to ${s.exact ? '' : 'at most '}$${s.totalUsd.toFixed(2)}`);
    throw refusal(
      'PLAN_OVER_BUDGET',
      `the estimate $${plan.cost.totalUsd.toFixed(2)} (high end of $${plan.cost.lowUsd.toFixed(2)}-$${plan.cost.totalUsd.toFixed(2)}) exceeds budget.maxUsd $${plan.budgetUsd.toFixed(2)}`,
      [
        ...(cheaper.length ? ['cheaper runs (segflow plan shows the details):', ...cheaper] : []),
        'raise budget.maxUsd in the spec, or pass --approve-cost to run anyway',
      ],
    );
  }
  if (plan.changes > 0 && !opts.autoApprove && !opts.savedPlan) {
    if (!opts.confirm) {
      throw refusal('APPLY_NOT_CONFIRMED', 'apply needs a confirmation and there is no terminal to ask', [
        'pass --auto-approve, or save a reviewed plan with `segflow plan --out PLAN` and run `segflow apply PLAN`',
      ]);
    }
    if (!(await opts.confirm(plan))) throw refusal('APPLY_DECLINED', 'apply cancelled: the plan was not confirmed');
  }
}

/** Applies one step as planned (or records it as up to date), with its events. */
async function applyStep(ctx: StepContext, step: StepDefinition, planned: PlannedStep, results: Map<string, StepResult>, opts: ApplyOptions): Promise<void> {
  const id = step.id;
  const signal = ctx.signal;
  if (!isChange(planned.action)) {
    results.set(id, { id, action: planned.action, outcome: 'noop' });
    opts.emit({ type: 'step-skipped', id, why: 'up to date' });
    return;
  }
  opts.emit({ type: 'step-start', step: planned });
  const t0 = Date.now();
  try {
    const r = await step.apply(ctx, ctx.desired(id), ctx.state.step(id));
    await syncTags(ctx, step, !r.adopted && (planned.action === 'create' || planned.action === 'replace'));
    // An update changes a resource the state already knows: found, but not adopted.
    const adopted = r.adopted === true && planned.action !== 'update';
    results.set(id, { id, action: planned.action, outcome: 'done', ...(adopted ? { adopted: true } : {}), ...(r.note ? { note: r.note } : {}) });
    opts.emit({
      type: 'step-done',
      id,
      durationMs: r.durationMs ?? Date.now() - t0,
      ...(r.note ? { note: r.note } : {}),
      ...(adopted ? { adopted: true } : {}),
    });
  } catch (e) {
    if (!signal.aborted) opts.emit({ type: 'step-failed', id, error: (e as Error).message });
    throw e;
  }
}

/** Records what the DAG did with the steps that did not finish (failed, skipped, cancelled); returns the first failure. */
function settle(outcomes: Map<string, NodeOutcome>, byId: Map<string, PlannedStep>, results: Map<string, StepResult>, opts: ApplyOptions): unknown {
  let firstError: unknown;
  for (const [id, o] of outcomes) {
    const planned = byId.get(id)!;
    if (results.has(id) && o.status === 'done') continue;
    if (o.status === 'failed') firstError ??= stepFailure(id, o.error);
    if (o.status === 'skipped') opts.emit({ type: 'step-skipped', id, why: `blocked by ${o.because}` });
    if (o.status === 'cancelled') opts.emit({ type: 'step-skipped', id, why: 'interrupted' });
    results.set(id, { id, action: planned.action, outcome: o.status, ...(o.status === 'failed' ? { error: (o.error as Error).message } : {}) });
  }
  return firstError;
}

/**
 * Plan, gate, then execute the DAG. Each step re-reads its resource right before it acts (its apply is an
 * idempotent ensure), writes intent before every create and the ARN right after, so a failure or kill at any
 * moment is resumed by the next apply without paying twice.
 */
export async function applyPipeline(opts: ApplyOptions): Promise<ApplyOutcome> {
  const started = Date.now();
  let session;
  try {
    session = await openSession({ ...opts, lockFor: 'apply' });
  } catch (error) {
    return { ok: false, error };
  }
  try {
    const { ctx } = session;
    let plan: Plan;
    try {
      plan = await planIn(session, new Date());
      opts.emit({ type: 'plan', plan });
      await gate(plan, opts);
    } catch (error) {
      return { ok: false, error };
    }
    const steps = session.steps;
    ctx.estimate = plan.cost;
    ctx.runCost = runCostOf(ctx, plan, steps);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    const results = new Map<string, StepResult>();
    const signal = ctx.signal;
    const outcomes = await runDag(
      steps.map((s) => ({ id: s.id, deps: s.deps })),
      (id) =>
        applyStep(
          ctx,
          steps.find((s) => s.id === id)!,
          byId.get(id)!,
          results,
          opts,
        ),
      { signal },
    );
    const firstError = settle(outcomes, byId, results, opts);
    const lost = session.lockLost();
    // A command that lost its lock writes nothing more: the new holder owns the state now.
    if (!lost) {
      await ctx.state.update((s) => {
        s.specHash = opts.spec.fileHash;
      });
      for (const step of steps) {
        const dir = results.get(step.id)?.outcome === 'done' ? step.reportDir?.(ctx.state.step(step.id)!) : undefined;
        if (dir) await keepReport(session, dir, opts.emit);
      }
    }
    const summary: ApplySummary = {
      pipeline: opts.spec.name,
      target: session.aws.label,
      ok: [...outcomes.values()].every((o) => o.status === 'done'),
      changes: plan.changes,
      steps: steps.map((s) => results.get(s.id)!),
      cost: plan.cost,
      calls: session.aws.calls.snapshot(),
      totalCalls: session.aws.calls.total(),
      createCalls: session.aws.calls.creates(),
      bytesUploaded: session.aws.calls.bytesUploaded,
      durationMs: Date.now() - started,
      report: summaryLines(steps, ctx.state.current.steps),
    };
    if (lost) return { ok: false, summary, error: lost };
    if (signal.aborted) {
      return {
        ok: false,
        summary,
        error: new SegflowError('RUN_CANCELLED', 'apply interrupted: the state is consistent; run apply again to resume (jobs in flight are re-attached)'),
      };
    }
    if (firstError) return { ok: false, summary, error: firstError };
    return { ok: true, summary };
  } finally {
    await session.close();
  }
}

/**
 * A failed step's error as the user sees it: segflow's own errors as they are, an AWS failure a step did not word
 * itself named with the step (AWS_*), and anything else as what it is, a bug, which the CLI asks to report (never
 * dressed up as an expected failure).
 */
function stepFailure(id: string, e: unknown): unknown {
  if (e instanceof SegflowError) return e;
  if (isAwsError(e)) return awsFailure(id, 'a call to AWS', e);
  return e;
}
