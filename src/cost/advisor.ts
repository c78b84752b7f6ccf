import type { CostBasis } from '../data/artifacts.js';
import type { Recipe } from '../spec/types.js';
import { estimateCost, round, type CostEstimate, type CostItem, type CostQuantities } from './formulas.js';
import type { ResolvedPrices } from './prices.js';
import { estimateTrainingHours } from './training-hours.js';
import { evaluationImpact, type EvaluationBasis } from './evaluation-impact.js';

/**
 * The cost advisor: when a plan is over budget, or one line is most of it, say what drives the cost and which
 * single changes to the spec make the run cheaper, each priced with the same formulas on the real prepared data
 * (the users-per-interaction-count histogram and the window counts that prepare keeps; see CostBasis).
 */
export interface CostSuggestion {
  /** The spec key to change. */
  key: string;
  from: string;
  to: string;
  /** Users scored per query and queries after the change. */
  users: number;
  queries: number;
  /** High-end estimate of the whole run after the change, and what it saves against the current one. */
  totalUsd: number;
  savesUsd: number;
  underBudget: boolean;
  /** False when the counts are upper bounds (an item minimum may drop a few more users). */
  exact: boolean;
  note: string;
  /** In an experiment: what the change does to the evaluation (K, cold queries, test users). */
  evaluation?: string;
  /** Set when the change would make the evaluation meaningless (K = 1, a handful of queries, most cold): why. */
  spoilsEvaluation?: string;
}

export interface CostAdvice {
  why: 'over budget' | 'dominated';
  driver: { item: CostItem; usd: number; share: number; explanation: string };
  suggestions: CostSuggestion[];
  /** Set when no single change brings the run under budget. */
  remark?: string;
}

export interface AdvisorInput {
  estimate: CostEstimate;
  quantities: CostQuantities;
  budgetUsd: number;
  prices: ResolvedPrices;
  /** The recipe of every model the run trains (a data change trains them all again). */
  recipes: Recipe[];
  /** The prepared data as it is now. production: no split (training windows end at the newest interaction). */
  data: {
    trainUsers: number;
    trainRows: number;
    trainItems: number;
    interactionsBytes: number;
    itemsBytes: number;
    trainStart?: string;
    production?: boolean;
    lastDays?: number;
  };
  /** The segmentation whose number of queries is a setting (a sample, a top-N, a list of expressions), if any. */
  queries?: QueryKnob;
  /** Item-query segmentations that could ask for attribute values instead (one query per value, not per item). */
  alternatives?: AttributeAlternative[];
  basis?: CostBasis;
  /** An experiment's evaluation as prepared now: each suggestion says what it does to it. */
  evaluation?: EvaluationBasis;
}

export interface QueryKnob {
  /** The spec key, e.g. queries.items.sample or segmentations[1].queries.attributes.top. */
  key: string;
  /** Its queries now, and what one unit is called. */
  value: number;
  unit: 'items' | 'expressions' | 'values';
}

export interface AttributeAlternative {
  /** The spec key of the segmentation's recipe, e.g. recipe or segmentations[0].recipe. */
  key: string;
  itemQueries: number;
  attribute: string;
  values: number;
  /** No aws-item-attribute-affinity model is trained yet: the change adds one training. */
  addsTraining: boolean;
}

/** A line that is at least this share of the estimate "dominates" it. */
const DOMINANT_SHARE = 0.8;
/** Below this, advice is noise. */
const ADVICE_FLOOR_USD = 1;
/** Personalize needs at least 1,000 interactions to train (quotas page); a change that goes below is no advice. */
const MIN_TRAIN_ROWS = 1000;
const MIN_USERS = 25;

