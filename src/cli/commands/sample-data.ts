import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { inputError } from '../../util/errors.js';
import { generateSampleData } from '../../data/sample-data.js';

function positiveInt(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw inputError('CLI_USAGE', `--${name} must be an integer >= ${min}, not '${value}'`);
  return n;
}

export const command: Command = {
  name: 'sample-data',
  summary: 'write synthetic Amazon-review-format data (JSON lines) for trials and benchmarks',
  usage: [
    'Usage: segflow sample-data --out FILE --reviews N [--seed S] [--items-out FILE]',
    '',
    '  --out FILE        reviews as JSON lines; gzipped when FILE ends in .gz',
    "  --reviews N       number of reviews (5074160 is the seed article's Grocery file)",
    '  --seed S          random seed (default 7); the same seed gives the same file',
    '  --items-out FILE  item metadata as Amazon 2018 metadata (asin, title, brand, category list); CSV when FILE ends in .csv[.gz]',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseCommandArgs('sample-data', ctx.argv, {
      out: { type: 'string' },
      reviews: { type: 'string' },
      seed: { type: 'string' },
      'items-out': { type: 'string' },
    });
    if (!values.out) throw inputError('CLI_USAGE', 'sample-data: --out FILE is required');
    const reviews = positiveInt('reviews', values.reviews, 1);
    if (reviews === undefined) throw inputError('CLI_USAGE', 'sample-data: --reviews N is required');
    const started = Date.now();
    const itemsOut = values['items-out'] ? resolve(ctx.cwd, values['items-out']) : undefined;
    const r = await generateSampleData({
      out: resolve(ctx.cwd, values.out),
      reviews,
      seed: positiveInt('seed', values.seed, 0),
      ...(itemsOut ? { itemsOut } : {}),
    });
    ctx.stdout.write(
      `sample-data: wrote ${r.reviews} reviews (${r.users} users, ${r.items} items) to ${values.out}` +
        `${itemsOut ? ` and item metadata to ${values['items-out']}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  },
};
