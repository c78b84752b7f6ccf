/**
 * The report's two pictures as inline SVG strings (no library, no script, nothing fetched): the recall@k curve of
 * the model against both baselines, and the distribution of hits per query. Series and bars carry data-* attributes
 * so tests (and curious users) can find them.
 */
import type { CurvePoint } from './report-types.js';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export const SERIES_COLORS = { model: '#1f6feb', popularity: '#d9822b', random: '#8b949e' } as const;

const W = 640;
const H = 360;
const M = { top: 20, right: 130, bottom: 48, left: 56 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** A round upper bound for an axis (1, 2 or 5 times a power of ten) so ticks read well. */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function tickLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
}

function axes(xMax: number, yMax: number, xLabel: string, yLabel: string, xTicks: number[]): string[] {
  const out: string[] = [];
  const x = (v: number) => M.left + (v / xMax) * PW;
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e1e4e8"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${tickLabel(v)}</text>`);
  }
  for (const v of xTicks) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${M.top + PH}" y2="${M.top + PH + 4}" stroke="#57606a"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${M.top + PH + 17}" text-anchor="middle" font-size="11">${tickLabel(v)}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" stroke="#57606a"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" stroke="#57606a"/>`);
  out.push(`<text x="${M.left + PW / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`);
  return out;
}

function legend(entries: Array<{ name: string; color: string }>): string[] {
  return entries.map(
    (e, i) =>
      `<g class="legend" transform="translate(${M.left + PW + 14} ${M.top + 10 + i * 20})"><rect width="12" height="12" fill="${e.color}"/>` +
      `<text x="18" y="10" font-size="12">${escapeXml(e.name)}</text></g>`,
  );
}

function integerTicks(max: number, count = 6): number[] {
  const step = Math.max(1, Math.ceil(max / count));
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return ticks;
}

/** Line chart of mean recall@k for k = 1..K, one polyline per scorer. */
export function recallCurveSvg(curve: readonly CurvePoint[], k: number): string {
  const yMax = niceMax(Math.max(0.01, ...curve.flatMap((p) => [p.model, p.popularity, p.random])));
  const x = (v: number) => M.left + (v / k) * PW;
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="recall-curve" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="mean recall at k: model and baselines">`,
    ...axes(k, yMax, 'segment size k (users)', 'mean recall@k', integerTicks(k)),
  ];
  for (const name of ['random', 'popularity', 'model'] as const) {
    const pts = curve.map((p) => `${x(p.k).toFixed(1)},${y(p[name]).toFixed(1)}`).join(' ');
    out.push(
      `<polyline class="series" data-series="${name}" points="${pts}" fill="none" stroke="${SERIES_COLORS[name]}" stroke-width="${name === 'model' ? 2.5 : 2}"${name === 'random' ? ' stroke-dasharray="5 4"' : ''}/>`,
    );
    for (const p of curve) {
      out.push(
        `<circle data-series="${name}" cx="${x(p.k).toFixed(1)}" cy="${y(p[name]).toFixed(1)}" r="2.5" fill="${SERIES_COLORS[name]}"><title>${name}: recall@${p.k} = ${p[name].toFixed(4)}</title></circle>`,
      );
    }
  }
  out.push(...legend((['model', 'popularity', 'random'] as const).map((n) => ({ name: n, color: SERIES_COLORS[n] }))), '</svg>');
  return out.join('\n');
}

export interface HistogramBin {
  from: number;
  to: number;
  model: number;
  popularity: number;
}

/** Groups hits counts into at most `maxBins` bins of equal width (one bin per hits value when they fit). */
export function binHistogram(model: readonly number[], popularity: readonly number[], maxBins = 40): HistogramBin[] {
  const values = Math.max(model.length, popularity.length, 1);
  const width = Math.ceil(values / maxBins);
  const bins: HistogramBin[] = [];
  for (let from = 0; from < values; from += width) {
    const to = Math.min(values - 1, from + width - 1);
    let m = 0;
    let p = 0;
    for (let h = from; h <= to; h++) {
      m += model[h] ?? 0;
      p += popularity[h] ?? 0;
    }
    bins.push({ from, to, model: m, popularity: p });
  }
  return bins;
}

/** Grouped bars: number of queries with h hits at K, model beside popularity. Empty bins draw no bar. */
export function hitsHistogramSvg(model: readonly number[], popularity: readonly number[]): string {
  const bins = binHistogram(model, popularity);
  const yMax = niceMax(Math.max(1, ...bins.flatMap((b) => [b.model, b.popularity])));
  const slot = PW / bins.length;
  const barW = Math.max(1, slot * 0.4);
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="hits-histogram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="queries by number of hits at K">`,
    ...axes(bins.length, yMax, 'hits at K per query', 'queries', []),
  ];
  bins.forEach((b, i) => {
    const label = b.from === b.to ? String(b.from) : `${b.from}-${b.to}`;
    const cx = M.left + slot * i + slot / 2;
    if (bins.length <= 20 || i % Math.ceil(bins.length / 20) === 0) {
      out.push(`<text x="${cx.toFixed(1)}" y="${M.top + PH + 17}" text-anchor="middle" font-size="11">${label}</text>`);
    }
    for (const [j, name] of (['model', 'popularity'] as const).entries()) {
      const v = b[name];
      if (v === 0) continue;
      const x = cx - barW + j * barW;
      out.push(
        `<rect class="bar" data-series="${name}" data-hits="${label}" data-count="${v}" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(M.top + PH - y(v)).toFixed(1)}" fill="${SERIES_COLORS[name]}"><title>${name}: ${v} queries with ${label} hits</title></rect>`,
      );
    }
  });
  out.push(...legend((['model', 'popularity'] as const).map((n) => ({ name: n, color: SERIES_COLORS[n] }))), '</svg>');
  return out.join('\n');
}
