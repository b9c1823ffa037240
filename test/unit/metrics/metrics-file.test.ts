import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MetricsFileTail } from '../../../src/extension/metrics/metrics-file';
import { metricsLine } from './fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-metrics-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(dir, `metrics-${n++}.jsonl`);

describe('MetricsFileTail', () => {
  it('reads the whole file, then only what was appended', async () => {
    const file = fresh();
    fs.writeFileSync(file, metricsLine(1, { loss: 2 }, 'sft') + metricsLine(2, { loss: 1.5 }, 'sft'));
    const tail = new MetricsFileTail(file);
    assert.deepEqual(
      (await tail.read()).events.map((e) => e.step),
      [1, 2],
    );
    assert.deepEqual((await tail.read()).events, []);
    fs.appendFileSync(file, metricsLine(3, { reward: 0.5 }));
    assert.deepEqual(
      (await tail.read()).events.map((e) => e.values),
      [{ reward: 0.5 }],
    );
  });
  it('waits for the newline of a torn last line', async () => {
    const file = fresh();
    const line = metricsLine(7, { reward: 0.25 });
    fs.writeFileSync(file, line.slice(0, 20));
    const tail = new MetricsFileTail(file);
    assert.deepEqual(await tail.read(), { events: [], errors: [], restarted: false });
    fs.appendFileSync(file, line.slice(20));
    assert.deepEqual(
      (await tail.read()).events.map((e) => e.step),
      [7],
    );
  });
  it('reports a bad line with its line number and keeps the rest', async () => {
    const file = fresh();
    fs.writeFileSync(file, metricsLine(1, { reward: 0 }) + '{"v":1,"type":"metrics","step":"x","values":{}}\n\nnot json\n' + metricsLine(4, { reward: 1 }));
    const read = await new MetricsFileTail(file, 'run-a/metrics.jsonl').read();
    assert.deepEqual(
      read.events.map((e) => e.step),
      [1, 4],
    );
    assert.equal(read.errors.length, 2);
    assert.match(read.errors[0]!, /^run-a\/metrics\.jsonl:2: step: expected an integer/);
    assert.match(read.errors[1]!, /^run-a\/metrics\.jsonl:4: not JSON/);
  });
  it('keeps multi-byte characters split across reads intact', async () => {
    const file = fresh();
    const line = `${JSON.stringify({ v: 1, type: 'metrics', step: 1, phase: 'rl', values: { 'eval/ré': 1 } })}\n`;
    const bytes = Buffer.from(line);
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    fs.writeFileSync(file, bytes.subarray(0, cut));
    const tail = new MetricsFileTail(file);
    await tail.read();
    fs.appendFileSync(file, bytes.subarray(cut));
    assert.deepEqual((await tail.read()).events[0]?.values, { 'eval/ré': 1 });
  });
  it('starts over when the file shrinks, and reads a missing file as empty', async () => {
    const file = fresh();
    const tail = new MetricsFileTail(file);
    assert.deepEqual((await tail.read()).events, []);
    fs.writeFileSync(file, metricsLine(1, { reward: 0 }) + metricsLine(2, { reward: 0 }));
    await tail.read();
    fs.writeFileSync(file, metricsLine(1, { reward: 9 }));
    const read = await tail.read();
    assert.equal(read.restarted, true);
    assert.deepEqual(
      read.events.map((e) => e.values['reward']),
      [9],
    );
  });
});