export function adviseCost(input: AdvisorInput): CostAdvice | undefined {
  const { estimate, budgetUsd } = input;
  const over = estimate.totalUsd > budgetUsd;
  const top = [...estimate.lines].sort((a, b) => b.usd - a.usd)[0];
  if (!top || estimate.totalUsd <= 0) return undefined;
  const share = top.usd / estimate.totalUsd;
  if (!over && (share < DOMINANT_SHARE || estimate.totalUsd < ADVICE_FLOOR_USD)) return undefined;
  const goal = (usd: number, users: number, current: number) => (over ? usd <= budgetUsd : users <= current / 2 || usd <= estimate.totalUsd / 2);
  const evaluation = input.evaluation;
  const withImpact = (s: CostSuggestion): CostSuggestion => {
    if (!evaluation) return s;
    const impact = evaluationImpact(s.key, s, evaluation);
    return { ...s, evaluation: impact.text, ...(impact.spoils ? { spoilsEvaluation: impact.spoils } : {}) };
  };
  // Options that keep the evaluation meaningful come first, whatever they save.
  const suggestions = [...fewerQueries(input, over), ...attributeQueriesInstead(input), ...higherUserMinimum(input, goal), ...shorterWindow(input, goal)]
    .map(withImpact)
    .sort(
      (a, b) =>
        Number(a.spoilsEvaluation !== undefined) - Number(b.spoilsEvaluation !== undefined) ||
        Number(b.underBudget) - Number(a.underBudget) ||
        a.totalUsd - b.totalUsd,
    );
  return {
    why: over ? 'over budget' : 'dominated',
    driver: { item: top.item, usd: top.usd, share: round(share, 3), explanation: explain(top.item, input) },
    suggestions,
    ...(over && !suggestions.some((s) => s.underBudget)
      ? { remark: 'no single change brings the run under budget: combine them, or raise budget.maxUsd' }
      : {}),
  };
}

function explain(item: CostItem, input: AdvisorInput): string {
  const s = input.quantities.segments;
  if (item === 'batch segments' && s) {
    return `every one of the ${s.users.toLocaleString('en-US')} users in the dataset is scored for each of the ${s.queries} queries, whatever numResults is`;
  }
  if (item === 'training') return 'billed training hours grow with the number of interactions, users and items';
  return 'data ingestion is billed per GB imported';
}

function suggestion(input: AdvisorInput, key: string, from: string, to: string, q: CostQuantities, exact: boolean, note: string): CostSuggestion {
  const e = estimateCost(q, input.prices);
  return {
    key,
    from,
    to,
    users: q.segments?.users ?? 0,
    queries: q.segments?.queries ?? 0,
    totalUsd: e.totalUsd,
    savesUsd: round(input.estimate.totalUsd - e.totalUsd, 2),
    underBudget: e.totalUsd <= input.budgetUsd,
    exact,
    note,
  };
}

/** Fewer queries of the adjustable segmentation: the segment line falls in proportion; nothing else re-runs. */
function fewerQueries(input: AdvisorInput, over: boolean): CostSuggestion[] {
  const seg = input.quantities.segments;
  const knob = input.queries;
  if (!seg || !knob || knob.value <= 1) return [];
  const line = input.estimate.lines.find((l) => l.item === 'batch segments')?.usd ?? 0;
  const perQuery = line / seg.queries;
  const others = input.estimate.totalUsd - line;
  const rest = seg.queries - knob.value;
  const fits = perQuery > 0 ? Math.floor((input.budgetUsd - others) / perQuery + 1e-9) - rest : knob.value;
  const to = over ? Math.min(fits, knob.value - 1) : Math.max(1, Math.floor(knob.value / 2));
  if (to < 1) return [];
  const show = (n: number) => (knob.unit === 'items' ? String(n) : `${n} ${knob.unit}`);
  return [
    suggestion(
      input,
      knob.key,
      show(knob.value),
      show(to),
      { ...input.quantities, segments: { ...seg, queries: rest + to } },
      true,
      "only the batch segment jobs re-run; fewer queries widen the evaluation's confidence intervals",
    ),
  ];
}

/**
 * aws-item-attribute-affinity instead of aws-item-affinity for a segmentation with many item queries: one query per
 * value of a categorical item attribute the items have, instead of one per item (segments per category, not per
 * product), at the price of a training of that recipe when none is trained yet.
 */
function attributeQueriesInstead(input: AdvisorInput): CostSuggestion[] {
  const seg = input.quantities.segments;
  if (!seg) return [];
  const out: CostSuggestion[] = [];
  for (const a of input.alternatives ?? []) {
    if (a.values >= a.itemQueries) continue;
    const extra = a.addsTraining
      ? estimateTrainingHours({ interactions: input.data.trainRows, users: input.data.trainUsers, items: input.data.trainItems }, 'aws-item-attribute-affinity')
      : undefined;
    const hours = input.quantities.trainingHours;
    const trainingHours = extra ? { low: round((hours?.low ?? 0) + extra.low, 2), high: round((hours?.high ?? 0) + extra.high, 2) } : hours;
    const q: CostQuantities = {
      ...input.quantities,
      ...(trainingHours ? { trainingHours } : {}),
      segments: { ...seg, queries: seg.queries - a.itemQueries + a.values },
    };
    out.push(
      suggestion(
        input,
        a.key,
        `aws-item-affinity (${a.itemQueries.toLocaleString('en-US')} items)`,
        `aws-item-attribute-affinity (${a.values} ${a.attribute} values)`,
        q,
        true,
        `queries: { attributes: { top: ${a.values}, attribute: ${a.attribute} } }: one segment per ${a.attribute} value instead of one per item${a.addsTraining ? '; adds one training' : ''}`,
      ),
    );
  }
  return out;
}

