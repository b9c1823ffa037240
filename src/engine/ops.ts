// Differentiable ops. Each op emits standard ai.onnx nodes (opset 17) and, when an input needs a
// gradient, records its reverse rule — itself written in standard ops — on the tape. Shapes may hold
// symbolic dimensions; a shape that depends on one is computed at run time (Graph.shapeTensor).
import { type AttrValue, type Graph, attr, typedArrayFor } from './graph';
import {
  type DType,
  type Dim,
  type FloatDType,
  type Shape,
  type Tensor,
  ONNX_DTYPE,
  broadcastShapes,
  dimAdd,
  dimDiv,
  dimEq,
  dimSub,
  formatShape,
  isFloat,
  isStatic,
  normAxis,
  sameShape,
  sizeOf,
} from './tensor';

export type Operand = Tensor | number;

function graphOf(op: string, ...xs: Operand[]): Graph {
  const t = xs.find((x): x is Tensor => typeof x !== 'number');
  if (!t) throw new Error(`${op}: at least one operand must be a tensor`);
  for (const x of xs) {
    if (typeof x !== 'number' && x.graph !== t.graph) throw new Error(`${op}: operands come from different graphs`);
  }
  return t.graph;
}

function floatOf(op: string, t: Tensor): FloatDType {
  if (!isFloat(t.dtype)) throw new Error(`${op}: expected a float tensor, got ${t.dtype} '${t.name}'`);
  return t.dtype;
}

function lift(g: Graph, x: Operand, like: DType): Tensor {
  if (typeof x !== 'number') return x;
  if (!isFloat(like)) throw new Error(`cannot mix number ${x} with a ${like} tensor`);
  return g.scalar(x, like);
}

function dtypeOfOperands(op: string, a: Operand, b: Operand): DType {
  const ta = typeof a === 'number' ? undefined : a.dtype;
  const tb = typeof b === 'number' ? undefined : b.dtype;
  if (ta && tb && ta !== tb) throw new Error(`${op}: dtype mismatch ${ta} vs ${tb}`);
  return (ta ?? tb)!;
}

/** Sums a broadcast gradient back down to `shape`. */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const off = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < off || (shape[i - off] === 1 && d !== 1)) axes.push(i);
  });
  const graph = g.graph;
  let r = g;
  if (axes.length) {
    const kept = g.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    r = graph.node('ReduceSum', [g, graph.int64s(axes)], kept, g.dtype, { keepdims: attr.int(1) });
  }
  return sameShape(r.shape, shape) ? r : reshapeNode(r, shape);
}

function zerosLike(graph: Graph, shape: Shape, dtype: DType): Tensor {
  const value = typedArrayFor(dtype, 1);
  return graph.node('ConstantOfShape', [graph.shapeTensor(shape)], shape, dtype, { value: attr.tensor({ dtype, shape: [1], data: value }) });
}

/**
 * A Reshape node to `shape` (same element count). A symbolic target is written with Reshape's own
 * conventions where it can (0 = keep the input's dimension at that index, -1 = the one left over),
 * which needs no run-time shape arithmetic; otherwise the shape is computed at run time.
 */
function reshapeNode(x: Tensor, shape: Shape): Tensor {
  const graph = x.graph;
  let target: Tensor;
  if (shape.every(isStatic)) target = graph.int64s(shape);
  else {
    const coded = shape.map((d, i): number | undefined => (isStatic(d) ? d : i < x.shape.length && dimEq(x.shape[i]!, d) ? 0 : undefined));
    const open = coded.filter((d) => d === undefined).length;
    target = open <= 1 ? graph.int64s(coded.map((d) => d ?? -1)) : graph.shapeTensor(shape);
  }
  return graph.node('Reshape', [x, target], shape, x.dtype);
}

// ---------------------------------------------------------------- elementwise binary

function binary(op: string, a: Operand, b: Operand, rule: (g: Tensor, ta: Tensor, tb: Tensor, out: Tensor) => (Tensor | undefined)[]): Tensor {
  const graph = graphOf(op, a, b);
  const dtype = dtypeOfOperands(op, a, b);
  const ta = lift(graph, a, dtype);
  const tb = lift(graph, b, dtype);
  const out = graph.node(op, [ta, tb], broadcastShapes(op, ta.shape, tb.shape), dtype);
  return graph.record([ta, tb], out, (g) => rule(g, ta, tb, out));
}

