import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageDecodeError, decodeImage } from '../../../../src/trainer/data/image-decode';
import { dataUri, rgbBytesToTensor, tensorToPng, tensorToRgbBytes } from '../../../../src/trainer/data/image-tensor';
import { encodePng } from '../../../../src/trainer/data/png-encode';
import { SyntheticTask } from '../../../../src/trainer/data/synthetic-task';
import { writeSolidImage, type ImageFormat } from '../../../support/image-files';

const dir = mkdtempSync(path.join(tmpdir(), 'images-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => path.join(dir, name);
/** The RGB of pixel (x, y) of a size×size decode. */
const pixel = (rgb: Uint8Array, size: number, x: number, y: number): number[] => [...rgb.subarray(3 * (y * size + x), 3 * (y * size + x) + 3)];
const near = (a: number[], b: number[], tol: number): boolean => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

describe('decodeImage (sharp)', () => {
  it('decodes PNG, interlaced PNG, JPEG, WebP and GIF to the model size', async () => {
    const formats: [ImageFormat, string][] = [
      ['png', 'a.png'],
      ['interlaced-png', 'b.png'],
      ['jpeg', 'c.jpg'],
      ['webp', 'd.webp'],
      ['gif', 'e.gif'],
    ];
    for (const [format, name] of formats) {
      await writeSolidImage(at(name), format, 16, 16, [200, 40, 20]);
      const rgb = await decodeImage(at(name), 8);
      assert.equal(rgb.length, 3 * 8 * 8, format);
      assert.ok(near(pixel(rgb, 8, 4, 4), [200, 40, 20], 4), `${format}: ${pixel(rgb, 8, 4, 4)}`);
    }
    assert.equal((await sharp(at('b.png')).metadata()).isProgressive, true, 'the fixture really is Adam7-interlaced');
  });

  it('keeps the aspect ratio: letterbox (contain, default) or centre crop (cover)', async () => {
    await writeSolidImage(at('wide.png'), 'png', 40, 10, [0, 0, 255]);
    const box = await decodeImage(at('wide.png'), 8);
    assert.deepEqual(pixel(box, 8, 4, 0), [255, 255, 255], 'white bar above');
    assert.deepEqual(pixel(box, 8, 4, 4), [0, 0, 255]);
    const crop = await decodeImage(at('wide.png'), 8, 'cover');
    assert.deepEqual(pixel(crop, 8, 4, 0), [0, 0, 255]);
  });

  it('composites transparency over white', async () => {
    await writeSolidImage(at('half.png'), 'png', 8, 8, [0, 0, 0], 0.5);
    assert.ok(near(pixel(await decodeImage(at('half.png'), 8), 8, 3, 3), [128, 128, 128], 1));
  });

  it('errors name the file: missing, corrupt, or not an image', async () => {
    await assert.rejects(
      decodeImage(at('missing.png'), 8),
      (e: unknown) => e instanceof ImageDecodeError && e.reason === 'not found' && e.message === `image not found: ${at('missing.png')}`,
    );
    writeFileSync(at('broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    await assert.rejects(
      decodeImage(at('broken.jpg'), 8),
      (e: unknown) => e instanceof ImageDecodeError && e.reason === 'not decodable' && e.message.startsWith(`${at('broken.jpg')}: cannot decode image (`),
    );
    writeFileSync(at('text.png'), 'hello');
    await assert.rejects(decodeImage(at('text.png'), 8), /text\.png: cannot decode image \(.*unsupported image format/);
  });
});

describe('PNG encoding and image tensors', () => {
  const task = new SyntheticTask({ trainSize: 3, evalSize: 1 });
  const e = task.trainAt(0);

  it('a rendered image survives tensor → PNG → decode → tensor exactly', async () => {
    writeFileSync(at('render.png'), tensorToPng(e.image!, e.imageSize));
    const back = rgbBytesToTensor(await decodeImage(at('render.png'), e.imageSize), e.imageSize);
    assert.deepEqual(tensorToRgbBytes(back, e.imageSize), tensorToRgbBytes(e.image!, e.imageSize));
  });

  it('encodes RGBA too, and dataUri is a base64 PNG of the model size', async () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 128]);
    const { data, info } = await sharp(encodePng(rgba, 2, 1, 4))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels, ...data], [2, 1, 4, ...rgba]);
    const uri = dataUri(e.image!, e.imageSize);
    assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    assert.equal((await sharp(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64')).metadata()).width, e.imageSize);
    assert.throws(() => encodePng(new Uint8Array(5), 2, 1, 3), /expected 6 bytes/);
  });
});
