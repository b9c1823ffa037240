// ONNX serialisation of a Graph through onnx-proto: ai.onnx opset 17, IR version 8. A symbolic
// dimension is written as a named dim_param, so one model serves every value of it.
import { onnx } from 'onnx-proto';
import { type ExternalFile, externalizeInitializers } from './external-data';
import { type AttrValue, type ConstantData, type Graph, OPSET } from './graph';
import { ONNX_DTYPE, type Tensor, formatShape, isStaticShape, numel } from './tensor';

export interface SerializeOptions {
  /** Graph inputs to store as initializers instead (e.g. trained weights for an export). */
  bake?: ReadonlyMap<string, ConstantData>;
  producer?: string;
}

function tensorProto(name: string, c: ConstantData): onnx.ITensorProto {
  const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  return { name, dims: [...c.shape], dataType: ONNX_DTYPE[c.dtype], rawData: bytes };
}

function attributeProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorProto('', a.value) };
  }
}

function valueInfo(t: Pick<Tensor, 'name' | 'shape' | 'dtype'>): onnx.IValueInfoProto {
  const dim = t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d.key }));
  return { name: t.name, type: { tensorType: { elemType: ONNX_DTYPE[t.dtype], shape: { dim } } } };
}

export interface ExternalDataOptions {
  /** Initializers of at least this many bytes are stored outside the model (see external-data.ts). */
  externalThresholdBytes: number;
}

export interface OnnxModelFiles {
  model: Uint8Array;
  /** Files next to the model, or onnxruntime's `externalData` session option as is. */
  external: ExternalFile[];
}

export function toOnnxBytes(graph: Graph, options: SerializeOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(modelProto(graph, options)).finish();
}

/** For graphs whose weights would push the protobuf over its 2 GB limit. */
export function toOnnxModel(graph: Graph, options: SerializeOptions & ExternalDataOptions): OnnxModelFiles {
  const model = modelProto(graph, options);
  const external = externalizeInitializers(model.graph!.initializer!, options.externalThresholdBytes);
  return { model: onnx.ModelProto.encode(model).finish(), external };
}

function modelProto(graph: Graph, options: SerializeOptions): onnx.ModelProto {
  const bake = options.bake ?? new Map<string, ConstantData>();
  const initializers = [...graph.initializers].map(([n, c]) => tensorProto(n, c));
  const inputs: onnx.IValueInfoProto[] = [];
  // A baked value nothing reads is left out: ORT warns about every unused initializer.
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.tensor.name)]);
  for (const t of graph.inputs) {
    const baked = bake.get(t.name);
    if (!baked) {
      inputs.push(valueInfo(t));
      continue;
    }
    if (!read.has(t.name)) continue;
    const shape = t.shape;
    if (!isStaticShape(shape) || baked.dtype !== t.dtype || numel(baked.shape) !== numel(shape) || baked.data.length !== numel(shape)) {
      throw new Error(`serialize: value for '${t.name}' is ${baked.dtype}${formatShape(baked.shape)}, the graph wants ${t.dtype}${formatShape(shape)}`);
    }
    initializers.push(tensorProto(t.name, { ...baked, shape }));
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: options.producer ?? 'stepgrpo-engine',
    opsetImport: [{ domain: '', version: OPSET }, ...[...new Set(graph.nodes.flatMap((n) => (n.domain ? [n.domain] : [])))].map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: graph.name,
      node: graph.nodes.map((n, i) => ({
        opType: n.op,
        ...(n.domain ? { domain: n.domain } : {}),
        name: `n${i}_${n.op}`,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => attributeProto(k, v)),
      })),
      initializer: initializers,
      input: inputs,
      output: graph.outputs.map((o) => valueInfo(o.tensor)),
    },
  });
  return model;
}
