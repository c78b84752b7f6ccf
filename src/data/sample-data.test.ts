import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { generateSampleData } from './sample-data.js';
import { withTempDir } from '../../test/support/data-fixtures.js';

interface Review {
  reviewerID: string;
  asin: string;
  unixReviewTime: number;
  overall: number;
  reviewText: string;
}

describe('sample-data', () => {
  it('writes Amazon-review-shaped JSON lines: heavy-tailed users, duplicates, clustered categories, deterministic', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'reviews.json.gz');
      const r = await generateSampleData({ out, reviews: 20000, seed: 5, itemsOut: join(dir, 'items.jsonl') });
      assert.equal(r.reviews, 20000);
      const lines = gunzipSync(await readFile(out))
        .toString('utf8')
        .trim()
        .split('\n');
      assert.equal(lines.length, 20000);
      const reviews = lines.map((l) => JSON.parse(l) as Review);
      for (const k of ['reviewerID', 'asin', 'unixReviewTime', 'overall', 'reviewText', 'summary', 'reviewTime', 'verified']) {
        assert.ok(k in reviews[0]!, k);
      }
      const perUser = new Map<string, number>();
      for (const x of reviews) perUser.set(x.reviewerID, (perUser.get(x.reviewerID) ?? 0) + 1);
      assert.equal(perUser.size, r.users);
      const once = [...perUser.values()].filter((n) => n === 1).length;
      assert.ok(once / perUser.size > 0.5, `most users review once (${once}/${perUser.size})`);
      const max = Math.max(...perUser.values());
      assert.ok(max >= 20, `heavy tail: the most active user has ${max} reviews`);
      const keys = reviews.map((x) => `${x.reviewerID}|${x.asin}|${x.unixReviewTime}`);
      const dupShare = 1 - new Set(keys).size / keys.length;
      assert.ok(dupShare > 0.005 && dupShare < 0.05, `duplicate share ${dupShare}`);
      for (const x of reviews) {
        assert.ok(x.unixReviewTime >= 946684800 && x.unixReviewTime <= 1538352000);
        assert.equal(x.unixReviewTime % 86400, 0);
      }
      const perItem = new Map<string, number>();
      for (const x of reviews) perItem.set(x.asin, (perItem.get(x.asin) ?? 0) + 1);
      const counts = [...perItem.values()].sort((a, b) => b - a);
      const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((a, b) => a + b, 0);
      assert.ok(top / reviews.length > 0.3, 'popular items dominate (Zipf)');

      // Users' reviews concentrate in few categories: taste clusters are visible in the item metadata.
      // Amazon 2018 metadata shape: category is a list from the top level down; brand, title, price.
      const items = (await readFile(join(dir, 'items.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { asin: string; category: string[]; brand: string; title: string });
      assert.equal(items.length, r.items);
      for (const i of items.slice(0, 50)) {
        assert.equal(i.category[0], 'Grocery & Gourmet Food');
        assert.ok(i.category.length >= 2 && typeof i.brand === 'string' && typeof i.title === 'string', JSON.stringify(i));
      }
      assert.ok(items.some((i) => i.category.includes('Candy & Chocolate')) && items.some((i) => i.brand === 'Starbucks'));
      const cat = new Map(items.map((i) => [i.asin, i.category[1]!]));
      let inTop = 0,
        total = 0;
      const byUser = new Map<string, string[]>();
      for (const x of reviews) byUser.set(x.reviewerID, [...(byUser.get(x.reviewerID) ?? []), cat.get(x.asin)!]);
      for (const cats of byUser.values()) {
        if (cats.length < 10) continue;
        const freq = new Map<string, number>();
        for (const c of cats) freq.set(c, (freq.get(c) ?? 0) + 1);
        const best = [...freq.values()]
          .sort((a, b) => b - a)
          .slice(0, 3)
          .reduce((a, b) => a + b, 0);
        inTop += best;
        total += cats.length;
      }
      assert.ok(total > 0 && inTop / total > 0.6, `reviews of active users fall in their top-3 categories (${inTop}/${total})`);

      const again = join(dir, 'again.json.gz');
      await generateSampleData({ out: again, reviews: 20000, seed: 5 });
      assert.equal(gunzipSync(await readFile(again)).toString('utf8'), lines.join('\n') + '\n');
      const other = join(dir, 'other.json.gz');
      await generateSampleData({ out: other, reviews: 20000, seed: 6 });
      assert.notEqual(gunzipSync(await readFile(other)).toString('utf8'), lines.join('\n') + '\n');
    });
  });
});
