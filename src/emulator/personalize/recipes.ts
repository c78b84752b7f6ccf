import { ApiError } from '../api-error.js';
import type { SegmentationRecipe } from '../../model/api.js';
import type { PzOperations } from './handler.js';
import { paginate } from './pagination.js';
import { render } from './resources.js';
import type { PzRecord } from '../store/state.js';

/**
 * The USER_SEGMENTATION recipes, the only ones the emulator can train. Recipe ARNs have no region or account.
 * Dates are fixed (the recipes' public launch, 2022-01-01 here, as the real dates are not documented).
 */
const LAUNCH = Date.UTC(2022, 0, 1);

export const RECIPES: Record<string, PzRecord & { name: SegmentationRecipe }> = {
  'arn:aws:personalize:::recipe/aws-item-affinity': recipe(
    1,
    'aws-item-affinity',
    'item-affinity',
    'Predicts the users most likely to interact with each item in the input (item-affinity user segments).',
  ),
  'arn:aws:personalize:::recipe/aws-item-attribute-affinity': recipe(
    2,
    'aws-item-attribute-affinity',
    'item-attribute-affinity',
    'Predicts the users most likely to interact with items that have the given attribute values (item-attribute-affinity user segments).',
  ),
};

function recipe(seq: number, name: SegmentationRecipe, transformation: string, description: string): PzRecord & { name: SegmentationRecipe } {
  return {
    _kind: 'solution',
    _region: '',
    _createdSeq: seq,
    name,
    recipeArn: `arn:aws:personalize:::recipe/${name}`,
    algorithmArn: `arn:aws:personalize:::algorithm/${name}`,
    featureTransformationArn: `arn:aws:personalize:::feature-transformation/${transformation}`,
    status: 'ACTIVE',
    description,
    creationDateTime: LAUNCH,
    recipeType: 'USER_SEGMENTATION',
    lastUpdatedDateTime: LAUNCH,
  };
}

export function recipeByArn(arn: string): (PzRecord & { name: SegmentationRecipe }) | undefined {
  return Object.prototype.hasOwnProperty.call(RECIPES, arn) ? RECIPES[arn] : undefined;
}

export const recipeOps: PzOperations = {
  async DescribeRecipe(_emu, input) {
    const arn = input.requiredStr('recipeArn', { max: 256 });
    const r = recipeByArn(arn);
    if (!r) throw new ApiError('ResourceNotFoundException', `Could not find resource of type recipe with arn = ${arn}`);
    return { recipe: render(r) };
  },

  async ListRecipes(emu, input) {
    input.str('recipeProvider', { enum: ['SERVICE'] });
    const domain = input.str('domain', { enum: ['ECOMMERCE', 'VIDEO_ON_DEMAND'] });
    // Domain recipes (recommenders) are not emulated; the segmentation recipes belong to no domain.
    const items = domain ? [] : Object.values(RECIPES);
    const { page, nextToken } = paginate(emu, 'ListRecipes', input, items);
    return { recipes: page.map((r) => render(r, ['name', 'recipeArn', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'domain'])), nextToken };
  },
};
