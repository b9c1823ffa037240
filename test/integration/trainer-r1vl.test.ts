// The trainer on a real-dataset layout (R1-VL-10K records, mixed image formats): a smoke run trains,
// and the dataset-load summary (loaded, skipped by reason, file:line) reaches the run log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../src/trainer/config';
import { runTraining } from '../../src/trainer/run';
import { writeSolidImage, type ImageFormat } from '../support/image-files';

test('smoke run on an R1-VL layout with PNG, interlaced PNG, JPEG, WebP and a corrupt file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-r1vl-run-'));
  try {
    const images: [string, ImageFormat][] = [
      ['a.png', 'png'],
      ['b.png', 'interlaced-png'],
      ['c.jpg', 'jpeg'],
      ['d.webp', 'webp'],
    ];
    const records = [...images.map(([name]) => name), 'broken.png'].map((image, i) => ({
      image_path: image,
      problem: `How many shapes are in picture ${i}?`,
      solution: `### Image Description:\nShapes.\n### Rationales:\nCount them.\n### Step 1:\nThere are ${i + 2} shapes.\n### The final answer is: ${i + 2}`,
      key_steps: { Steps: [`${i + 2} shapes`] },
    }));
    for (const [i, [name, format]] of images.entries()) await writeSolidImage(path.join(dir, name), format, 30 + 10 * i, 24, [40 * i, 120, 200]);
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not a png');
    const data = path.join(dir, 'train.jsonl');
    fs.writeFileSync(data, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

    const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);
    const out = path.join(dir, 'run');
    const summary = await runTraining({ outDir: out, config: { ...smoke, data: { kind: 'r1vl', path: data, evalFraction: 0, imageSize: 16 } } });
    assert.equal(summary.status, 'completed');
    const logs = fs
      .readFileSync(path.join(out, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'log')
      .map((e) => e.message as string);
    assert.ok(
      logs.some((m) => /train\.jsonl: 4 of 5 records loaded \(train 4, held-out 0\); 1 skipped: image not decodable 1/.test(m)),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((m) => m.includes(`${data}:5: field "image": ${path.join(dir, 'broken.png')}: cannot decode image`)),
      logs.join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
