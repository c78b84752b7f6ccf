import type { ModelChoice } from './api.js';

/**
 * The validation contest as extra GetSolutionMetrics keys of the local target (an emulator extension: Personalize
 * has no such keys), so the choice reaches the report through the same path as the solution metrics:
 *
 *   segflow.model.<chosen>                          1
 *   segflow.validation.queries / .k / .start        the validation split (start: epoch seconds)
 *   segflow.validation.<name>.recall_at_1_percent   every candidate's validation figures
 *   segflow.validation.<name>.hits_at_1_percent
 *
 * src/eval/model-choice.ts reads them back (eval may not import the model, so the key format is the contract).
 */
export const CHOICE_PREFIX = 'segflow.';

export function choiceMetrics(choice: ModelChoice): Record<string, number> {
  const out: Record<string, number> = { [`segflow.model.${choice.chosen}`]: 1 };
  if (choice.candidates.length === 0) return out;
  out['segflow.validation.queries'] = choice.validation.queries;
  out['segflow.validation.k'] = choice.validation.k;
  out['segflow.validation.start'] = choice.validation.start;
  for (const c of choice.candidates) {
    out[`segflow.validation.${c.name}.recall_at_1_percent`] = c.recall;
    out[`segflow.validation.${c.name}.hits_at_1_percent`] = c.hits;
  }
  return out;
}
