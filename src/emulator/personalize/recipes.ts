import { ApiError } from '../api-error.js';
import type { SegmentationRecipe } from '../../model/api.js';
import type { PzOperations } from './handler.js';
import { paginate } from './pagination.js';
import { render } from './resources.js';
import { ARN } from './validate.js';
import type { PzRecord } from '../store/state.js';

/**
 * The USER_SEGMENTATION recipes, the only ones the emulator can train. Recipe ARNs have no region or account, only
 * the partition: arn:<partition>:personalize:::recipe/<name>. Dates are fixed (the recipes' public launch,
 * 2022-01-01 here, as the real dates are not documented).
 */
const LAUNCH = Date.UTC(2022, 0, 1);

const RECIPES: ReadonlyArray<[seq: number, name: SegmentationRecipe, transformation: string, description: string]> = [
  [1, 'aws-item-affinity', 'item-affinity', 'Predicts the users most likely to interact with each item in the input (item-affinity user segments).'],
  [
    2,
    'aws-item-attribute-affinity',
    'item-attribute-affinity',
    'Predicts the users most likely to interact with items that have the given attribute values (item-attribute-affinity user segments).',
  ],
];

function recipe(partition: string, [seq, name, transformation, description]: (typeof RECIPES)[number]): PzRecord & { name: SegmentationRecipe } {
  return {
    _kind: 'solution',
    _region: '',
    _createdSeq: seq,
    name,
    recipeArn: `arn:${partition}:personalize:::recipe/${name}`,
    algorithmArn: `arn:${partition}:personalize:::algorithm/${name}`,
    featureTransformationArn: `arn:${partition}:personalize:::feature-transformation/${transformation}`,
    status: 'ACTIVE',
    description,
    creationDateTime: LAUNCH,
    recipeType: 'USER_SEGMENTATION',
    lastUpdatedDateTime: LAUNCH,
  };
}

/** The recipes of a partition. */
export function recipesOf(partition: string): Array<PzRecord & { name: SegmentationRecipe }> {
  return RECIPES.map((r) => recipe(partition, r));
}

/** A recipe by its ARN, in the ARN's own partition (requests check that partition against their region's). */
export function recipeByArn(arn: string): (PzRecord & { name: SegmentationRecipe }) | undefined {
  const m = /^arn:([a-z\d-]+):personalize:::recipe\/(.+)$/.exec(arn);
  const entry = m && RECIPES.find(([, name]) => name === m[2]);
  return entry ? recipe(m[1]!, entry) : undefined;
}

export const recipeOps: PzOperations = {
  async DescribeRecipe(_emu, input) {
    const arn = input.requiredStr('recipeArn', ARN);
    const r = recipeByArn(arn);
    if (!r) throw new ApiError('ResourceNotFoundException', `Could not find resource of type recipe with arn = ${arn}`);
    return { recipe: render(r) };
  },

  async ListRecipes(emu, input, info) {
    input.str('recipeProvider', { enum: ['SERVICE'] });
    const domain = input.str('domain', { enum: ['ECOMMERCE', 'VIDEO_ON_DEMAND'] });
    // Domain recipes (recommenders) are not emulated; the segmentation recipes belong to no domain.
    const items = domain ? [] : recipesOf(info.partition);
    const { page, nextToken } = paginate(emu, 'ListRecipes', input, items);
    return { recipes: page.map((r) => render(r, ['name', 'recipeArn', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'domain'])), nextToken };
  },
};
