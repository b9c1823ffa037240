import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapInSlices } from '../../../src/server/cooperative';

describe('mapInSlices', () => {
  it('maps in order and lets other callbacks run between slices', async () => {
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      if (ticks < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const seenTicks: number[] = [];
    const out = await mapInSlices(
      Array.from({ length: 50 }, (_, i) => i),
      (x, i) => {
        seenTicks.push(ticks);
        return x * 2 + i;
      },
      0,
    );
    assert.deepEqual(
      out,
      Array.from({ length: 50 }, (_, i) => 3 * i),
    );
    assert.ok(seenTicks[49]! > seenTicks[0]!, 'no other callback ran while mapping');
  });

  it('does not yield within a slice, and stops when cancelled', async () => {
    let ticks = 0;
    setImmediate(() => ticks++);
    assert.deepEqual(await mapInSlices([1, 2, 3], (x) => x + ticks, 1e9), [1, 2, 3]);
    let calls = 0;
    assert.equal(
      await mapInSlices(
        [1, 2, 3, 4],
        () => calls++,
        0,
        () => true,
      ),
      null,
    );
    assert.equal(calls, 1);
  });
});
