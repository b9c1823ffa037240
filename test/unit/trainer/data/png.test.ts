import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePng, encodePng, readPngHeader } from '../../../../src/trainer/data/png';
import { dataUri, rgbaToTensor, tensorToPng, tensorToRgbBytes } from '../../../../src/trainer/data/image-tensor';
import { SyntheticTask } from '../../../../src/trainer/data/synthetic-task';
import { buildPng, pngChunk, type PngSpec } from './fixtures';

/** RGBA bytes of a spec as the PNG specification defines them, for comparison with the decoder. */
function expectedRgba(spec: PngSpec): number[] {
  const max = 2 ** spec.bitDepth - 1;
  const to8 = (v: number) => (spec.bitDepth === 16 ? v >> 8 : Math.round((v * 255) / max));
  const out: number[] = [];
  const n = spec.width * spec.height;
  const s = spec.samples;
  for (let i = 0; i < n; i++) {
    if (spec.colorType === 3) out.push(...spec.palette![s[i]!]!, spec.paletteAlpha?.[s[i]!] ?? 255);
    else if (spec.colorType === 0) out.push(to8(s[i]!), to8(s[i]!), to8(s[i]!), 255);
    else if (spec.colorType === 4) out.push(to8(s[2 * i]!), to8(s[2 * i]!), to8(s[2 * i]!), to8(s[2 * i + 1]!));
    else if (spec.colorType === 2) out.push(to8(s[3 * i]!), to8(s[3 * i + 1]!), to8(s[3 * i + 2]!), 255);
    else out.push(...[0, 1, 2, 3].map((c) => to8(s[4 * i + c]!)));
  }
  return out;
}

const PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const specArb = fc
  .constantFrom(...([[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]] as const))
  .chain(([colorType, bitDepth]) =>
    fc.record({ width: fc.integer({ min: 1, max: 9 }), height: fc.integer({ min: 1, max: 6 }), filter: fc.constantFrom(0, 1, 2, 3, 4) }).chain(({ width, height, filter }) => {
      const max = colorType === 3 ? Math.min(2 ** bitDepth, 7) - 1 : 2 ** bitDepth - 1;
      return fc.record({
        colorType: fc.constant(colorType),
        bitDepth: fc.constant(bitDepth),
        width: fc.constant(width),
        height: fc.constant(height),
        filter: fc.constant(filter),
        samples: fc.array(fc.integer({ min: 0, max }), { minLength: width * height * PER_PIXEL[colorType], maxLength: width * height * PER_PIXEL[colorType] }),
        palette: fc.constant(colorType === 3 ? Array.from({ length: 7 }, (_, k) => [k * 30, 255 - k * 20, (k * 77) % 256] as [number, number, number]) : undefined),
        paletteAlpha: fc.constant(colorType === 3 ? [0, 128, 255] : undefined),
      });
    }),
  ) as fc.Arbitrary<PngSpec>;

describe('PNG decoder', () => {
  it('decodes every colour type, bit depth and row filter as the specification defines them', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const img = decodePng(buildPng(spec), 'fixture.png');
        assert.equal(img.width, spec.width);
        assert.equal(img.height, spec.height);
        assert.deepEqual([...img.data], expectedRgba(spec));
      }),
      { numRuns: 200 },
    );
  });

  it('reports what is wrong, naming the file', () => {
    const good = buildPng({ width: 2, height: 2, colorType: 2, bitDepth: 8, samples: Array(12).fill(9) });
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 20]! ^= 0xff;
    assert.throws(() => decodePng(corrupt, 'img/a.png'), /^PngError: img\/a\.png: CRC mismatch in chunk IDAT/);
    assert.throws(() => decodePng(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array(40).fill(0)]), 'cat.jpg'), /cat\.jpg: not a PNG file \(looks like JPEG\); only PNG images are supported/);
    assert.throws(() => decodePng(Buffer.alloc(0), 'empty.png'), /empty\.png: not a PNG file \(empty file\)/);
    const interlaced = buildPng({ width: 2, height: 2, colorType: 0, bitDepth: 8, samples: [1, 2, 3, 4], interlace: true });
    assert.throws(() => readPngHeader(interlaced, 'i.png'), /i\.png: interlaced \(Adam7\) PNGs are not supported/);
    assert.throws(() => decodePng(good.subarray(0, good.length - 14), 't.png'), /t\.png: chunk IDAT at byte \d+ runs past the end/);
    const noData = Buffer.concat([good.subarray(0, 33), pngChunk('IEND', new Uint8Array(0))]);
    assert.throws(() => decodePng(noData, 'n.png'), /n\.png: no image data/);
  });
});

describe('PNG encoder', () => {
  it('round-trips RGB and RGBA bytes through the decoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(3 as const, 4 as const), fc.integer(), (w, h, channels, seed) => {
        let x = seed | 0;
        const px = Uint8Array.from({ length: w * h * channels }, (_, i) => ((x = Math.imul(x ^ i, 0x9e3779b1) >>> 0) >>> 24) & (i % 3 === 0 ? 0xff : 0xf0));
        const img = decodePng(encodePng(px, w, h, channels));
        const rgba = channels === 4 ? [...px] : [...Array(w * h).keys()].flatMap((i) => [px[3 * i]!, px[3 * i + 1]!, px[3 * i + 2]!, 255]);
        assert.deepEqual([...img.data], rgba);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects pixel buffers of the wrong length', () => {
    assert.throws(() => encodePng(new Uint8Array(5), 2, 1, 3), /expected 6 bytes/);
  });
});

describe('image tensors', () => {
  const task = new SyntheticTask({ trainSize: 3, evalSize: 1 });
  const e = task.trainAt(0);

  it('a rendered image survives tensor → PNG → tensor exactly (its colours are multiples of 1/255 after rounding)', () => {
    const back = rgbaToTensor(decodePng(tensorToPng(e.image!, e.imageSize)), e.imageSize);
    const rgb = tensorToRgbBytes(e.image!, e.imageSize);
    assert.deepEqual(tensorToRgbBytes(back, e.imageSize), rgb);
    const maxErr = back.reduce((m, v, i) => Math.max(m, Math.abs(v - e.image![i]!)), 0);
    assert.ok(maxErr <= 0.5 / 255 + 1e-6, `max error ${maxErr}`);
  });

  it('dataUri is a base64 PNG', () => {
    const uri = dataUri(e.image!, e.imageSize);
    assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const img = decodePng(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64'));
    assert.equal(img.width, e.imageSize);
  });

  it('resizes by area averaging and composites alpha over white', () => {
    // 4×2 RGBA: left half black opaque, right half transparent → 2×2... squeezed to 1×1 then 2×2.
    const data = new Uint8Array(4 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) data[(y * 4 + x) * 4 + 3] = 255;
    const one = rgbaToTensor({ width: 4, height: 2, data }, 1);
    assert.deepEqual([...one].map((v) => +v.toFixed(6)), [0.5, 0.5, 0.5]);
    const two = rgbaToTensor({ width: 4, height: 2, data }, 2);
    assert.deepEqual([...two.subarray(0, 4)].map((v) => +v.toFixed(6)), [0, 1, 0, 1]);
    const up = rgbaToTensor({ width: 1, height: 1, data: Uint8Array.from([255, 0, 51, 255]) }, 3);
    assert.deepEqual([...up].map((v) => +v.toFixed(6)), [...Array(9).fill(1), ...Array(9).fill(0), ...Array(9).fill(0.2)]);
  });
});
