import { ApiError } from '../api-error.js';
import type { PzOperations } from './handler.js';
import { requireOwnAccount, resources, tagsOf } from './resources.js';
import type { RequestInfo } from '../context.js';
import { ARN, readTagKeys, readTags } from './validate.js';

const MAX_TAGS = 50;

function taggable(emu: Parameters<PzOperations[string]>[0], info: RequestInfo, arn: string): void {
  requireOwnAccount(info, arn);
  const r = resources(emu)[arn];
  if (!r) throw new ApiError('ResourceNotFoundException', `Could not find resource with arn = ${arn}`);
  if (r._kind === 'schema') throw new ApiError('InvalidInputException', `Schemas cannot be tagged: ${arn}`);
}

export const tagOps: PzOperations = {
  async TagResource(emu, input, info) {
    const arn = input.requiredStr('resourceArn', ARN);
    const tags = readTags(input);
    if (input.raw('tags') === undefined)
      throw new ApiError('InvalidInputException', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    taggable(emu, info, arn);
    const merged = { ...(tagsOf(emu)[arn] ?? {}), ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw new ApiError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags.`);
    tagsOf(emu)[arn] = merged;
    await emu.store.commit();
    return {};
  },

  async UntagResource(emu, input, info) {
    const arn = input.requiredStr('resourceArn', ARN);
    const keys = readTagKeys(input);
    if (keys.length > MAX_TAGS) throw new ApiError('TooManyTagKeysException', `At most ${MAX_TAGS} tag keys can be removed at once.`);
    taggable(emu, info, arn);
    const current = tagsOf(emu)[arn] ?? {};
    for (const k of keys) delete current[k];
    if (Object.keys(current).length === 0) delete tagsOf(emu)[arn];
    else tagsOf(emu)[arn] = current;
    await emu.store.commit();
    return {};
  },

  async ListTagsForResource(emu, input, info) {
    const arn = input.requiredStr('resourceArn', ARN);
    taggable(emu, info, arn);
    return { tags: Object.entries(tagsOf(emu)[arn] ?? {}).map(([tagKey, tagValue]) => ({ tagKey, tagValue })) };
  },
};
