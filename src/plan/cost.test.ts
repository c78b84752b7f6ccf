import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRICES, actualCost, estimateCost, estimateTrainingHours, resolvePrices } from './cost.js';

test('cost: each line is quantity x price, total is their sum', () => {
  const prices = resolvePrices({ trainingPerHour: 1 });
  const e = estimateCost({ ingestBytes: 2e9, trainInteractions: 500_000, recipe: 'aws-item-affinity', training: true, segmentUsers: 20_000 }, prices);
  assert.equal(prices.dataIngestionPerGb, DEFAULT_PRICES.dataIngestionPerGb);
  const byItem = Object.fromEntries(e.lines.map((l) => [l.item, l.usd]));
  assert.equal(byItem['data ingestion'], 2 * prices.dataIngestionPerGb);
  assert.equal(byItem['training'], estimateTrainingHours(500_000, 'aws-item-affinity') * 1);
  assert.equal(byItem['batch segments'], 20 * prices.batchSegmentsPer1000Users);
  assert.equal(e.totalUsd, Math.round((byItem['data ingestion']! + byItem['training']! + byItem['batch segments']!) * 100) / 100);
});

test('cost: nothing to run costs nothing', () => {
  const e = estimateCost({ ingestBytes: 0, trainInteractions: 1e6, recipe: 'aws-item-affinity', training: false, segmentUsers: 0 }, DEFAULT_PRICES);
  assert.equal(e.totalUsd, 0);
});

test('training estimate grows with data and is higher for attribute affinity', () => {
  assert.ok(estimateTrainingHours(5e6, 'aws-item-affinity') > estimateTrainingHours(1e6, 'aws-item-affinity'));
  assert.ok(estimateTrainingHours(1e5, 'aws-item-attribute-affinity') > estimateTrainingHours(1e5, 'aws-item-affinity'));
});

test('actual cost uses billed hours', () => {
  assert.equal(actualCost({ ingestBytes: 0, trainingHours: 2, segmentUsers: 0 }, { ...DEFAULT_PRICES, trainingPerHour: 0.5 }), 1);
});
