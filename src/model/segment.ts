import { itemMatches, parseAttributeExpression } from '../spec/attribute-expression.js';
import type { SegmentQuery, SegmentResult } from './api.js';
import type { StoredModel } from './model-store.js';
import { Ranker } from './candidates.js';

/**
 * Answers batch segment queries against a loaded model. Every query gets its own result: a bad line
 * (unknown item, malformed expression, unknown attribute, nothing matches, wrong kind for the recipe)
 * becomes that line's error and the others are still served.
 */
export class Segmenter {
  private readonly ranker: Ranker;
  private readonly itemIndex = new Map<string, number>();
  private readonly columnIndex = new Map<string, number>();

  constructor(private readonly model: StoredModel) {
    this.ranker = new Ranker(model.matrix, model.meta.model);
    model.itemIds.forEach((id, k) => this.itemIndex.set(id, k));
    model.attributes?.columns.forEach((c, k) => this.columnIndex.set(c.toUpperCase(), k));
  }

  segment(query: SegmentQuery, numResults: number): SegmentResult {
    const items = this.resolve(query);
    if ('error' in items) return items;
    const top = this.ranker.rank(items.items, numResults, 'itemId' in query ? 'item' : 'attribute');
    return { users: Array.from(top, (u) => this.model.userIds[u]!) };
  }

  private resolve(query: SegmentQuery): { items: Int32Array } | { error: string } {
    const recipe = this.model.meta.recipe;
    if ('itemId' in query && typeof query.itemId === 'string') {
      if (recipe !== 'aws-item-affinity') return { error: `${recipe} takes itemAttributes queries, not itemId` };
      const i = this.itemIndex.get(query.itemId);
      if (i === undefined) return { error: `item ${JSON.stringify(query.itemId)} is not in the training data` };
      return { items: Int32Array.of(i) };
    }
    if ('itemAttributes' in query && typeof query.itemAttributes === 'string') {
      if (recipe !== 'aws-item-attribute-affinity') return { error: `${recipe} takes itemId queries, not itemAttributes` };
      const parsed = parseAttributeExpression(query.itemAttributes);
      if (!parsed.ok) return { error: `malformed itemAttributes: ${parsed.error}` };
      const attrs = this.model.attributes!;
      const cols: number[] = [];
      for (const c of parsed.query.conditions) {
        const k = this.columnIndex.get(c.attribute.toUpperCase());
        if (k === undefined) {
          return { error: `unknown attribute ITEMS.${c.attribute} (items have ${attrs.columns.join(', ') || 'no attributes'})` };
        }
        cols.push(k);
      }
      const lookup = new Map(parsed.query.conditions.map((c, n) => [c.attribute, cols[n]!]));
      const matched: number[] = [];
      for (let i = 0; i < this.model.itemIds.length; i++) {
        if (itemMatches(parsed.query.conditions, (a) => attrs.values[lookup.get(a)!]![i])) matched.push(i);
      }
      if (matched.length === 0) return { error: `no item with interactions matches ${query.itemAttributes}` };
      return { items: Int32Array.from(matched) };
    }
    return { error: 'each line needs "itemId" (a string) or "itemAttributes" (a string)' };
  }
}
