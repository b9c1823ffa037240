// Typed handles for values in a graph under construction: every value has a static shape and dtype.
import type { Graph } from './graph';

export type FloatDType = 'float32' | 'float64';
export type DType = FloatDType | 'int64' | 'bool';

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, bool: 9, int64: 7, float64: 11 };

export type Shape = readonly number[];

export interface Tensor {
  readonly graph: Graph;
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  /** True when a gradient can flow back to a parameter through this value. */
  readonly requiresGrad: boolean;
}

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Numpy-style broadcast of two static shapes; throws naming the op when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalises a possibly negative axis against a rank, with a clear error. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}
