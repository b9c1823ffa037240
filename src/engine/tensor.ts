// Typed handles for values in a graph under construction: every value has a shape and a dtype. A
// dimension is a static size or a symbolic one fixed at run time (batch, sequence length), so one
// graph serves every batch shape.
import type { Graph } from './graph';

export type FloatDType = 'float32' | 'float64';
export type DType = FloatDType | 'int64' | 'bool';

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, bool: 9, int64: 7, float64: 11 };

/**
 * A symbolic size: a polynomial with integer coefficients in named sizes, e.g. `B`, `B*T` or
 * `T + 9`, so reshapes, concatenations and slices can be checked while building as with static
 * sizes. Terms map a monomial (sorted names joined by `*`, '' for the constant) to its coefficient.
 */
export class SymDim {
  private constructor(
    readonly terms: ReadonlyMap<string, number>,
    /** Canonical text: equal polynomials have equal keys. */
    readonly key: string,
  ) {}

  static named(name: string): SymDim {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`symbolic dimension: bad name '${name}'`);
    return new SymDim(new Map([[name, 1]]), name);
  }

  /** Builds from terms; a polynomial with only a constant term is that number. */
  static of(terms: ReadonlyMap<string, number>): Dim {
    const kept = [...terms].filter(([, c]) => c !== 0).sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0));
    if (kept.length === 0) return 0;
    if (kept.length === 1 && kept[0]![0] === '') return kept[0]![1];
    const key = kept.map(([m, c]) => (m === '' ? String(c) : c === 1 ? m : `${c}*${m}`)).join('+');
    return new SymDim(new Map(kept), key);
  }

  /** The single name when this is a bare symbol (`B`), else undefined. */
  get name(): string | undefined {
    const [only] = this.terms;
    return this.terms.size === 1 && only![1] === 1 && !only![0].includes('*') && only![0] !== '' ? only![0] : undefined;
  }

  toString(): string {
    return this.key;
  }
}

export type Dim = number | SymDim;
export type Shape = readonly Dim[];

const termsOf = (d: Dim): ReadonlyMap<string, number> => (typeof d === 'number' ? new Map([['', d]]) : d.terms);
const monomial = (names: string[]): string => names.sort().join('*');
const namesOf = (m: string): string[] => (m === '' ? [] : m.split('*'));

export function dimEq(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.key === b.key;
}

export const isStatic = (d: Dim): d is number => typeof d === 'number';
export const isStaticShape = (s: Shape): s is readonly number[] => s.every(isStatic);

export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const out = new Map(termsOf(a));
  for (const [m, c] of termsOf(b)) out.set(m, (out.get(m) ?? 0) + c);
  return SymDim.of(out);
}

export const dimSub = (a: Dim, b: Dim): Dim => dimAdd(a, dimMul(b, -1));

export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  const out = new Map<string, number>();
  for (const [ma, ca] of termsOf(a)) {
    for (const [mb, cb] of termsOf(b)) {
      const m = monomial([...namesOf(ma), ...namesOf(mb)]);
      out.set(m, (out.get(m) ?? 0) + ca * cb);
    }
  }
  return SymDim.of(out);
}

/** Exact division by a number or a single term (e.g. B·T·D / D); anything else throws. */
export function dimDiv(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0 || a % b !== 0) throw new Error(`dimension ${a} is not divisible by ${b}`);
    return a / b;
  }
  const bt = [...termsOf(b)];
  if (bt.length !== 1) throw new Error(`cannot divide dimension ${String(a)} by ${String(b)}`);
  const [bm, bc] = bt[0]!;
  const out = new Map<string, number>();
  for (const [m, c] of termsOf(a)) {
    const names = namesOf(m);
    for (const n of namesOf(bm)) {
      const i = names.indexOf(n);
      if (i < 0) throw new Error(`dimension ${String(a)} is not divisible by ${String(b)}`);
      names.splice(i, 1);
    }
    if (c % bc !== 0) throw new Error(`dimension ${String(a)} is not divisible by ${String(b)}`);
    out.set(monomial(names), c / bc);
  }
  return SymDim.of(out);
}

/** The shape as numbers; throws naming `what` when a dimension is symbolic. */
export function staticShape(shape: Shape, what: string): readonly number[] {
  if (!isStaticShape(shape)) throw new Error(`${what}: shape ${formatShape(shape)} has symbolic dimensions; a static one is needed here`);
  return shape;
}

/** Product of a shape's dimensions (its element count). */
export const sizeOf = (shape: Shape): Dim => shape.reduce<Dim>((a, b) => dimMul(a, b), 1);

/** A dimension's value once its symbols are known. */
export function evalDim(d: Dim, values: Readonly<Record<string, number>>): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const [m, c] of d.terms) {
    total +=
      c *
      namesOf(m).reduce((p, n) => {
        const v = values[n];
        if (v === undefined) throw new Error(`no value for symbolic dimension '${n}'`);
        return p * v;
      }, 1);
  }
  return total;
}

export interface Tensor {
  readonly graph: Graph;
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  /** True when a gradient can flow back to a parameter through this value. */
  readonly requiresGrad: boolean;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

export function formatShape(shape: Shape): string {
  return `[${shape.map(String).join(',')}]`;
}

/**
 * Numpy-style broadcast of two shapes; throws naming the op when they do not broadcast. A symbolic
 * dimension broadcasts with an equal one or a static 1 only.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (!dimEq(x, y) && x !== 1 && y !== 1) throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i]!));
}

/** Normalises a possibly negative axis against a rank, with a clear error. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}
