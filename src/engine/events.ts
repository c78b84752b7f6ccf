import type { Plan, PlannedStep } from '../plan/types.js';

/** The engine only emits these; src/ui/ decides how they look (listr2, plain lines, JSON). */
export type EngineEvent =
  | { type: 'info'; message: string }
  | { type: 'plan'; plan: Plan }
  | { type: 'step-start'; step: PlannedStep }
  | { type: 'step-progress'; id: string; message: string; fraction?: number }
  | { type: 'step-done'; id: string; note?: string; adopted?: boolean; durationMs: number }
  | { type: 'step-failed'; id: string; error: string }
  | { type: 'step-skipped'; id: string; why: string };

export type Emit = (e: EngineEvent) => void;
