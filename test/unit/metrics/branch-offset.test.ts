// A branch is plotted from its parent's checkpoint step; other runs from their own step 0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { branchStepOffset } from '../../../src/extension/metrics/branch-offset';
import { viewerStepArgs } from '../../../src/extension/metrics/step-link';

describe('branch step offset', () => {
  it("reads the parent's checkpoint step from initFrom", () => {
    assert.equal(branchStepOffset({ initFrom: '/ws/.stepgrpo/runs/demo-20261207-040000/checkpoints/step-000040' }), 40);
    assert.equal(branchStepOffset({ initFrom: 'C:\\runs\\demo\\checkpoints\\step-000007\\' }), 7);
  });

  it('is 0 for the shipped SFT checkpoint, a run without initFrom, or no config', () => {
    for (const config of [{ initFrom: '/ext/dist/media/sft-demo' }, {}, null, 'x']) assert.equal(branchStepOffset(config), 0);
  });
});

describe('a chart point → the viewer', () => {
  it('passes the run folder and step, and a learning curve filter', () => {
    assert.deepEqual(viewerStepArgs('/r', 3, 'reward'), { runDir: '/r', step: 3 });
    assert.deepEqual(viewerStepArgs('/r', 3, 'violation_rate/ORDER'), { runDir: '/r', step: 3, filter: { violation: 'ORDER' } });
  });
});
