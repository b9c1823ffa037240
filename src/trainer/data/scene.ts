// The synthetic task's world: a grid of cells, each empty or holding one coloured shape.
import type { Rng } from '../../model/rng';

export const SHAPES = ['circle', 'square', 'triangle'] as const;
export const COLORS = ['red', 'green', 'blue', 'yellow'] as const;
export type Shape = (typeof SHAPES)[number];
export type Color = (typeof COLORS)[number];

export interface Item {
  shape: Shape;
  color: Color;
  row: number;
  col: number;
  /** Pixel offset of the shape inside its cell (position jitter), each in [-jitter, jitter]. */
  dx: number;
  dy: number;
}

export interface Scene {
  grid: number;
  /** Row-major by cell. */
  items: Item[];
}

export interface SceneOptions {
  /** Cells per side. */
  grid: number;
  minShapes: number;
  maxShapes: number;
  shapes: readonly Shape[];
  colors: readonly Color[];
  /** Largest shift, in pixels, of a shape from its cell centre. */
  jitter: number;
}

export function generateScene(rng: Rng, o: SceneOptions): Scene {
  const cells = o.grid * o.grid;
  const count = rng.int(o.minShapes, Math.min(o.maxShapes, cells));
  const chosen = rng
    .shuffle(Array.from({ length: cells }, (_, i) => i))
    .slice(0, count)
    .sort((a, b) => a - b);
  const items = chosen.map((cell) => ({
    shape: rng.pick(o.shapes),
    color: rng.pick(o.colors),
    row: Math.floor(cell / o.grid),
    col: cell % o.grid,
    dx: rng.int(-o.jitter, o.jitter),
    dy: rng.int(-o.jitter, o.jitter),
  }));
  return { grid: o.grid, items };
}

/** Identity of a scene for splitting and promptIds: what a person sees, jitter excluded. */
export function sceneKey(scene: Scene): string {
  const cells = new Array<string>(scene.grid * scene.grid).fill('..');
  for (const it of scene.items) cells[it.row * scene.grid + it.col] = `${it.color[0]}${it.shape[0]}`;
  return `${scene.grid}:${cells.join('')}`;
}

export function countWhere(scene: Scene, pred: (it: Item) => boolean): number {
  return scene.items.reduce((n, it) => n + (pred(it) ? 1 : 0), 0);
}

export function plural(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}

/** "3 red circles, 1 blue square and 2 green triangles", grouped by colour then shape, in a fixed order. */
export function describeScene(scene: Scene): string {
  const parts: string[] = [];
  for (const color of COLORS) {
    for (const shape of SHAPES) {
      const n = countWhere(scene, (it) => it.color === color && it.shape === shape);
      if (n > 0) parts.push(`${n} ${color} ${n === 1 ? shape : `${shape}s`}`);
    }
  }
  if (parts.length === 0) return 'no shapes';
  if (parts.length === 1) return parts[0]!;
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
