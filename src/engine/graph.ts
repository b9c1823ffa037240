// Graph builder core: records ONNX nodes with their shapes, graph inputs/outputs, constants, and the
// tape that reverse mode (autodiff.ts) walks. Differentiable ops live in ops.ts.
import { type DType, type Dim, type FloatDType, type Shape, type Tensor, evalDim, formatShape, isFloat, isStaticShape, numel } from './tensor';

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'tensor'; value: ConstantData };

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  tensor: (value: ConstantData): AttrValue => ({ kind: 'tensor', value }),
};

export type TypedData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export interface ConstantData {
  dtype: DType;
  shape: readonly number[];
  data: TypedData;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** The operator set the op comes from; absent for the default ai.onnx one. */
  domain?: string;
}

/**
 * An input's gradient: a tensor (added to what other uses contributed), or a function that folds
 * this use's contribution into the gradient accumulated so far (e.g. a scatter-add onto it, so a
 * large gradient is not held twice).
 */
export type InputGrad = Tensor | ((accumulated: Tensor | undefined) => Tensor) | undefined;

/** Given the gradient of an op's output, returns gradients for its inputs (undefined = none). */
export type GradRule = (grad: Tensor) => InputGrad[];

/** As GradRule for ops with several outputs; an output no gradient reached gets undefined. */
export type MultiGradRule = (grads: readonly (Tensor | undefined)[]) => InputGrad[];

export interface TapeEntry {
  inputs: readonly Tensor[];
  outputs: readonly Tensor[];
  backward: MultiGradRule;
}

export interface GraphOutput {
  name: string;
  tensor: Tensor;
}

export const OPSET = 17;

export function typedArrayFor(dtype: DType, length: number): TypedData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
}

