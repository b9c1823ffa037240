// Test-side references, written independently of the code under test: a pixel reader that recovers
// a scene from an image, a solver that answers the synthetic questions from their text, the R1-VL
// step-body extraction, and a PNG builder for every colour type and filter.
import { deflateSync } from 'node:zlib';

export interface SeenShape {
  row: number;
  col: number;
  color: string;
  shape: string;
}

/** Reads coloured shapes back from a planar [3,S,S] image of a grid×grid scene. */
export function readShapes(image: Float32Array, size: number, grid: number): SeenShape[] {
  const cell = Math.floor(size / grid);
  const margin = Math.floor((size - cell * grid) / 2);
  const plane = size * size;
  const out: SeenShape[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const px: [number, number][] = [];
      let rgb: string | null = null;
      for (let y = margin + row * cell; y < margin + (row + 1) * cell; y++) {
        for (let x = margin + col * cell; x < margin + (col + 1) * cell; x++) {
          const o = y * size + x;
          const [r, g, b] = [image[o]!, image[plane + o]!, image[2 * plane + o]!];
          if (r === 1 && g === 1 && b === 1) continue;
          const here = `${r},${g},${b}`;
          if (rgb !== null && rgb !== here) throw new Error(`cell ${row},${col} has two colours`);
          rgb = here;
          px.push([x, y]);
        }
      }
      if (px.length === 0) continue;
      const [r, g, b] = rgb!.split(',').map(Number) as [number, number, number];
      const color = r > 0.5 && g > 0.5 ? 'yellow' : r > 0.5 ? 'red' : g > 0.5 ? 'green' : b > 0.5 ? 'blue' : '?';
      const ys = px.map((p) => p[1]);
      const top = Math.min(...ys);
      const bottom = Math.max(...ys);
      const width = (y: number) => px.filter((p) => p[1] === y).length;
      const xs = px.map((p) => p[0]);
      const box = (Math.max(...xs) - Math.min(...xs) + 1) * (bottom - top + 1);
      const shape = width(top) < width(bottom) ? 'triangle' : px.length === box ? 'square' : 'circle';
      out.push({ row, col, color, shape });
    }
  }
  return out;
}

function inCategory(noun: string, s: SeenShape): boolean {
  if (noun === 'shape') return true;
  const m = /^(\w+) shape$/.exec(noun);
  return m ? s.color === m[1] : s.shape === noun;
}

/** Answers a synthetic question from its text and the shapes seen in the image. Returns the number asked for. */
export function solveQuestion(question: string, seen: SeenShape[]): number {
  const n = (noun: string) => seen.filter((s) => inCategory(noun, s)).length;
  const q = question.split('\n')[0]!;
  let m: RegExpExecArray | null;
  if ((m = /^How many (.+)s and (.+)s are there in total\?$/.exec(q))) return n(m[1]!) + n(m[2]!);
  if ((m = /^How many more (.+)s than (.+)s are there\?$/.exec(q))) return n(m[1]!) - n(m[2]!);
  if ((m = /^Each (.+) is worth (\d+) points and each (.+) is worth (\d+) points\. What is the total score\?$/.exec(q))) {
    return n(m[1]!) * Number(m[2]) + n(m[3]!) * Number(m[4]);
  }
  if ((m = /^If all the (.+)s are removed, how many shapes are left\?$/.exec(q))) return seen.length - n(m[1]!);
  if ((m = /^If all the (.+)s are removed and (\d+) \w+ \w+ (?:is|are) added, how many shapes are there\?$/.exec(q))) {
    return seen.length - n(m[1]!) + Number(m[2]);
  }
  if ((m = /^There are (\d+) copies of this picture\. How many (.+)s are there in all the copies\?$/.exec(q))) return n(m[2]!) * Number(m[1]);
  throw new Error(`unrecognised question: ${q}`);
}

/** The expected final answer: the number, or its letter when the question lists choices. */
export function expectedAnswer(question: string, value: number): string {
  const m = /\nChoices: A\. (\d+) B\. (\d+) C\. (\d+) D\. (\d+)$/.exec(question);
  if (!m) return String(value);
  const k = m.slice(1).map(Number).indexOf(value);
  if (k < 0) throw new Error(`value ${value} is not among the choices of: ${question}`);
  return 'ABCD'[k]!;
}

/** R1-VL's key-step search text: step bodies joined with spaces, lowercased (released grpo.py). */
export function r1vlStepText(chain: string): string {
  return [...chain.matchAll(/### Step \d+:\s*([\s\S]*?)(?=\n###|$)/g)].map((m) => m[1]).join(' ').toLowerCase();
}

// ---- PNG fixtures ----

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(4 + body.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 4 + body.length);
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples per pixel row-major (palette indices for type 3), each in 0..2^bitDepth-1. */
  samples: number[];
  palette?: [number, number, number][];
  paletteAlpha?: number[];
  /** Filter type used on every row (the builder applies it, so decoders must undo it). */
  filter?: 0 | 1 | 2 | 3 | 4;
  interlace?: boolean;
}

const SAMPLES_PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

/** Builds a PNG byte for byte from the specification (packing, filtering, chunks), as a fixture. */
export function buildPng(spec: PngSpec): Buffer {
  const spp = SAMPLES_PER_PIXEL[spec.colorType];
  const bitsPerRow = spec.width * spp * spec.bitDepth;
  const stride = Math.ceil(bitsPerRow / 8);
  const bpp = Math.max(1, (spp * spec.bitDepth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < spec.height; y++) {
    const row = new Uint8Array(stride);
    for (let k = 0; k < spec.width * spp; k++) {
      const v = spec.samples[y * spec.width * spp + k]!;
      if (spec.bitDepth === 16) {
        row[2 * k] = v >> 8;
        row[2 * k + 1] = v & 0xff;
      } else if (spec.bitDepth === 8) row[k] = v;
      else {
        const bit = k * spec.bitDepth;
        row[bit >> 3]! |= v << (8 - spec.bitDepth - (bit % 8));
      }
    }
    rows.push(row);
  }
  const f = spec.filter ?? 0;
  const raw: number[] = [];
  rows.forEach((row, y) => {
    raw.push(f);
    const prev = y > 0 ? rows[y - 1]! : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      const p = a + b - c;
      const pae = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, pae][f]!;
      raw.push((row[i]! - pred) & 0xff);
    }
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = spec.bitDepth;
  ihdr[9] = spec.colorType;
  ihdr[12] = spec.interlace ? 1 : 0;
  const chunks = [pngChunk('IHDR', ihdr)];
  if (spec.palette) chunks.push(pngChunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.paletteAlpha) chunks.push(pngChunk('tRNS', Uint8Array.from(spec.paletteAlpha)));
  chunks.push(pngChunk('IDAT', deflateSync(Uint8Array.from(raw))), pngChunk('IEND', new Uint8Array(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}
