import type { Recipe, Segmentation, Spec, Training } from '../spec/types.js';
import { shortHash } from '../util/hash.js';

/**
 * How segmentations map to steps. A model is one distinct (recipe, training): one solution, one training, one
 * metrics read, shared by every segmentation that uses it. A segmentation has its filter, its batch segment jobs
 * (one per chunk of at most 500 item or 10 attribute queries), its download and its report.
 *
 * The primary segmentation (named after the pipeline) and its model keep the step ids and resource names a
 * pipeline had before segmentations existed ('solution', 'training', 'segments', ...), so that upgrading segflow
 * changes nothing in an existing pipeline. Every other one is suffixed with its own name (segmentation steps:
 * 'segments:categories') or its model's key (model steps: 'solution:attr'), never with a position, so adding or
 * reordering segmentations leaves the others alone.
 */
export interface Model {
  /** '' for the primary segmentation's model; else 'item' or 'attr', with a hash of a non-default training. */
  key: string;
  recipe: Recipe;
  training: Training;
}

export interface ModelSteps {
  solution: string;
  training: string;
  metrics: string;
}

export interface SegmentationSteps {
  filter?: string;
  /** Chunk ids in job order: segments[0] is 'segments<suffix>', then 'segments<suffix>/2', ... (tag-safe characters) */
  segments: string[];
  download: string;
  evaluate: string;
}

const RECIPE_KEYS: Record<Recipe, string> = { 'aws-item-affinity': 'item', 'aws-item-attribute-affinity': 'attr' };

const sameModel = (a: { recipe: Recipe; training: Training }, b: { recipe: Recipe; training: Training }) =>
  a.recipe === b.recipe && JSON.stringify(a.training) === JSON.stringify(b.training);

/** The model a segmentation trains with. */
export function modelOf(spec: Spec, seg: Segmentation): Model {
  const primary = spec.segmentations.find((s) => s.primary);
  if (primary && sameModel(primary, seg)) return { key: '', recipe: seg.recipe, training: seg.training };
  const trained = Object.keys(seg.training).length > 0 ? `-${shortHash(seg.training, 6)}` : '';
  return { key: `${RECIPE_KEYS[seg.recipe]}${trained}`, recipe: seg.recipe, training: seg.training };
}

/** Every distinct model, in the order segmentations first use them. */
export function modelsOf(spec: Spec): Model[] {
  const out: Model[] = [];
  for (const seg of spec.segmentations) {
    const m = modelOf(spec, seg);
    if (!out.some((o) => o.key === m.key)) out.push(m);
  }
  return out;
}

const suffixed = (base: string, key: string) => (key === '' ? base : `${base}:${key}`);

export function modelSteps(model: Pick<Model, 'key'>): ModelSteps {
  return { solution: suffixed('solution', model.key), training: suffixed('training', model.key), metrics: suffixed('metrics', model.key) };
}

/** The step ids of a segmentation with `chunks` batch segment jobs. */
export function segmentationSteps(seg: Segmentation, chunks = 1): SegmentationSteps {
  const key = seg.primary ? '' : seg.name;
  const first = suffixed('segments', key);
  return {
    ...(seg.segments.filter ? { filter: suffixed('filter', key) } : {}),
    segments: Array.from({ length: Math.max(1, chunks) }, (_, i) => (i === 0 ? first : `${first}/${i + 1}`)),
    download: suffixed('download', key),
    evaluate: suffixed('evaluate', key),
  };
}

/** The resource-name role of a model's solution: 'solution' (as before segmentations) or 'sol-<key>'. */
export function solutionRole(model: Pick<Model, 'key'>): string {
  return model.key === '' ? 'solution' : `sol-${model.key}`;
}

/**
 * Every solution name segflow may give this pipeline (its models now or earlier: a removed segmentation's solution
 * is still the pipeline's to destroy): <name>-solution, <name>-sol-item, <name>-sol-attr, the last two with a
 * 6-character hash of a non-default training. As IAM resource patterns, `?` for each hash character.
 */
export function solutionNamePatterns(spec: Pick<Spec, 'name'>): string[] {
  return ['solution', 'sol-item', 'sol-attr', 'sol-item-??????', 'sol-attr-??????'].map((r) => `${spec.name}-${r}`);
}

export function isSolutionNameOf(spec: Pick<Spec, 'name'>, name: string): boolean {
  const rest = name.startsWith(`${spec.name}-`) ? name.slice(spec.name.length + 1) : '';
  return /^(solution|sol-(item|attr)(-[0-9a-f]{6})?)$/.test(rest);
}

/** Label for messages: "" for a single-segmentation pipeline, " (categories)" otherwise. */
export function segmentationLabel(spec: Spec, seg: Segmentation): string {
  return spec.segmentations.length > 1 ? ` (${seg.name})` : '';
}