export function add(a: Operand, b: Operand): Tensor {
  return binary('Add', a, b, (g, ta, tb) => [ta.requiresGrad ? unbroadcast(g, ta.shape) : undefined, tb.requiresGrad ? unbroadcast(g, tb.shape) : undefined]);
}

export function sub(a: Operand, b: Operand): Tensor {
  return binary('Sub', a, b, (g, ta, tb) => [ta.requiresGrad ? unbroadcast(g, ta.shape) : undefined, tb.requiresGrad ? unbroadcast(neg(g), tb.shape) : undefined]);
}

export function mul(a: Operand, b: Operand): Tensor {
  return binary('Mul', a, b, (g, ta, tb) => [ta.requiresGrad ? unbroadcast(mul(g, tb), ta.shape) : undefined, tb.requiresGrad ? unbroadcast(mul(g, ta), tb.shape) : undefined]);
}

export function div(a: Operand, b: Operand): Tensor {
  return binary('Div', a, b, (g, ta, tb, out) => [
    ta.requiresGrad ? unbroadcast(div(g, tb), ta.shape) : undefined,
    tb.requiresGrad ? unbroadcast(neg(div(mul(g, out), tb)), tb.shape) : undefined,
  ]);
}

function compareMask(op: 'LessOrEqual' | 'GreaterOrEqual', a: Tensor, b: Tensor, shape: Shape): Tensor {
  return a.graph.node(op, [a, b], shape, 'bool');
}

/** Elementwise minimum; ties send the gradient to `a`. */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary('Min', a, b, (g, ta, tb, out) => {
    const pick = compareMask('LessOrEqual', ta, tb, out.shape);
    return [ta.requiresGrad ? unbroadcast(where(pick, g, 0), ta.shape) : undefined, tb.requiresGrad ? unbroadcast(where(pick, 0, g), tb.shape) : undefined];
  });
}

/** Elementwise maximum; ties send the gradient to `a`. */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary('Max', a, b, (g, ta, tb, out) => {
    const pick = compareMask('GreaterOrEqual', ta, tb, out.shape);
    return [ta.requiresGrad ? unbroadcast(where(pick, g, 0), ta.shape) : undefined, tb.requiresGrad ? unbroadcast(where(pick, 0, g), tb.shape) : undefined];
  });
}

// ---------------------------------------------------------------- elementwise unary

function unary(op: string, x: Tensor, rule: (g: Tensor, out: Tensor) => Tensor, attrs: Record<string, AttrValue> = {}): Tensor {
  floatOf(op, x);
  const out = x.graph.node(op, [x], x.shape, x.dtype, attrs);
  return x.graph.record([x], out, (g) => [rule(g, out)]);
}

export const neg = (x: Tensor): Tensor => unary('Neg', x, (g) => neg(g));
export const exp = (x: Tensor): Tensor => unary('Exp', x, (g, y) => mul(g, y));
export const log = (x: Tensor): Tensor => unary('Log', x, (g) => div(g, x));
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x, (g, y) => div(mul(g, 0.5), y));
export const tanh = (x: Tensor): Tensor => unary('Tanh', x, (g, y) => mul(g, sub(1, mul(y, y))));
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x, (g, y) => mul(g, mul(y, sub(1, y))));

/** Clip to [lo, hi]; the gradient passes where lo ≤ x ≤ hi. */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  const graph = x.graph;
  const dtype = floatOf('Clip', x);
  const out = graph.node('Clip', [x, graph.scalar(lo, dtype), graph.scalar(hi, dtype)], x.shape, dtype);
  return graph.record([x], out, (g) => {
    const inside = graph.node(
      'And',
      [compareMask('GreaterOrEqual', x, graph.scalar(lo, dtype), x.shape), compareMask('LessOrEqual', x, graph.scalar(hi, dtype), x.shape)],
      x.shape,
      'bool',
    );
    return [where(inside, g, 0)];
  });
}

