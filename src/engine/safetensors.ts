// safetensors (https://github.com/huggingface/safetensors) encode/decode on bytes only: an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then raw data.
// F16 and BF16 tensors are read either raw (16-bit patterns, readSafetensors) or widened to float32
// (decodeSafetensors); both remember the stored dtype, so either writes back bit-exactly as read.
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half';
import { formatShape, numel } from './tensor';

export type SafeDType = 'F16' | 'BF16' | 'F32' | 'F64' | 'I64';
/** F16 and BF16 data are raw bit patterns in a Uint16Array. */
export type SafeData = Uint16Array | Float32Array | Float64Array | BigInt64Array;

export type WideData = Float32Array | Float64Array | BigInt64Array;

/** A tensor as stored: F16/BF16 data are raw bit patterns. */
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: SafeData;
}

/** A tensor with F16/BF16 widened to float32; `dtype` still says how the file stored it. */
export interface WideSafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: WideData;
}

export interface SafetensorsFile<T> {
  tensors: Map<string, T>;
  metadata: Record<string, string>;
}

/**
 * What encoding takes. `dtype` defaults to the data's own (F32, F64, I64); a Uint16Array needs
 * F16 or BF16. F16/BF16 with Float32Array data narrows (round to nearest even) on the way out.
 */
export interface SafeTensorInput {
  shape: readonly number[];
  data: SafeData;
  dtype?: SafeDType;
}

export const SAFE_DTYPE_BYTES: Readonly<Record<SafeDType, number>> = { F16: 2, BF16: 2, F32: 4, F64: 8, I64: 8 };

const isSafeDType = (d: unknown): d is SafeDType => typeof d === 'string' && Object.hasOwn(SAFE_DTYPE_BYTES, d);

/** Random access to a file's bytes, so a shard larger than one typed array (4 GiB on Node 20) can be read. */
export interface ByteSource {
  readonly size: number;
  /** A fresh copy of `length` bytes at `offset`, 8-byte aligned: the decoder keeps it as the tensor's memory. */
  read(offset: number, length: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  // Copy (Buffer.slice would alias the pool) so a typed array over it is aligned and owns its memory.
  return { size: bytes.length, read: (offset, length) => new Uint8Array(bytes.subarray(offset, offset + length)) };
}

function stored(name: string, t: SafeTensorInput): { dtype: SafeDType; data: SafeData } {
  const d = t.data;
  const own: SafeDType | undefined = d instanceof Float32Array ? 'F32' : d instanceof Float64Array ? 'F64' : d instanceof BigInt64Array ? 'I64' : undefined;
  const dtype = t.dtype ?? own;
  if (own && dtype === own) return { dtype: own, data: d };
  if (d instanceof Uint16Array && (dtype === 'F16' || dtype === 'BF16')) return { dtype, data: d };
  if (d instanceof Float32Array && dtype === 'F16') return { dtype, data: f32ToF16(d) };
  if (d instanceof Float32Array && dtype === 'BF16') return { dtype, data: f32ToBf16(d) };
  if (!dtype) throw new Error(`safetensors: '${name}' holds raw 16-bit data, so its dtype (F16 or BF16) must be given`);
  throw new Error(`safetensors: '${name}' cannot be stored as ${dtype} from ${d.constructor.name}`);
}

/**
 * The file as pieces, header first then each tensor's bytes (views, not copies), in name order so
 * output is deterministic: a caller can write a file larger than one typed array piece by piece.
 */
export function encodeSafetensorsParts(tensors: ReadonlyMap<string, SafeTensorInput>, metadata: Record<string, string> = {}): Uint8Array[] {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (t.data.length !== numel(t.shape)) throw new Error(`safetensors: '${name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
    const { dtype, data } = stored(name, t);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const head = new Uint8Array(8 + headerBytes.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  head.set(headerBytes, 8);
  return [head, ...parts];
}

/** Serialises tensors (in name order, so output is deterministic) with optional string metadata. */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafeTensorInput>, metadata: Record<string, string> = {}): Uint8Array {
  const parts = encodeSafetensorsParts(tensors, metadata);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export type DecodedSafetensors = SafetensorsFile<WideSafeTensor>;

/**
 * Parses safetensors bytes, F16/BF16 widened to float32 (what the CPU provider computes in);
 * `source` names the file in error messages. Copies data (aligned).
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): DecodedSafetensors {
  const raw = readSafetensors(bytesSource(bytes), source);
  const tensors = new Map<string, WideSafeTensor>();
  for (const [name, t] of raw.tensors) tensors.set(name, { ...t, data: widen(t) });
  return { tensors, metadata: raw.metadata };
}

function widen(t: SafeTensor): WideData {
  if (t.dtype === 'F16') return f16ToF32(t.data as Uint16Array);
  if (t.dtype === 'BF16') return bf16ToF32(t.data as Uint16Array);
  return t.data as WideData;
}

/** Reads the header, then one tensor at a time from `file`, keeping F16/BF16 as raw bit patterns. */
export function readSafetensors(file: ByteSource, source = 'safetensors'): SafetensorsFile<SafeTensor> {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${why}`);
  };
  if (file.size < 8) fail(`only ${file.size} bytes`);
  const lead = file.read(0, 8);
  const headerLen = Number(new DataView(lead.buffer, lead.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > file.size - 8) fail(`header length ${headerLen} exceeds file size ${file.size}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(file.read(8, headerLen))) as Record<string, unknown>;
  } catch (err) {
    return fail(`header is not JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = file.size - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isSafeDType(e.dtype)) {
      throw new Error(`${source}: tensor '${name}' has dtype ${String(e.dtype)}, which is not supported (supported: ${Object.keys(SAFE_DTYPE_BYTES).join(', ')})`);
    }
    const dtype = e.dtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape`);
    const shape = e.shape as number[];
    const offs = e.data_offsets as [number, number] | undefined;
    if (!Array.isArray(offs) || offs.length !== 2 || !(0 <= offs[0] && offs[0] <= offs[1] && offs[1] <= dataLen)) fail(`tensor '${name}' has bad data_offsets`);
    const [begin, end] = offs!;
    if (end - begin !== numel(shape) * SAFE_DTYPE_BYTES[dtype]) fail(`tensor '${name}': ${end - begin} bytes for ${dtype}${formatShape(shape)}`);
    const bytes = file.read(dataStart + begin, end - begin);
    const n = numel(shape);
    const data =
      dtype === 'F32'
        ? new Float32Array(bytes.buffer, bytes.byteOffset, n)
        : dtype === 'F64'
          ? new Float64Array(bytes.buffer, bytes.byteOffset, n)
          : dtype === 'I64'
            ? new BigInt64Array(bytes.buffer, bytes.byteOffset, n)
            : new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
