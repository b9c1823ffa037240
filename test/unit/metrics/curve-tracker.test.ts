// A run's learning curves as rollout events arrive: parts of a step add up, a step written again
// starts over, a new violation code gets a 0 at every earlier step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyStepCurve, violationCurve } from '../../../src/core/learning-curves';
import { CurveTracker } from '../../../src/extension/metrics/curve-tracker';

const chain = (matched: boolean[], codes: string[] = []) => ({ rewards: { key_steps: matched.map((m) => ({ matched: m })), violations: codes.map((code) => ({ code })) } });

describe('CurveTracker', () => {
  it('adds partial events of a step and starts a step over when it is written whole again', () => {
    const t = new CurveTracker();
    t.add({ step: 1, groups: [{ samples: [chain([true])] }] });
    const parts = t.add({ step: 1, partial: true, groups: [{ samples: [chain([false])] }] });
    assert.equal(parts.get(1)![keyStepCurve(1)], 0.5);
    const again = t.add({ step: 1, groups: [{ samples: [chain([false])] }] });
    assert.equal(again.get(1)![keyStepCurve(1)], 0);
  });

  it('back-fills 0 for a violation code first seen at a later step', () => {
    const t = new CurveTracker();
    t.add({ step: 1, groups: [{ samples: [chain([true])] }] });
    const changed = t.add({ step: 2, groups: [{ samples: [chain([true], ['ORDER']), chain([true])] }] });
    assert.deepEqual([...changed.keys()].sort(), [1, 2]);
    assert.equal(changed.get(1)![violationCurve('ORDER')], 0);
    assert.equal(changed.get(2)![violationCurve('ORDER')], 0.5);
    assert.deepEqual([...t.add({ step: 3, groups: [{ samples: [chain([])] }] }).keys()], [3]);
  });
});