/**
 * GELU, tanh approximation (as GPT-2), written as x·σ(z) with z = x(a + b·x²) — the same function,
 * since ½(1 + tanh u) = σ(2u). A fused rule rather than a composition: autodiff through the
 * composed form emits ~20 full-size elementwise ops per call, this forward 6 and backward 7
 * (gelu'(x) = σ(z)·(1 + (x − y)(a + 3b·x²)), reusing y = gelu(x)).
 */
export function gelu(x: Tensor): Tensor {
  const graph = x.graph;
  const dtype = floatOf('Gelu', x);
  const a = 2 * Math.sqrt(2 / Math.PI);
  const b = a * 0.044715;
  const raw = (op: string, u: Tensor, v: Tensor): Tensor => graph.node(op, [u, v], x.shape, dtype);
  const x2 = raw('Mul', x, x);
  const p = raw('Add', raw('Mul', x2, graph.scalar(b, dtype)), graph.scalar(a, dtype));
  const s = graph.node('Sigmoid', [raw('Mul', x, p)], x.shape, dtype);
  const y = raw('Mul', x, s);
  return graph.record([x], y, (g) => {
    const q = add(mul(x2, 3 * b), a);
    return [mul(g, mul(s, add(mul(sub(x, y), q), 1)))];
  });
}

export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/** Float-to-float casts are differentiable (the gradient is cast back); others are not. */
export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  const out = x.graph.node('Cast', [x], x.shape, to, { to: attr.int(ONNX_DTYPE[to]) });
  if (isFloat(to) && isFloat(x.dtype)) return x.graph.record([x], out, (g) => [cast(g, x.dtype)]);
  if (x.requiresGrad) throw new Error(`Cast: ${x.dtype} → ${to} of '${x.name}' is not differentiable`);
  return out;
}

/**
 * x's value with no gradient path back to x: what an on-policy ratio exp(logp − sg(logp)) needs,
 * whose value is 1 and whose gradient is ∇logp.
 */
export function stopGradient(x: Tensor): Tensor {
  return x.graph.untaped(() => x.graph.node('Identity', [x], x.shape, x.dtype));
}

// ---------------------------------------------------------------- selection and comparison

/** Where(cond, a, b); no gradient to the condition. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== 'bool') throw new Error(`Where: condition must be bool, got ${cond.dtype}`);
  const graph = graphOf('Where', cond, a, b);
  const dtype = dtypeOfOperands('Where', a, b);
  const ta = lift(graph, a, dtype);
  const tb = lift(graph, b, dtype);
  const shape = broadcastShapes('Where', cond.shape, broadcastShapes('Where', ta.shape, tb.shape));
  const out = graph.node('Where', [cond, ta, tb], shape, dtype);
  return graph.record([ta, tb], out, (g) => [
    ta.requiresGrad ? unbroadcast(where(cond, g, 0), ta.shape) : undefined,
    tb.requiresGrad ? unbroadcast(where(cond, 0, g), tb.shape) : undefined,
  ]);
}

function compare(op: string, a: Operand, b: Operand): Tensor {
  const graph = graphOf(op, a, b);
  const dtype = dtypeOfOperands(op, a, b);
  const ta = lift(graph, a, dtype);
  const tb = lift(graph, b, dtype);
  return graph.node(op, [ta, tb], broadcastShapes(op, ta.shape, tb.shape), 'bool');
}

export const less = (a: Operand, b: Operand): Tensor => compare('Less', a, b);
export const lessOrEqual = (a: Operand, b: Operand): Tensor => compare('LessOrEqual', a, b);
export const greater = (a: Operand, b: Operand): Tensor => compare('Greater', a, b);
export const equal = (a: Operand, b: Operand): Tensor => compare('Equal', a, b);

/** Lower-triangular bool mask [T, T]: position i may attend to j ≤ i. */
export function causalMask(graph: Graph, t: number): Tensor {
  const data = new Uint8Array(t * t);
  for (let i = 0; i < t; i++) for (let j = 0; j <= i; j++) data[i * t + j] = 1;
  return graph.constant(data, [t, t], 'bool');
}

