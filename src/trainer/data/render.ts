// Deterministic rasteriser for scenes: no anti-aliasing, one sample at each pixel centre, so every
// shape of a kind covers the same pixel mask and the image holds exactly the scene, nothing more.
import type { Color, Item, Scene, Shape } from './scene';

export const PALETTE: Readonly<Record<Color, readonly [number, number, number]>> = {
  red: [0.9, 0.12, 0.1],
  green: [0.1, 0.7, 0.2],
  blue: [0.15, 0.3, 0.95],
  yellow: [0.95, 0.85, 0.1],
};
export const BACKGROUND: readonly [number, number, number] = [1, 1, 1];

/** Where the grid sits in the image: square cells of `cell` pixels, centred with `margin` pixels. */
export interface GridLayout {
  cell: number;
  margin: number;
}

export function gridLayout(imageSize: number, grid: number): GridLayout {
  const cell = Math.floor(imageSize / grid);
  return { cell, margin: Math.floor((imageSize - cell * grid) / 2) };
}

/** Relative sizes, as fractions of the cell, chosen so that shapes with ±cell/8 jitter stay in their cell. */
const CIRCLE_RADIUS = 0.34;
const SQUARE_HALF = 0.28;
const TRIANGLE_HALF = 0.34;

function covers(shape: Shape, x: number, y: number, cell: number): boolean {
  switch (shape) {
    case 'circle':
      return x * x + y * y <= (CIRCLE_RADIUS * cell) ** 2;
    case 'square':
      return Math.abs(x) <= SQUARE_HALF * cell && Math.abs(y) <= SQUARE_HALF * cell;
    case 'triangle': {
      // Apex up: the half-width grows linearly from 0 at the top to h at the base.
      const h = TRIANGLE_HALF * cell;
      return y >= -h && y <= h && Math.abs(x) <= (y + h) / 2;
    }
  }
}

function paintItem(out: Float32Array, size: number, layout: GridLayout, it: Item): void {
  const { cell, margin } = layout;
  const x0 = margin + it.col * cell;
  const y0 = margin + it.row * cell;
  const cx = x0 + cell / 2 + it.dx;
  const cy = y0 + cell / 2 + it.dy;
  const [r, g, b] = PALETTE[it.color];
  const plane = size * size;
  for (let py = y0; py < y0 + cell; py++) {
    for (let px = x0; px < x0 + cell; px++) {
      if (!covers(it.shape, px + 0.5 - cx, py + 0.5 - cy, cell)) continue;
      const o = py * size + px;
      out[o] = r;
      out[plane + o] = g;
      out[2 * plane + o] = b;
    }
  }
}

/** The scene as planar RGB [3, size, size] in 0..1. */
export function renderScene(scene: Scene, size: number): Float32Array {
  const layout = gridLayout(size, scene.grid);
  if (layout.cell < 8) throw new RangeError(`image size ${size} is too small for a ${scene.grid}×${scene.grid} grid (cells under 8 px)`);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  out.fill(BACKGROUND[0], 0, plane);
  out.fill(BACKGROUND[1], plane, 2 * plane);
  out.fill(BACKGROUND[2], 2 * plane);
  for (const it of scene.items) paintItem(out, size, layout, it);
  return out;
}
