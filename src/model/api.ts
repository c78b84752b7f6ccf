/**
 * The local segmentation model's contract with the emulator (which trains and segments for
 * CreateSolutionVersion / CreateBatchSegmentJob) and with evaluation. Implemented in src/model/index.ts.
 */
export type SegmentationRecipe = 'aws-item-affinity' | 'aws-item-attribute-affinity';

export interface TrainInput {
  recipe: SegmentationRecipe;
  /** Path of the Personalize-format interactions CSV as imported (header USER_ID,ITEM_ID,TIMESTAMP plus optional columns). */
  interactionsCsv: string;
  /** Path of the items CSV (ITEM_ID plus categorical columns, values '|' separated); required for attribute affinity. */
  itemsCsv?: string;
  /** hidden_dimension, 32..256, default 149. */
  hiddenDimension?: number;
  /**
   * Choose the served model on a validation split (default true). false serves the item-kNN model without a
   * contest: what training did before the choice existed, kept for side-by-side benchmarks.
   */
  selectModel?: boolean;
  /** Directory the trained model is written to (created; written atomically so a crash leaves no half model). */
  modelDir: string;
  /** Progress in [0, 1], called from time to time. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Personalize's USER_SEGMENTATION solution metrics (GetSolutionMetrics keys). */
export interface SolutionMetrics {
  coverage: number;
  hits_at_1_percent: number;
  recall_at_1_percent: number;
}

/** The validation contest training ran (selection.ts), as the model and the report show it. */
export interface ModelChoice {
  chosen: string;
  description: string;
  note?: string;
  validation: { start: number; trainRows: number; validationRows: number; warmUsers: number; queries: number; k: number };
  candidates: Array<{ name: string; hits: number; recall: number }>;
  skipped: Array<{ name: string; reason: string }>;
}

export interface TrainResult {
  metrics: SolutionMetrics;
  choice: ModelChoice;
  users: number;
  items: number;
  interactions: number;
  trainingSeconds: number;
}

export type SegmentQuery = { itemId: string } | { itemAttributes: string };

/** Per query: users in descending score (ties broken deterministically), or that line's error. */
export type SegmentResult = { users: string[] } | { error: string };
