// safetensors (https://github.com/huggingface/safetensors) encode/decode on bytes only: an 8-byte
// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then raw data.
import { formatShape, numel } from './tensor';

export type SafeDType = 'F32' | 'F64' | 'I64';
export type SafeData = Float32Array | Float64Array | BigInt64Array;

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: SafeData;
}

const BYTES: Record<SafeDType, number> = { F32: 4, F64: 8, I64: 8 };

function dtypeOf(data: SafeData): SafeDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  return 'I64';
}

/** Serialises tensors (in name order, so output is deterministic) with optional string metadata. */
export function encodeSafetensors(tensors: ReadonlyMap<string, { shape: readonly number[]; data: SafeData }>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (t.data.length !== numel(t.shape)) throw new Error(`safetensors: '${name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
    header[name] = { dtype: dtypeOf(t.data), shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

export interface DecodedSafetensors {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** Parses safetensors bytes; `source` names the file in error messages. Copies data (aligned). */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): DecodedSafetensors {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`only ${bytes.length} bytes`);
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > bytes.length - 8) fail(`header length ${headerLen} exceeds file size ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (err) {
    return fail(`header is not JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'F64' && e.dtype !== 'I64') fail(`tensor '${name}' has unsupported dtype ${String(e.dtype)}`);
    const dtype = e.dtype as SafeDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape`);
    const shape = e.shape as number[];
    const offs = e.data_offsets as [number, number] | undefined;
    if (!Array.isArray(offs) || offs.length !== 2 || !(0 <= offs[0] && offs[0] <= offs[1] && offs[1] <= dataLen)) fail(`tensor '${name}' has bad data_offsets`);
    const [begin, end] = offs!;
    if (end - begin !== numel(shape) * BYTES[dtype]) fail(`tensor '${name}': ${end - begin} bytes for ${dtype}${formatShape(shape)}`);
    // Copy (Buffer.slice would alias the pool) so the typed array is aligned and owns its memory.
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)).buffer;
    const data = dtype === 'F32' ? new Float32Array(copy) : dtype === 'F64' ? new Float64Array(copy) : new BigInt64Array(copy);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