export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: GraphOutput[] = [];
  readonly initializers = new Map<string, ConstantData>();
  readonly tape: TapeEntry[] = [];
  /** Shape of every value created in this graph. */
  readonly shapeOf = new Map<string, Shape>();
  /**
   * Where each symbolic dimension's run-time value is read: the first input axis declared with it
   * (inputs that share a name must agree at run time).
   */
  private readonly symbolSource = new Map<string, { input: Tensor; axis: number }>();
  /** Run-time int64 tensors already built for a dimension or shape (by key), reused by later nodes. */
  private readonly dimCache = new Map<string, Tensor>();
  /** Off while reverse mode emits gradient nodes, so gradient ops are not themselves taped. */
  recording = true;
  private counter = 0;
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, Tensor>();

  /** `dtype` is the float type of activations and parameters (float64 for gradient checks). */
  constructor(
    readonly dtype: FloatDType = 'float32',
    readonly name = 'graph',
  ) {}

  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph '${this.name}': name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  private tensor(name: string, shape: Shape, dtype: DType, requiresGrad: boolean): Tensor {
    for (const d of shape) {
      if (typeof d === 'number' && (!Number.isInteger(d) || d < 0)) throw new Error(`graph '${this.name}': bad dimension ${d} in ${formatShape(shape)} of '${name}'`);
    }
    this.shapeOf.set(name, shape);
    return { graph: this, name, shape: [...shape], dtype, requiresGrad };
  }

  /** A graph input fed at run time. `requiresGrad` marks parameters that gradients flow to. */
  input(name: string, shape: Shape, dtype: DType = this.dtype, requiresGrad = false): Tensor {
    if (requiresGrad && !isFloat(dtype)) throw new Error(`input '${name}': only float inputs can require gradients`);
    const t = this.tensor(this.claim(name), shape, dtype, requiresGrad);
    this.inputs.push(t);
    shape.forEach((d, axis) => {
      const sym = typeof d === 'number' ? undefined : d.name;
      if (sym && !this.symbolSource.has(sym)) this.symbolSource.set(sym, { input: t, axis });
    });
    return t;
  }

  /** The value of a dimension as an int64 [1] tensor: a constant, or read from the inputs' shapes at run time. */
  dimTensor(d: Dim): Tensor {
    if (typeof d === 'number') return this.int64s([d]);
    const cached = this.dimCache.get(`dim:${d.key}`);
    if (cached) return cached;
    let total: Tensor | undefined;
    for (const [m, c] of d.terms) {
      let term: Tensor | undefined = m === '' ? this.int64s([c]) : undefined;
      for (const name of m === '' ? [] : m.split('*')) {
        const src = this.symbolSource.get(name);
        if (!src) throw new Error(`graph '${this.name}': symbolic dimension '${name}' is used before any input declares it`);
        const v = this.node('Shape', [src.input], [1], 'int64', { start: attr.int(src.axis), end: attr.int(src.axis + 1) });
        term = term ? this.node('Mul', [term, v], [1], 'int64') : v;
      }
      if (m !== '' && c !== 1) term = this.node('Mul', [term!, this.int64s([c])], [1], 'int64');
      total = total ? this.node('Add', [total, term!], [1], 'int64') : term;
    }
    this.dimCache.set(`dim:${d.key}`, total!);
    return total!;
  }

  /** A shape as an int64 [rank] tensor (Reshape, Expand, ConstantOfShape): a constant when it is static. */
  shapeTensor(shape: Shape): Tensor {
    if (isStaticShape(shape)) return this.int64s(shape);
    const key = `shape:${shape.map(String).join(',')}`;
    const cached = this.dimCache.get(key);
    if (cached) return cached;
    const t = this.node(
      'Concat',
      shape.map((d) => this.dimTensor(d)),
      [shape.length],
      'int64',
      { axis: attr.int(0) },
    );
    this.dimCache.set(key, t);
    return t;
  }

  /** A parameter: a float input that gradients are taken with respect to. */
  param(name: string, shape: Shape): Tensor {
    return this.input(name, shape, this.dtype, true);
  }

  /** A constant tensor stored in the model (deduplicated for small constants). */
  constant(data: TypedData, shape: readonly number[], dtype: DType): Tensor {
    if (data.length !== numel(shape)) throw new Error(`constant: ${data.length} values for shape ${formatShape(shape)}`);
    const key = data.length <= 64 ? `${dtype}:${shape.join('x')}:${Array.from(data as ArrayLike<number | bigint>).join(',')}` : undefined;
    const cached = key ? this.constCache.get(key) : undefined;
    if (cached) return cached;
    const t = this.tensor(this.fresh('const'), shape, dtype, false);
    this.initializers.set(t.name, { dtype, shape: [...shape], data });
    if (key) this.constCache.set(key, t);
    return t;
  }

  /** Float scalar in the graph dtype (or the given one). */
  scalar(value: number, dtype: FloatDType = this.dtype): Tensor {
    return this.constant(dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value), [], dtype);
  }

  int64s(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), shape, 'int64');
  }

  /** Emits one raw node with one output of the given static shape and dtype. */
  node(op: string, inputs: readonly Tensor[], shape: Shape, dtype: DType, attrs: Record<string, AttrValue> = {}): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`${op}: input '${t.name}' belongs to graph '${t.graph.name}', not '${this.name}'`);
    }
    const requiresGrad = this.recording && isFloat(dtype) && inputs.some((t) => t.requiresGrad);
    const out = this.tensor(this.fresh(op), shape, dtype, requiresGrad);
    this.nodes.push({ op, inputs: inputs.map((t) => t.name), outputs: [out.name], attrs });
    return out;
  }

  /** Emits a node with several outputs; an empty-string input is an omitted optional input. */
  nodeMulti(op: string, inputs: readonly (Tensor | undefined)[], outs: { shape: Shape; dtype: DType }[], attrs: Record<string, AttrValue> = {}): Tensor[] {
    const needs = this.recording && inputs.some((t) => t?.requiresGrad);
    const outputs = outs.map((o) => this.tensor(this.fresh(op), o.shape, o.dtype, needs && isFloat(o.dtype)));
    this.nodes.push({ op, inputs: inputs.map((t) => t?.name ?? ''), outputs: outputs.map((t) => t.name), attrs });
    return outputs;
  }

  /**
   * Emits a node of another operator set (ORT's com.microsoft fused kernels). Such nodes have no
   * gradient rule, so they are refused where an input could need one: they serve inference graphs.
   */
  nodeFrom(domain: string, op: string, inputs: readonly (Tensor | undefined)[], outs: { shape: Shape; dtype: DType }[], attrs: Record<string, AttrValue> = {}): Tensor[] {
    if (this.recording && inputs.some((t) => t?.requiresGrad)) throw new Error(`${domain}.${op}: no gradient rule (inference graphs only)`);
    const outputs = outs.map((o) => this.tensor(this.fresh(op), o.shape, o.dtype, false));
    this.nodes.push({ op, inputs: inputs.map((t) => t?.name ?? ''), outputs: outputs.map((t) => t.name), attrs, domain });
    return outputs;
  }

  /** Runs `build` with recording off: the nodes it emits carry no gradient and put nothing on the tape. */
  untaped<T>(build: () => T): T {
    const recording = this.recording;
    this.recording = false;
    try {
      return build();
    } finally {
      this.recording = recording;
    }
  }

  /** Records a differentiable op's reverse rule when any input needs a gradient. */
  record(inputs: readonly Tensor[], output: Tensor, backward: GradRule): Tensor {
    if (this.recording && output.requiresGrad) this.tape.push({ inputs, outputs: [output], backward: ([g]) => backward(g!) });
    return output;
  }

  /** As record, for an op with several outputs (one rule sees all their gradients at once). */
  recordMulti(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: MultiGradRule): Tensor[] {
    if (this.recording && outputs.some((o) => o.requiresGrad)) this.tape.push({ inputs, outputs, backward });
    return [...outputs];
  }

  /** Declares a graph output under a chosen name (an Identity node renames it). */
  output(name: string, t: Tensor): Tensor {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`graph '${this.name}': output '${name}' declared twice`);
    this.claim(name);
    const renamed: Tensor = { ...t, name };
    this.nodes.push({ op: 'Identity', inputs: [t.name], outputs: [name], attrs: {} });
    this.outputs.push({ name, tensor: renamed });
    return renamed;
  }

  /**
   * Multiply-accumulate FLOPs of every MatMul/Gemm node (2·M·K·N each), for MFU accounting;
   * `dims` gives the symbolic dimensions' values.
   */
  matmulFlops(dims: Readonly<Record<string, number>> = {}): number {
    let flops = 0;
    for (const n of this.nodes) {
      if (n.op !== 'MatMul' && n.op !== 'Gemm') continue;
      const out = this.shapeOf.get(n.outputs[0]!);
      const a = this.shapeOf.get(n.inputs[0]!);
      if (!out || !a) continue;
      const transA = n.attrs.transA?.kind === 'int' && n.attrs.transA.value === 1;
      const k = transA ? a[a.length - 2]! : a[a.length - 1]!;
      flops += 2 * numel(out.map((d) => evalDim(d, dims))) * evalDim(k, dims);
    }
    return flops;
  }
}
