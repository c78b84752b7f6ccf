/**
 * npm run bench:model — the local model against the simple references, side by side (docs/model.md has the figures):
 *  retail      Online Retail, the seed notebook's protocol (split 2011-11-02, warm users, 500 sampled items)
 *  grocery     Amazon Grocery 5-core (public, fetched and checked: public-data.ts), split 2014-01-01
 *  movielens   MovieLens latest-small (public, fetched and checked), split 2018-01-01
 *  kinds       Online Retail with a product-kind attribute (10 kinds): attribute affinity
 *  attributes  synthetic item categories (segflow sample-data --items-out): attribute affinity
 *  seed        seed scale (sample-data 5,074,160 reviews): training + a 500-query segment job, today's model
 *              (no validation contest) and the chosen model in turn, wall time and peak RSS of a child process each
 * Heavy: run under `flock /tmp/segflow-heavy.lock`. SEGFLOW_BENCH_ONLY=part[,part] runs some parts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { benchDataset } from './dataset-bench.js';
import { benchAttributes } from './attribute-bench.js';
import { retailKindsCase, syntheticAttributesCase } from './attribute-cases.js';
import { eventsOf, obtain, PUBLIC_DATASETS } from './public-data.js';
import { loadRetailEvents } from './retail-data.js';
import { runSeedChild, seedSideBySide } from './seed-scale.js';

const SCRATCH = '/tmp/segflow-model-bench';
const RETAIL = join(packageRoot, 'examples/data/online-retail.csv.gz');
const epoch = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

const PARTS: Record<string, () => Promise<void>> = {
  async retail() {
    console.log('== Online Retail (notebook protocol: split 2011-11-02, warm users, 500 sampled test items)');
    await benchDataset('retail', await loadRetailEvents(RETAIL, SCRATCH), epoch('2011-11-02'), SCRATCH);
  },
  ...Object.fromEntries(
    PUBLIC_DATASETS.map((d) => [
      d.name,
      async () => {
        console.log(`== ${d.title} (notebook protocol, split ${d.split})`);
        const got = await obtain(d, SCRATCH);
        if ('missing' in got) {
          console.log(`  SKIPPED: ${got.missing}`);
          return;
        }
        console.log(`  data: ${got.from} (sha256 checked); licence: ${d.licence}`);
        await benchDataset(d.name, eventsOf(d, got.bytes), epoch(d.split), SCRATCH);
      },
    ]),
  ),
  async kinds() {
    console.log('== Online Retail with a product-kind attribute (10 kinds; split 2011-11-02, warm users)');
    await benchAttributes(await retailKindsCase(RETAIL, SCRATCH), SCRATCH);
  },
  async attributes() {
    console.log('== Synthetic item attributes (segflow sample-data --reviews 1000000 --seed 7 --items-out; split 2018-02-01)');
    await benchAttributes(await syntheticAttributesCase(SCRATCH), SCRATCH);
  },
  async seed() {
    console.log('== Seed scale (segflow sample-data --reviews 5074160, seed preparation, split 2018-02-01)');
    await seedSideBySide(SCRATCH, new URL(import.meta.url));
  },
};

async function main() {
  if (process.env.NODE_TEST_CONTEXT) return; // never as part of `node --test`
  const argv = process.argv.slice(2);
  if (argv[0] === '--seed-child') {
    await runSeedChild(argv[1]!, argv[2]!, Number(argv[3]), argv[4]!, argv[5] === 'true');
    return;
  }
  mkdirSync(SCRATCH, { recursive: true });
  const only = process.env.SEGFLOW_BENCH_ONLY?.split(',');
  for (const [name, run] of Object.entries(PARTS)) if (!only || only.includes(name)) await run();
}

void main();