/**
 * Additive causal mask [T, T] in the graph dtype: 0 where i may attend to j ≤ i, `masked` elsewhere.
 * Added to attention scores it gives the same softmax as Where(causalMask, s, masked) (exp underflows
 * to exactly 0 either way), but its gradient is the identity: no mask op in the backward pass. A
 * symbolic T builds it at run time from two Ranges (the same values).
 */
export function causalBias(graph: Graph, t: Dim, masked = -1e9): Tensor {
  if (isStatic(t)) {
    const data = typedArrayFor(graph.dtype, t * t) as Float32Array | Float64Array;
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) data[i * t + j] = masked;
    return graph.constant(data, [t, t], graph.dtype);
  }
  const one = graph.constant(BigInt64Array.of(1n), [], 'int64');
  const count = graph.node('Reshape', [graph.dimTensor(t), graph.int64s([])], [], 'int64');
  const range = graph.node('Range', [graph.constant(BigInt64Array.of(0n), [], 'int64'), count, one], [t], 'int64');
  const rows = graph.node('Unsqueeze', [range, graph.int64s([1])], [t, 1], 'int64');
  const cols = graph.node('Unsqueeze', [range, graph.int64s([0])], [1, t], 'int64');
  const future = graph.node('Greater', [cols, rows], [t, t], 'bool');
  return graph.node('Where', [future, graph.scalar(masked), graph.scalar(0)], [t, t], graph.dtype);
}

// ---------------------------------------------------------------- linear algebra

function swapLast(x: Tensor): Tensor {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 1], perm[r - 2]] = [perm[r - 2]!, perm[r - 1]!];
  return transpose(x, perm);
}

/** MatMul with numpy batch broadcasting (both operands rank ≥ 2). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const graph = graphOf('MatMul', a, b);
  const dtype = dtypeOfOperands('MatMul', a, b);
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error(`MatMul: operands need rank ≥ 2, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const k = a.shape[a.shape.length - 1]!;
  if (!dimEq(k, b.shape[b.shape.length - 2]!)) throw new Error(`MatMul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const batch = broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = graph.node('MatMul', [a, b], [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 1]!], dtype);
  return graph.record([a, b], out, (g) => {
    if (b.shape.length === 2 && a.shape.length > 2) {
      // Weight gradient folds the batch into one GEMM: [M,K]ᵀ·[M,N].
      const n = b.shape[1]!;
      const m = dimDiv(sizeOf(a.shape), k);
      const gb = b.requiresGrad ? graph.node('Gemm', [reshape(a, [m, k]), reshape(g, [m, n])], [k, n], dtype, { transA: attr.int(1) }) : undefined;
      return [a.requiresGrad ? matmul(g, swapLast(b)) : undefined, gb];
    }
    return [a.requiresGrad ? unbroadcast(matmul(g, swapLast(b)), a.shape) : undefined, b.requiresGrad ? unbroadcast(matmul(swapLast(a), g), b.shape) : undefined];
  });
}

/**
 * x·W + b for x [..., K], W [K, N], b [N], as one Gemm over the rows (x reshaped to [rows, K]): the
 * bias is added inside the GEMM instead of as a separate pass over the output. ORT makes this fusion
 * itself only when shapes are static. The backward pass is that of matmul then add.
 */
export function affine(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const graph = graphOf('Gemm', x, w, b);
  const dtype = dtypeOfOperands('Gemm', x, w);
  const [K, N] = w.shape as [Dim, Dim];
  if (w.shape.length !== 2 || b.shape.length !== 1 || !dimEq(b.shape[0]!, N) || !dimEq(x.shape[x.shape.length - 1]!, K)) {
    throw new Error(`affine: ${formatShape(x.shape)} · ${formatShape(w.shape)} + ${formatShape(b.shape)} do not fit`);
  }
  if (x.shape.length === 2) return graph.record([x, w, b], graph.node('Gemm', [x, w, b], [x.shape[0]!, N], dtype), (g) => affineGrads(x, w, b, g));
  const rows = dimDiv(sizeOf(x.shape), K);
  const flat = reshapeNode(x, [rows, K]);
  const out = reshapeNode(graph.node('Gemm', [flat, w, b], [rows, N], dtype), [...x.shape.slice(0, -1), N]);
  return graph.record([x, w, b], out, (g) => affineGrads(x, w, b, g));
}