/** The run after a data change: the import, the training and the segment job all run on the smaller data. */
function afterDataChange(input: AdvisorInput, users: number, rows: number): CostQuantities {
  const { data } = input;
  const scale = data.trainRows > 0 ? rows / data.trainRows : 1;
  return {
    ingestBytes: Math.round(data.interactionsBytes * scale) + data.itemsBytes,
    trainingHours: input.recipes
      .map((r) => estimateTrainingHours({ interactions: rows, users, items: data.trainItems }, r))
      .reduce((a, h) => ({ low: round(a.low + h.low, 2), high: round(a.high + h.high, 2) }), { low: 0, high: 0 }),
    ...(input.quantities.segments ? { segments: { users, queries: input.quantities.segments.queries } } : {}),
  };
}

function viable(users: number, rows: number): boolean {
  return users >= MIN_USERS && rows >= MIN_TRAIN_ROWS;
}

type Goal = (usd: number, users: number, currentUsers: number) => boolean;

/** A higher minInteractionsPerUser: the smallest threshold that reaches the goal, from the histogram. */
function higherUserMinimum(input: AdvisorInput, goal: Goal): CostSuggestion[] {
  const basis = input.basis;
  if (!basis) return [];
  const counts = basis.usersByInteractionCount;
  const current = basis.minInteractionsPerUser;
  const maxCount = counts.length ? counts[counts.length - 1]!.count : 0;
  let best: CostSuggestion | undefined;
  for (let t = current + 1; t <= maxCount; t++) {
    const kept = counts.filter((h) => h.count >= t);
    const users = kept.reduce((s, h) => s + h.users, 0);
    const rows = kept.reduce((s, h) => s + h.trainRows, 0);
    if (!viable(users, rows)) break;
    const s = suggestion(
      input,
      'data.interactions.minInteractionsPerUser',
      String(current),
      String(t),
      afterDataChange(input, users, rows),
      basis.exact,
      `keeps ${users.toLocaleString('en-US')} of ${input.data.trainUsers.toLocaleString('en-US')} users; import, training and segments re-run`,
    );
    best = s;
    if (goal(s.totalUsd, users, input.data.trainUsers)) return [s];
  }
  return best && best.savesUsd > 0 && !best.underBudget ? [best] : [];
}

/**
 * A shorter training window: split.trainStart in an experiment, data.interactions.lastDays in a production run (a
 * window that moves with each refresh); the longest candidate window that reaches the goal.
 */
function shorterWindow(input: AdvisorInput, goal: Goal): CostSuggestion[] {
  const basis = input.basis;
  if (!basis) return [];
  const production = input.data.production === true;
  const byDays = production || input.data.lastDays !== undefined;
  let last: CostSuggestion | undefined;
  for (const w of basis.windows) {
    if (!viable(w.trainUsers, w.trainRows)) continue;
    const users = w.trainUsers.toLocaleString('en-US');
    const s = suggestion(
      input,
      byDays ? 'data.interactions.lastDays' : 'split.trainStart',
      byDays ? (input.data.lastDays !== undefined ? String(input.data.lastDays) : '(all history)') : (input.data.trainStart ?? '(all history)'),
      byDays ? String(w.days) : w.start.replace('.000Z', 'Z'),
      afterDataChange(input, w.trainUsers, w.trainRows),
      basis.exact,
      production
        ? `the latest ${w.days} days of interactions: ${users} users; import, training and segments re-run`
        : `the last ${w.days} days before testStart: ${users} users; import, training and segments re-run`,
    );
    last = s;
    if (goal(s.totalUsd, w.trainUsers, input.data.trainUsers)) return [s];
  }
  return last && last.savesUsd > 0 && !last.underBudget ? [last] : [];
}
