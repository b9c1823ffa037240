// The token heat overlay's spans: tokens cut the text by their lengths (empty ones dropped), each
// tinted by its value in the chosen mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heatSpans } from '../../../webview/rollout-viewer/heat-spans';

const series = { lengths: [2, 0, 3, 4], logp: [-0.1, -9, -4, -2], entropy: [0.3, 0, 6, 1.5], advantage: [0.5, 0, -2, 0] };

describe('token heat spans', () => {
  it('cut the text by token lengths, leave out empty tokens and stop at the end of the text', () => {
    assert.deepEqual(
      heatSpans('abcdefgh', series, 'logp').map((s) => [s.start, s.end, s.value]),
      [
        [0, 2, -0.1],
        [2, 5, -4],
        [5, 8, -2],
      ],
    );
  });

  it('tint unlikely and uncertain tokens, and advantages by sign', () => {
    assert.deepEqual(
      heatSpans('abcdefghi', series, 'logp').map((s) => s.strength),
      [0.025, 1, 0.5],
    );
    assert.deepEqual(
      heatSpans('abcdefghi', series, 'advantage').map((s) => [s.tone, s.strength]),
      [
        ['high', 0.5],
        ['low', 1],
        ['high', 0],
      ],
    );
  });
});