/**
 * x·Wᵀ (+ b) for x [..., K] and W [N, K], the layout nn.Linear stores (so Hugging Face weights are
 * used as they are read): one Gemm with transB over the rows. Backward: dx = g·W, dW = gᵀ·x, db = Σg.
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const graph = graphOf('Gemm', x, w, ...(b ? [b] : []));
  const dtype = dtypeOfOperands('Gemm', x, w);
  const [N, K] = w.shape as [Dim, Dim];
  if (w.shape.length !== 2 || !dimEq(x.shape[x.shape.length - 1]!, K) || (b && (b.shape.length !== 1 || !dimEq(b.shape[0]!, N)))) {
    throw new Error(`linear: ${formatShape(x.shape)} · ${formatShape(w.shape)}ᵀ${b ? ` + ${formatShape(b.shape)}` : ''} do not fit`);
  }
  const rows = dimDiv(sizeOf(x.shape), K);
  const flat = x.shape.length === 2 ? x : reshapeNode(x, [rows, K]);
  const gemm = graph.node('Gemm', b ? [flat, w, b] : [flat, w], [rows, N], dtype, { transB: attr.int(1) });
  const out = x.shape.length === 2 ? gemm : reshapeNode(gemm, [...x.shape.slice(0, -1), N]);
  const inputs = b ? [x, w, b] : [x, w];
  return graph.record(inputs, out, (g) => {
    const gFlat = reshape(g, [rows, N]);
    const gw = w.requiresGrad ? graph.node('Gemm', [gFlat, reshape(x, [rows, K])], [N, K], dtype, { transA: attr.int(1) }) : undefined;
    return [x.requiresGrad ? matmul(g, w) : undefined, gw, b?.requiresGrad ? unbroadcast(g, b.shape) : undefined];
  });
}

/** The gradients matmul(x, w) then add(·, b) would give. */
function affineGrads(x: Tensor, w: Tensor, b: Tensor, g: Tensor): (Tensor | undefined)[] {
  const graph = x.graph;
  const [K, N] = w.shape as [Dim, Dim];
  const rows = dimDiv(sizeOf(x.shape), K);
  const gw = w.requiresGrad ? graph.node('Gemm', [reshape(x, [rows, K]), reshape(g, [rows, N])], [K, N], g.dtype, { transA: attr.int(1) }) : undefined;
  return [x.requiresGrad ? matmul(g, swapLast(w)) : undefined, gw, b.requiresGrad ? unbroadcast(g, b.shape) : undefined];
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i)) throw new Error(`Transpose: perm [${perm}] invalid for ${formatShape(x.shape)}`);
  // Moving only size-1 axes keeps the memory order: a Reshape (a view in ORT) instead of a copy.
  const moved = perm.filter((p) => x.shape[p] !== 1);
  if (moved.every((p, i) => i === 0 || moved[i - 1]! < p))
    return reshape(
      x,
      perm.map((p) => x.shape[p]!),
    );
  const out = x.graph.node(
    'Transpose',
    [x],
    perm.map((p) => x.shape[p]!),
    x.dtype,
    { perm: attr.ints(perm) },
  );
  const inverse: number[] = [];
  perm.forEach((p, i) => (inverse[p] = i));
  return x.graph.record([x], out, (g) => [transpose(g, inverse)]);
}

