import { suggestion } from '../../spec/did-you-mean.js';
import type { Segmentation, Spec } from '../../spec/types.js';
import { inputError } from '../../util/errors.js';

/** --segmentation NAME, or the pipeline's only one. */
export function chooseSegmentation(spec: Spec, name: string | undefined): Segmentation {
  const names = spec.segmentations.map((s) => s.name);
  if (name === undefined) {
    if (spec.segmentations.length === 1) return spec.segmentations[0]!;
    throw inputError('CLI_USAGE', `${spec.name} has ${names.length} segmentations: name one with --segmentation (${names.join(', ')})`);
  }
  const found = spec.segmentations.find((s) => s.name === name);
  if (!found)
    throw inputError('CLI_USAGE', `--segmentation: ${spec.name} has no segmentation '${name}'${suggestion(name, names)} (it has ${names.join(', ')})`);
  return found;
}
