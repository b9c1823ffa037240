// Learning curves per key step and per violation type against a direct count over seeded chains.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCurves, curveFilter, curveValues, emptyCurveCounts, keyStepCurve, violationCurve, type CurveChain } from '../../../src/core/learning-curves';
import { rng } from '../../fixtures/chain-builder';

const CODES = ['ORDER', 'STEP_GAP', 'TRAILING_CONTENT'];

/** Seeded chains: 0–3 key steps each matched at random, 0–2 violations (a code may repeat in a chain). */
function chains(n: number, seed: number): CurveChain[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => ({
    rewards: {
      key_steps: Array.from({ length: Math.floor(rand() * 4) }, () => ({ matched: rand() < 0.5 })),
      violations: Array.from({ length: Math.floor(rand() * 3) }, () => ({ code: CODES[Math.floor(rand() * CODES.length)]! })),
    },
  }));
}

describe('learning curves', () => {
  it('match rate of the k-th key step and share of chains breaking each rule equal a direct count', () => {
    const all = chains(200, 7);
    const counts = emptyCurveCounts();
    // Two events of one step (an importer's parts) add up.
    countCurves(counts, [{ samples: all.slice(0, 80) }]);
    countCurves(counts, [{ samples: all.slice(80, 150) }, { samples: all.slice(150) }]);
    const values = curveValues(counts);
    for (let k = 1; k <= 3; k++) {
      const having = all.filter((c) => c.rewards.key_steps.length >= k);
      assert.equal(values[keyStepCurve(k)], having.filter((c) => c.rewards.key_steps[k - 1]!.matched).length / having.length);
    }
    for (const code of CODES) assert.equal(values[violationCurve(code)], all.filter((c) => c.rewards.violations.some((v) => v.code === code)).length / all.length);
  });

  it('reports a known code nobody broke at this step as 0', () => {
    const counts = emptyCurveCounts();
    countCurves(counts, [{ samples: [{ rewards: { key_steps: [], violations: [] } }] }]);
    assert.deepEqual(curveValues(counts, ['ORDER']), { [violationCurve('ORDER')]: 0 });
  });

  it('names the chains behind a point as a filter; other metrics have none', () => {
    assert.deepEqual(curveFilter(keyStepCurve(2)), { keyStep: 2, matched: true });
    assert.deepEqual(curveFilter(violationCurve('STEP_GAP')), { violation: 'STEP_GAP' });
    for (const other of ['reward', 'violations/ORDER', 'key_steps/0/match_rate', 'key_step_recall']) assert.equal(curveFilter(other), undefined);
  });
});