/** Reshape; one dimension may be -1 (resolved exactly, symbolic dimensions included). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const fail = (): never => {
    throw new Error(`Reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  };
  if (shape.filter((d) => d === -1).length > 1) fail();
  let resolved: Dim[];
  try {
    const rest = sizeOf(shape.filter((d) => d !== -1));
    resolved = shape.map((d) => (d === -1 ? dimDiv(sizeOf(x.shape), rest) : d));
  } catch {
    return fail();
  }
  if (!dimEq(sizeOf(resolved), sizeOf(x.shape))) fail();
  if (sameShape(resolved, x.shape)) return x;
  const out = reshapeNode(x, resolved);
  return x.graph.record([x], out, (g) => [reshape(g, x.shape)]);
}

/** x[..., start:end, ...] along one axis; bounds are checked where they are static. */
export function slice(x: Tensor, axis: number, start: Dim, end: Dim): Tensor {
  const ax = normAxis('Slice', axis, x.shape.length);
  const dim = x.shape[ax]!;
  const len = dimSub(end, start);
  const bad = (isStatic(start) && start < 0) || (isStatic(len) && len < 1) || (isStatic(dim) && isStatic(end) && end > dim);
  if (bad) throw new Error(`Slice: range ${String(start)}:${String(end)} out of bounds for axis ${axis} of ${formatShape(x.shape)}`);
  const graph = x.graph;
  const shape = x.shape.map((d, i) => (i === ax ? len : d));
  const out = graph.node('Slice', [x, graph.dimTensor(start), graph.dimTensor(end), graph.int64s([ax])], shape, x.dtype);
  return graph.record([x], out, (g) => {
    const pads = new Array<Dim>(2 * x.shape.length).fill(0);
    pads[ax] = start;
    pads[x.shape.length + ax] = dimSub(dim, end);
    return [graph.node('Pad', [g, graph.shapeTensor(pads)], x.shape, x.dtype)];
  });
}

/** Splits along one axis into consecutive pieces of the given sizes; the gradient is one Concat. */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const ax = normAxis('Split', axis, x.shape.length);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || sizes.reduce((a, b) => a + b, 0) !== x.shape[ax]) {
    throw new Error(`Split: sizes [${sizes}] do not partition axis ${axis} of ${formatShape(x.shape)}`);
  }
  const graph = x.graph;
  const outs = graph.nodeMulti(
    'Split',
    [x, graph.int64s(sizes)],
    sizes.map((n) => ({ shape: x.shape.map((d, i) => (i === ax ? n : d)), dtype: x.dtype })),
    { axis: attr.int(ax) },
  );
  return graph.recordMulti([x], outs, (gs) => [
    graph.node(
      'Concat',
      gs.map((g, i) => g ?? zerosLike(graph, outs[i]!.shape, x.dtype)),
      x.shape,
      x.dtype,
      { axis: attr.int(ax) },
    ),
  ]);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new Error('Concat: no inputs');
  const ax = normAxis('Concat', axis, first.shape.length);
  for (const x of xs) {
    if (x.dtype !== first.dtype || x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== ax && !dimEq(d, first.shape[i]!))) {
      throw new Error(`Concat: ${formatShape(x.shape)} ${x.dtype} does not fit ${formatShape(first.shape)} ${first.dtype} along axis ${axis}`);
    }
  }
  const graph = graphOf('Concat', ...xs);
  const total = xs.reduce<Dim>((s, x) => dimAdd(s, x.shape[ax]!), 0);
  const out = graph.node(
    'Concat',
    xs,
    first.shape.map((d, i) => (i === ax ? total : d)),
    first.dtype,
    { axis: attr.int(ax) },
  );
  return graph.record(xs, out, (g) => {
    let offset: Dim = 0;
    return xs.map((x) => {
      const start = offset;
      offset = dimAdd(offset, x.shape[ax]!);
      return x.requiresGrad ? slice(g, ax, start, offset) : undefined;
    });
  });
}

// ---------------------------------------------------------------- reductions and normalisation

