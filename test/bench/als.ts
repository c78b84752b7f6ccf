/**
 * Evidence only (not used by the product): implicit-feedback ALS (Hu, Koren & Volinsky 2008) with
 * hidden_dimension factors, on the Online Retail validation split, alone and blended with the model's
 * "interacted with the item" term. Run: node dist/test/bench/als.js
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../../src/model/matrix.js';
import { mulberry32 as prng } from '../../src/util/prng.js';
import { topK } from '../../src/model/top-k.js';
import { packageRoot } from '../../src/util/paths.js';
import { fmt, notebookSplit, score } from './protocol.js';
import { loadRetailEvents } from './retail-data.js';

/** Solves A x = b in place for a symmetric positive definite f x f matrix (Cholesky). */
function solve(A: Float64Array, b: Float64Array, f: number): void {
  for (let j = 0; j < f; j++) {
    let d = A[j * f + j]!;
    for (let k = 0; k < j; k++) d -= A[j * f + k]! * A[j * f + k]!;
    d = Math.sqrt(Math.max(d, 1e-12));
    A[j * f + j] = d;
    for (let i = j + 1; i < f; i++) {
      let s = A[i * f + j]!;
      for (let k = 0; k < j; k++) s -= A[i * f + k]! * A[j * f + k]!;
      A[i * f + j] = s / d;
    }
  }
  for (let i = 0; i < f; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * f + k]! * b[k]!;
    b[i] = s / A[i * f + i]!;
  }
  for (let i = f - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < f; k++) s -= A[k * f + i]! * b[k]!;
    b[i] = s / A[i * f + i]!;
  }
}

/** One half-step: recompute X (rows ptr/idx/conf) from the fixed factors Y. */
function halfStep(
  X: Float64Array,
  nx: number,
  Y: Float64Array,
  ny: number,
  ptr: Int32Array,
  idx: Int32Array,
  conf: Float32Array,
  f: number,
  lambda: number,
  alpha: number,
) {
  const YtY = new Float64Array(f * f);
  for (let j = 0; j < ny; j++) {
    for (let a = 0; a < f; a++) {
      const ya = Y[j * f + a]!;
      for (let c = 0; c <= a; c++) YtY[a * f + c]! += ya * Y[j * f + c]!;
    }
  }
  const A = new Float64Array(f * f);
  const b = new Float64Array(f);
  for (let u = 0; u < nx; u++) {
    for (let a = 0; a < f; a++) for (let c = 0; c <= a; c++) A[a * f + c] = YtY[a * f + c]! + (a === c ? lambda : 0);
    b.fill(0);
    for (let p = ptr[u]!; p < ptr[u + 1]!; p++) {
      const j = idx[p]!;
      const cu = alpha * Math.log1p(conf[p]!);
      for (let a = 0; a < f; a++) {
        const ya = Y[j * f + a]!;
        b[a]! += (1 + cu) * ya;
        for (let c = 0; c <= a; c++) A[a * f + c]! += cu * ya * Y[j * f + c]!;
      }
    }
    for (let a = 0; a < f; a++) for (let c = a + 1; c < f; c++) A[a * f + c] = A[c * f + a]!;
    solve(A, b, f);
    X.set(b, u * f);
  }
}

function trainAls(m: Matrix, f: number, iterations: number, lambda: number, alpha: number) {
  const rand = prng(42);
  const X = Float64Array.from({ length: m.numUsers * f }, () => (rand() - 0.5) * 0.01);
  const Y = Float64Array.from({ length: m.numItems * f }, () => (rand() - 0.5) * 0.01);
  for (let it = 0; it < iterations; it++) {
    halfStep(X, m.numUsers, Y, m.numItems, m.userPtr, m.userItems, m.userCount, f, lambda, alpha);
    halfStep(Y, m.numItems, X, m.numUsers, m.itemPtr, m.itemUsers, m.itemCount, f, lambda, alpha);
  }
  return { X, Y };
}

async function main() {
  if (process.env.NODE_TEST_CONTEXT) return;
  const scratch = '/tmp/segflow-model-bench';
  mkdirSync(scratch, { recursive: true });
  const events = await loadRetailEvents(join(packageRoot, 'examples/data/online-retail.csv.gz'), scratch);
  const trainOnly = notebookSplit(events, Date.parse('2011-11-02T00:00:00Z') / 1000).train;
  const val = notebookSplit(trainOnly, Date.parse('2011-11-02T00:00:00Z') / 1000 - 30 * 86400);
  const m = val.matrix;
  const all = Int32Array.from({ length: m.numUsers }, (_, u) => u);
  for (const f of [32, 64]) {
    for (const lambda of [1, 10]) {
      const alpha = 10;
      const t0 = performance.now();
      const { X, Y } = trainAls(m, f, 8, lambda, alpha);
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const s = new Float64Array(m.numUsers);
      const mf = (i: number) => {
        for (let u = 0; u < m.numUsers; u++) {
          let d = 0;
          for (let a = 0; a < f; a++) d += X[u * f + a]! * Y[i * f + a]!;
          s[u] = d;
        }
        return s;
      };
      console.log(
        fmt(
          `ALS f=${f} lambda=${lambda} (${secs} s)`,
          score(val, (i, k) => topK(all, all.length, mf(i), null, k)),
        ),
      );
      // blend: the model's direct term (repeat count x 90-day decay, normalised, bonus 1) plus the normalised MF score
      const out = new Float64Array(m.numUsers);
      const blend = (i: number, k: number) => {
        const base = mf(i);
        let maxMf = 0;
        for (let u = 0; u < m.numUsers; u++) maxMf = Math.max(maxMf, base[u]!);
        for (let u = 0; u < m.numUsers; u++) out[u] = maxMf > 0 ? Math.max(0, base[u]!) / maxMf : 0;
        let maxDirect = 0;
        const w = (p: number) => m.itemCount[p]! * Math.pow(0.5, (m.maxTime - m.itemLast[p]!) / (90 * 86400));
        for (let p = m.itemPtr[i]!; p < m.itemPtr[i + 1]!; p++) maxDirect = Math.max(maxDirect, w(p));
        for (let p = m.itemPtr[i]!; p < m.itemPtr[i + 1]!; p++) out[m.itemUsers[p]!]! += w(p) / maxDirect;
        return topK(all, all.length, out, null, k);
      };
      console.log(fmt(`  + direct term (bonus 1)`, score(val, blend)));
    }
  }
}

void main();
