import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticTask } from '../../../../src/trainer/data/synthetic-task';
import { epochOrder, isDataCursor } from '../../../../src/trainer/data/train-stream';

const task = new SyntheticTask({ trainSize: 50, evalSize: 5 });

describe('training stream', () => {
  it('each epoch visits every training example once, in an order that changes between epochs', () => {
    const stream = task.train();
    const first = stream.take(50).map((e) => e.promptId);
    const second = stream.take(50).map((e) => e.promptId);
    const all = Array.from({ length: 50 }, (_, i) => task.trainAt(i).promptId).sort();
    assert.deepEqual([...first].sort(), all);
    assert.deepEqual([...second].sort(), all);
    assert.notDeepEqual(first, second);
    assert.deepEqual(stream.cursor(), { source: task.fingerprint, epoch: 1, index: 50 });
  });

  it('a restored cursor continues exactly where the saved one stood, across epoch boundaries', () => {
    const stream = task.train();
    stream.take(37);
    const saved = JSON.parse(JSON.stringify(stream.cursor()));
    const expected = stream.take(40).map((e) => e.promptId);
    const resumed = new SyntheticTask({ trainSize: 50, evalSize: 5 }).train(saved);
    assert.deepEqual(
      resumed.take(40).map((e) => e.promptId),
      expected,
    );
  });

  it('refuses a cursor from other data or a malformed one', () => {
    const other = new SyntheticTask({ trainSize: 50, evalSize: 5, seed: 3 });
    assert.throws(() => other.train(task.train().cursor()), /belongs to "synthetic\/v1\/.*"seed":0/);
    assert.throws(() => task.train({ source: task.fingerprint, epoch: -1, index: 0 }), /invalid data cursor/);
    assert.throws(() => task.train({ source: task.fingerprint, epoch: 0, index: 51 }), /past the training split/);
    assert.equal(isDataCursor({ source: 'x', epoch: 0, index: 1.5 }), false);
  });

  it('epoch orders are permutations fixed by fingerprint and epoch', () => {
    const a = epochOrder('f', 3, 1000);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(a, epochOrder('f', 3, 1000));
    assert.notDeepEqual(a, epochOrder('g', 3, 1000));
  });

  it('eval() is a fixed, finite pass', () => {
    const a = [...task.eval()].map((e) => e.promptId);
    assert.equal(a.length, 5);
    assert.deepEqual(
      [...task.eval()].map((e) => e.promptId),
      a,
    );
  });
});