function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): Dim[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

export function reduceSum(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
  const ax = axes.map((a) => normAxis('ReduceSum', a, x.shape.length));
  const graph = x.graph;
  const out = graph.node('ReduceSum', [x, graph.int64s(ax)], reducedShape(x.shape, ax, keepdims), x.dtype, { keepdims: attr.int(keepdims ? 1 : 0) });
  return graph.record([x], out, (g) => [graph.node('Expand', [reshape(g, reducedShape(x.shape, ax, true)), graph.shapeTensor(x.shape)], x.shape, x.dtype)]);
}

export function reduceMean(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
  const ax = axes.map((a) => normAxis('ReduceMean', a, x.shape.length));
  const count = sizeOf(ax.map((a) => x.shape[a]!));
  return mul(reduceSum(x, ax, keepdims), isStatic(count) ? 1 / count : reciprocalOf(x.graph, count, floatOf('ReduceMean', x)));
}

/**
 * 1 / d as a float scalar computed at run time. The float reciprocal of an integer is correctly
 * rounded, as is Math.fround(1 / d), so it equals the constant a static d would give.
 */
function reciprocalOf(graph: Graph, d: Dim, dtype: FloatDType): Tensor {
  const f = graph.node('Cast', [graph.dimTensor(d)], [1], dtype, { to: attr.int(ONNX_DTYPE[dtype]) });
  return graph.node('Reciprocal', [graph.node('Reshape', [f, graph.int64s([])], [], dtype)], [], dtype);
}

/** Sum of all elements as a scalar. */
export const sumAll = (x: Tensor): Tensor => reduceSum(x, [...x.shape.keys()], false);

function lastAxisOnly(op: string, x: Tensor, axis: number): number {
  const ax = normAxis(op, axis, x.shape.length);
  if (ax !== x.shape.length - 1) throw new Error(`${op}: only the last axis is supported, got ${axis}`);
  return ax;
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const ax = lastAxisOnly('Softmax', x, axis);
  floatOf('Softmax', x);
  const out = x.graph.node('Softmax', [x], x.shape, x.dtype, { axis: attr.int(ax) });
  return x.graph.record([x], out, (g) => [mul(out, sub(g, reduceSum(mul(g, out), [ax], true)))]);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const ax = lastAxisOnly('LogSoftmax', x, axis);
  floatOf('LogSoftmax', x);
  const out = x.graph.node('LogSoftmax', [x], x.shape, x.dtype, { axis: attr.int(ax) });
  return x.graph.record([x], out, (g) => [sub(g, mul(exp(out), reduceSum(g, [ax], true)))]);
}

/**
 * RMSNorm over the last axis (Llama, Qwen): x / √(mean(x²) + ε) · w. A fused rule: with n = x·r,
 * r = (mean(x²) + ε)^-½ and u = g·w, dx = r·(u − n·mean(u·n)) and dw = Σ g·n.
 */
export function rmsNorm(x: Tensor, w: Tensor, eps: number): Tensor {
  const graph = graphOf('RMSNorm', x, w);
  const dtype = floatOf('RMSNorm', x);
  const d = x.shape[x.shape.length - 1]!;
  if (!sameShape(w.shape, [d])) throw new Error(`RMSNorm: weight must be [${String(d)}], got ${formatShape(w.shape)}`);
  const stat = [...x.shape.slice(0, -1), 1];
  const rowMean = (v: Tensor): Tensor => graph.node('ReduceMean', [v], stat, dtype, { axes: attr.ints([x.shape.length - 1]), keepdims: attr.int(1) });
  const r = graph.node(
    'Reciprocal',
    [graph.node('Sqrt', [graph.node('Add', [rowMean(graph.node('Mul', [x, x], x.shape, dtype)), graph.scalar(eps, dtype)], stat, dtype)], stat, dtype)],
    stat,
    dtype,
  );
  const n = graph.node('Mul', [x, r], x.shape, dtype);
  const y = graph.node('Mul', [n, w], x.shape, dtype);
  return graph.record([x, w], y, (g) => {
    const u = x.requiresGrad ? mul(g, w) : undefined;
    return [u ? mul(r, sub(u, mul(n, reduceMean(mul(u, n), [-1], true)))) : undefined, w.requiresGrad ? unbroadcast(mul(g, n), w.shape) : undefined];
  });
}

/**
 * LayerNormalization-17 over the last axis. Its Mean/InvStdDev outputs are float32 only, so the
 * float32 backward reuses them and the float64 backward recomputes them in float64.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const graph = graphOf('LayerNormalization', x, gamma, beta);
  const dtype = floatOf('LayerNormalization', x);
  const d = x.shape[x.shape.length - 1]!;
  if (!sameShape(gamma.shape, [d]) || !sameShape(beta.shape, [d]))
    throw new Error(`LayerNormalization: scale/bias must be [${d}], got ${formatShape(gamma.shape)} / ${formatShape(beta.shape)}`);
  const stat = [...x.shape.slice(0, -1), 1];
  const [y, mean, invStd] = graph.nodeMulti(
    'LayerNormalization',
    [x, gamma, beta],
    [
      { shape: x.shape, dtype },
      { shape: stat, dtype: 'float32' },
      { shape: stat, dtype: 'float32' },
    ],
    { axis: attr.int(-1), epsilon: attr.float(eps) },
  ) as [Tensor, Tensor, Tensor];
  const last = [x.shape.length - 1];
  const rowMean = (v: Tensor): Tensor => graph.node('ReduceMean', [v], stat, v.dtype, { axes: attr.ints(last), keepdims: attr.int(1) });
  return graph.record([x, gamma, beta], y, (g) => {
    let mu = mean;
    let inv = invStd;
    if (dtype !== 'float32') {
      mu = rowMean(x);
      const xc = sub(x, mu);
      inv = div(1, sqrt(add(rowMean(mul(xc, xc)), eps)));
    }
    const xhat = mul(sub(x, mu), inv);
    const dxhat = mul(g, gamma);
    const dx = x.requiresGrad ? mul(inv, sub(sub(dxhat, rowMean(dxhat)), mul(xhat, rowMean(mul(dxhat, xhat))))) : undefined;
    return [dx, gamma.requiresGrad ? unbroadcast(mul(g, xhat), gamma.shape) : undefined, beta.requiresGrad ? unbroadcast(g, beta.shape) : undefined];
  });
}

// ---------------------------------------------------------------- indexing

/**
 * Embedding lookup: table [V, ...] rows picked by int64 `indices`; gradient scatter-added onto the
 * table's gradient from its other uses (a tied head) when there is one, so no second table-sized
 * gradient exists. The scatter is ScatterElements(add) with the row index repeated along each row:
 * ORT's CPU ScatterND(add) splits the updates across intra-op threads, and two threads adding into
 * one row (a token seen twice) lose updates (onnxruntime#18048; measured in
 * test/integration/engine/gather-threads.test.ts), where ScatterElements adds in index order.
 */
export function gather(table: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int64') throw new Error(`Gather: indices must be int64, got ${indices.dtype}`);
  const graph = graphOf('Gather', table, indices);
  const rest = table.shape.slice(1);
  const out = graph.node('Gather', [table, indices], [...indices.shape, ...rest], table.dtype, { axis: attr.int(0) });
  return graph.record([table], out, (g) => {
    const n = sizeOf(indices.shape);
    const width = sizeOf(rest);
    const rows: Shape = [table.shape[0]!, width];
    const updates = reshape(g, [n, width]);
    const idx = graph.node('Expand', [reshapeNode(indices, [n, 1]), graph.shapeTensor([n, width])], [n, width], 'int64');
    return [
      (onto: Tensor | undefined) => {
        const flat = rest.length === 1;
        const base = onto ? (flat ? onto : reshapeNode(onto, rows)) : zerosLike(graph, rows, table.dtype);
        const summed = graph.node('ScatterElements', [base, idx, updates], rows, table.dtype, { axis: attr.int(0), reduction: attr.string('add') });
        return flat ? summed : reshapeNode(summed, table.shape);
      },
    ];
  });
}

/** GatherElements along `axis` (token log-probs); gradient via ScatterElements(add). */
export function gatherElements(x: Tensor, indices: Tensor, axis = -1): Tensor {
  if (indices.dtype !== 'int64') throw new Error(`GatherElements: indices must be int64, got ${indices.dtype}`);
  if (indices.shape.length !== x.shape.length) throw new Error(`GatherElements: indices rank ${indices.shape.length} ≠ data rank ${x.shape.length}`);
  const ax = normAxis('GatherElements', axis, x.shape.length);
  const graph = graphOf('GatherElements', x, indices);
  const out = graph.node('GatherElements', [x, indices], indices.shape, x.dtype, { axis: attr.int(ax) });
  return graph.record([x], out, (g) => [
    graph.node('ScatterElements', [zerosLike(graph, x.shape, x.dtype), indices, g], x.shape, x.dtype, { axis: attr.int(ax), reduction: attr.string('add') }),
  ]);
}

export { zerosLike };
