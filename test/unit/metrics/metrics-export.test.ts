import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsCsv, pngBytes } from '../../../src/extension/metrics/metrics-export';

describe('metrics export', () => {
  it('writes one CSV row per run, metric and step, quoting names that need it', () => {
    const csv = metricsCsv([
      { runId: 'demo-1', metric: 'reward', steps: [1, 2], values: [0.5, 0.25] },
      { runId: 'a,"b"', metric: 'eval/accuracy', steps: [2], values: [0.57] },
    ]);
    assert.equal(csv, 'run,metric,step,value\ndemo-1,reward,1,0.5\ndemo-1,reward,2,0.25\n"a,""b""",eval/accuracy,2,0.57\n');
  });

  it('accepts only a PNG data URI with a PNG inside', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    assert.deepEqual(pngBytes(`data:image/png;base64,${png.toString('base64')}`), png);
    assert.equal(pngBytes(`data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}`), undefined);
    assert.equal(pngBytes('data:text/html;base64,AAAA'), undefined);
  });
});
