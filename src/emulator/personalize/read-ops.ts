import type { PzOperations } from './handler.js';
import { paginate } from './pagination.js';
import type { PzKind } from '../store/state.js';
import { mustFind, ofKind, render } from './resources.js';
import { ARN } from './validate.js';

/**
 * Describe<Name> and List<Name>s of one resource kind, as the botocore model shapes them: Describe takes the ARN
 * member and answers { <key>: the record }; List pages through the caller's records (optionally under a parent
 * ARN, which must exist when the model's list fails for a missing parent) and answers { <listKey>: summaries,
 * nextToken } with the model's summary fields.
 */
export interface ReadTable {
  kind: PzKind;
  /** The operations' noun: DatasetGroup -> DescribeDatasetGroup, ListDatasetGroups. */
  name: string;
  /** Describe's ARN member and result key (datasetGroupArn, datasetGroup). */
  arnMember: string;
  key: string;
  /** List's result key (datasetGroups; Filters is capitalised in the model). */
  listKey: string;
  /** The summary's fields, as the model's <Name>Summary shape lists them. */
  summary: readonly string[];
  /** List's optional parent filter: the member, the record field it matches, and the parent's kind when it must exist. */
  parent?: { member: string; field: string; mustExist?: PzKind };
}

export function readOps(t: ReadTable): PzOperations {
  return {
    async [`Describe${t.name}`](emu, input, info) {
      const arn = input.requiredStr(t.arnMember, ARN);
      return { [t.key]: render(mustFind(emu, info, arn, t.kind)) };
    },
    async [`List${t.name}s`](emu, input, info) {
      const parent = t.parent ? input.str(t.parent.member, ARN) : undefined;
      if (parent && t.parent?.mustExist) mustFind(emu, info, parent, t.parent.mustExist);
      const items = ofKind(emu, info, t.kind, (r) => !parent || r[t.parent!.field] === parent);
      const { page, nextToken } = paginate(emu, `List${t.name}s`, input, items);
      return { [t.listKey]: page.map((r) => render(r, t.summary)), nextToken };
    },
  };
}
