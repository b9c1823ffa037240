import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { Coalescer } from '../../../src/extension/coalescer';

describe('Coalescer: a burst of requests is one run', () => {
  it('runs once for every request made before its delay ran out, and again for a request after', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let runs = 0;
      const c = new Coalescer(100, () => runs++);
      for (let i = 0; i < 600; i++) c.request();
      mock.timers.tick(99);
      assert.equal(runs, 0);
      mock.timers.tick(1);
      assert.equal(runs, 1);
      c.request();
      mock.timers.tick(100);
      assert.equal(runs, 2);
    } finally {
      mock.timers.reset();
    }
  });

  it('disposed, it drops the pending run and ignores later requests', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let runs = 0;
      const c = new Coalescer(100, () => runs++);
      c.request();
      c.dispose();
      c.request();
      mock.timers.tick(1_000);
      assert.equal(runs, 0);
    } finally {
      mock.timers.reset();
    }
  });
});
