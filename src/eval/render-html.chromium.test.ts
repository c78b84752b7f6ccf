/**
 * Renders report.html in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
 * browser is ever downloaded) and checks that the charts are drawn and that the page fetches nothing.
 * Without /usr/bin/chromium this test fails when CI=true (CI must install it: apt-get install -y chromium) and is
 * skipped otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../util/prng.js';
import { outputLine, writeFixtureWorkDir } from '../../test/support/eval-fixtures.js';
import { evalSpec } from '../../test/support/eval-spec.js';
import { requireTool } from '../../test/support/required-tool.js';
import { reportRun } from './index.js';
import { binHistogram } from './svg-charts.js';

/** What the page functions read of an SVG element (the DOM's types are not in this Node project's lib). */
interface SvgElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number };
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A deterministic synthetic run: 400 train users, 80 item queries, K = 20, a model that is better than chance. */
async function syntheticRun(root: string) {
  const rand = mulberry32(11);
  const users = Array.from({ length: 400 }, (_, i) => `u${String(i).padStart(3, '0')}`);
  const activity: Record<string, number> = {};
  for (const u of users) activity[u] = 1 + Math.floor(rand() * rand() * 30);
  const queries = [];
  const lines = [];
  for (let q = 0; q < 80; q++) {
    const truth = new Set<string>();
    const size = 1 + Math.floor(rand() * 25);
    while (truth.size < size) truth.add(users[Math.floor(rand() * users.length)]!);
    const ranked: string[] = [];
    const truthList = [...truth];
    while (ranked.length < 20) {
      const pick = rand() < 0.35 && truthList.length > 0 ? truthList.pop()! : users[Math.floor(rand() * users.length)]!;
      if (!ranked.includes(pick)) ranked.push(pick);
    }
    queries.push({ itemId: `item-${q}`, truth: [...truth] });
    lines.push(outputLine({ itemId: `item-${q}` }, ranked));
  }
  const work = await writeFixtureWorkDir({ dir: join(root, 'work'), activity, queries, k: 20, segmentFiles: { 'batch.jsonl.out': lines.join('\n') + '\n' } });
  return reportRun(work, evalSpec({ file: join(root, 'pipeline.yaml'), name: 'fixture' }), join(root, 'reports'));
}

test('report.html renders in headless Chromium: both charts drawn, no network request', async (t) => {
  if (!requireTool(t, existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium)`)) return;
  const { chromium } = await import('playwright-core');
  const root = await mkdtemp(join(tmpdir(), 'segflow-chromium-'));
  const profile = await mkdtemp(join(tmpdir(), 'segflow-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const { report, dir } = await syntheticRun(root);
    const pageUrl = pathToFileURL(join(dir, 'report.html')).href;
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(pageUrl, { waitUntil: 'load' });

    // The recall curve: one polyline per scorer with one point per curve cutoff, visibly drawn.
    const lines = await page.$$eval('#recall-curve polyline.series', (els: SvgElement[]) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        return {
          series: el.getAttribute('data-series'),
          points: (el.getAttribute('points') ?? '').trim().split(/\s+/).length,
          width: box.width,
          length: (el as unknown as { getTotalLength(): number }).getTotalLength(),
        };
      }),
    );
    assert.deepEqual(lines.map((l) => l.series).sort(), ['model', 'popularity', 'random']);
    for (const l of lines) {
      assert.equal(l.points, report.holdout!.curve.length, `${l.series} has a point per cutoff`);
      assert.ok(l.width > 100 && l.length > 100, `${l.series} is drawn (${l.width}px wide, ${l.length}px long)`);
    }

    // The histogram: one bar per non-empty bin and series, heights proportional to the counts.
    const bins = binHistogram(report.holdout!.hitsHistogram.model, report.holdout!.hitsHistogram.popularity);
    const bars = await page.$$eval('#hits-histogram rect.bar', (els: SvgElement[]) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        return { series: el.getAttribute('data-series'), count: Number(el.getAttribute('data-count')), width: box.width, height: box.height };
      }),
    );
    for (const series of ['model', 'popularity'] as const) {
      const drawn = bars.filter((b) => b.series === series);
      assert.equal(drawn.length, bins.filter((b) => b[series] > 0).length, `${series}: a bar per non-empty bin`);
      assert.deepEqual(
        drawn.map((b) => b.count),
        bins.filter((b) => b[series] > 0).map((b) => b[series]),
      );
    }
    assert.ok(bars.length > 2 && bars.every((b) => b.width > 0 && b.height > 0), 'every bar has a visible size');
    const perQuery = bars.map((b) => b.height / b.count);
    for (const r of perQuery) assert.ok(Math.abs(r - perQuery[0]!) < 0.05 * perQuery[0]!, 'bar heights are proportional to counts');

    const title = await page.title();
    assert.match(title, /segflow report: fixture/);
    // Chromium reports a request (and a console error) even for a fetch the CSP blocks, so this would catch one.
    assert.deepEqual(
      requests.filter((u) => u !== pageUrl),
      [],
      'the page requested nothing but itself',
    );
    assert.deepEqual(consoleErrors, [], 'no console errors (e.g. CSP violations)');
  } finally {
    await context.close();
    await rm(root, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
});
