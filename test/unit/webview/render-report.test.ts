import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RenderReport } from '../../../webview/rollout-viewer/render-report';

const screen = (mounted: number, heatSpans = 0) => ({ mounted, heatSpans });

describe('viewer render reports', () => {
  it('replaced rows (none mounted when reported) are reported again by the frame that builds them, scrolling is not', () => {
    const r = new RenderReport();
    r.reported(screen(0));
    assert.equal(r.afterFrame(screen(6), false), true);
    r.reported(screen(6));
    assert.equal(r.afterFrame(screen(7), false), false);
  });

  it('a frame drawn at height 0 builds no rows: the later frame that builds them is reported', () => {
    // The e2e chart click timed out on this: the last report said mounted 0, and no other came.
    const r = new RenderReport();
    r.reported(screen(0));
    assert.equal(r.afterFrame(screen(0), false), false);
    assert.equal(r.afterFrame(screen(4), false), true);
  });

  it('with the heat overlay on, a frame with another count of heat spans is reported', () => {
    const r = new RenderReport();
    r.reported(screen(5, 10));
    assert.equal(r.afterFrame(screen(5, 10), true), false);
    assert.equal(r.afterFrame(screen(5, 12), true), true);
    assert.equal(r.afterFrame(screen(5, 12), false), false);
  });
});
