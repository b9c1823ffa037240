// A small GGUF v3 writer (ggml's docs/gguf.md), enough for llama.cpp to load the tiny HF decoder
// fixtures of tiny-checkpoint.ts: F32 tensors only, typed metadata, alignment 32. Also the HF → GGUF
// conversion of a Llama / Qwen2 / Qwen3 checkpoint, replicating what llama.cpp's
// convert_hf_to_gguf.py does (tensor names, LlamaModel.permute of q/k for `llama`, the
// hyper-parameter keys, the gpt2-style BPE vocabulary of a tokenizer.json).
//
// Layout: magic "GGUF", u32 version 3, u64 tensor count, u64 KV count; each KV = string key, u32
// value type, value; each tensor info = string name, u32 n_dims, u64 ne[] (ggml order: innermost
// first, i.e. the reverse of a row-major shape), u32 ggml type, u64 offset into the data section;
// padding to the alignment; tensor data, each tensor padded to the alignment. Strings are a u64
// byte length then UTF-8 bytes, no terminator.
import fs from 'node:fs';
import type { HfDecoderConfig } from '../../src/model/hf/config';

export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** gguf_type (ggml/include/gguf.h). */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GgufValueType, 'ARRAY'>;

/** llama_token_type as the converter writes it (gguf-py TokenType). */
export const GgufTokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

const GGML_TYPE_F32 = 0;
/** general.file_type: LLAMA_FTYPE_ALL_F32. */
const FTYPE_ALL_F32 = 0;

type Scalar = number | bigint | boolean | string;
interface KvEntry {
  key: string;
  type: GgufScalarType | 'ARRAY';
  itemType?: GgufScalarType;
  value: Scalar | readonly Scalar[] | ArrayLike<number>;
}
interface TensorEntry {
  name: string;
  /** Row-major (numpy / safetensors) shape, outermost first. */
  shape: readonly number[];
  data: Float32Array;
}

/** Appends little-endian values to growing chunks. */
class ByteSink {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  length = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }

  private flush(): void {
    if (this.pos > 0) this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    this.length += 1;
  }
  i8(v: number): void {
    this.room(1);
    this.view.setInt8(this.pos, v);
    this.pos += 1;
    this.length += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    this.length += 2;
  }
  i16(v: number): void {
    this.room(2);
    this.view.setInt16(this.pos, v, true);
    this.pos += 2;
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    this.length += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
    this.length += 4;
  }
  f32(v: number): void {
    this.room(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
    this.length += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    this.length += 8;
  }
  u64(v: number | bigint): void {
    this.room(8);
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
    this.length += 8;
  }
  i64(v: number | bigint): void {
    this.room(8);
    this.view.setBigInt64(this.pos, BigInt(v), true);
    this.pos += 8;
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.length += b.length;
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    for (let i = 0; i < n; i++) this.u8(0);
  }
  parts(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }
}

function writeScalar(sink: ByteSink, type: GgufScalarType, v: Scalar, key: string): void {
  const num = (): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`gguf: '${key}': expected a finite number, got ${String(v)}`);
    return v;
  };
  const int = (lo: number, hi: number): number => {
    const n = num();
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`gguf: '${key}': ${n} is not a ${type}`);
    return n;
  };
  switch (type) {
    case 'UINT8':
      return sink.u8(int(0, 0xff));
    case 'INT8':
      return sink.i8(int(-0x80, 0x7f));
    case 'UINT16':
      return sink.u16(int(0, 0xffff));
    case 'INT16':
      return sink.i16(int(-0x8000, 0x7fff));
    case 'UINT32':
      return sink.u32(int(0, 0xffffffff));
    case 'INT32':
      return sink.i32(int(-0x80000000, 0x7fffffff));
    case 'FLOAT32':
      return sink.f32(num());
    case 'FLOAT64':
      return sink.f64(num());
    case 'UINT64':
      return sink.u64(typeof v === 'bigint' ? v : int(0, Number.MAX_SAFE_INTEGER));
    case 'INT64':
      return sink.i64(typeof v === 'bigint' ? v : int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    case 'BOOL':
      if (typeof v !== 'boolean') throw new Error(`gguf: '${key}': expected a boolean, got ${String(v)}`);
      return sink.u8(v ? 1 : 0);
    case 'STRING':
      if (typeof v !== 'string') throw new Error(`gguf: '${key}': expected a string, got ${String(v)}`);
      return sink.string(v);
  }
}

/** Collects metadata and F32 tensors, then encodes one GGUF v3 file. */
export class GgufWriter {
  private readonly kv: KvEntry[] = [];
  private readonly keys = new Set<string>();
  private readonly tensors: TensorEntry[] = [];
  private readonly tensorNames = new Set<string>();

  constructor(readonly alignment = GGUF_DEFAULT_ALIGNMENT) {
    if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) throw new Error(`gguf: alignment ${alignment} is not a power of two`);
    if (alignment !== GGUF_DEFAULT_ALIGNMENT) this.addU32('general.alignment', alignment);
  }

  private add(entry: KvEntry): this {
    if (this.keys.has(entry.key)) throw new Error(`gguf: key '${entry.key}' written twice`);
    this.keys.add(entry.key);
    this.kv.push(entry);
    return this;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  addScalar(key: string, type: GgufScalarType, value: Scalar): this {
    return this.add({ key, type, value });
  }
  addU32(key: string, value: number): this {
    return this.addScalar(key, 'UINT32', value);
  }
  addI32(key: string, value: number): this {
    return this.addScalar(key, 'INT32', value);
  }
  addF32(key: string, value: number): this {
    return this.addScalar(key, 'FLOAT32', value);
  }
  addBool(key: string, value: boolean): this {
    return this.addScalar(key, 'BOOL', value);
  }
  addString(key: string, value: string): this {
    return this.addScalar(key, 'STRING', value);
  }
  /** An array of one scalar type (strings, ints, floats, bools). */
  addArray(key: string, itemType: GgufScalarType, values: readonly Scalar[] | ArrayLike<number>): this {
    return this.add({ key, type: 'ARRAY', itemType, value: values });
  }

  /** An F32 tensor; `shape` is row-major (outermost first), as safetensors and numpy give it. */
  addTensor(name: string, shape: readonly number[], data: Float32Array): this {
    if (this.tensorNames.has(name)) throw new Error(`gguf: tensor '${name}' written twice`);
    if (Buffer.byteLength(name) >= 64) throw new Error(`gguf: tensor name '${name}' is 64 bytes or longer (GGML_MAX_NAME)`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`gguf: tensor '${name}' has shape [${shape.join(', ')}] but ${data.length} values`);
    if (shape.length < 1 || shape.length > 4) throw new Error(`gguf: tensor '${name}' has ${shape.length} dimensions (1 to 4 allowed)`);
    this.tensorNames.add(name);
    this.tensors.push({ name, shape: [...shape], data });
    return this;
  }

  /** The file as pieces (header, then each tensor's bytes as views), in the order written. */
  encode(): Uint8Array[] {
    const head = new ByteSink();
    head.u32(0x46554747); // "GGUF" little-endian
    head.u32(GGUF_VERSION);
    head.u64(this.tensors.length);
    head.u64(this.kv.length);
    for (const e of this.kv) {
      head.string(e.key);
      if (e.type === 'ARRAY') {
        const items = e.value as ArrayLike<Scalar>;
        head.u32(GgufValueType.ARRAY);
        head.u32(GgufValueType[e.itemType!]);
        head.u64(items.length);
        for (let i = 0; i < items.length; i++) writeScalar(head, e.itemType!, items[i]!, e.key);
      } else {
        head.u32(GgufValueType[e.type]);
        writeScalar(head, e.type, e.value as Scalar, e.key);
      }
    }
    let offset = 0;
    const padded = (n: number): number => Math.ceil(n / this.alignment) * this.alignment;
    for (const t of this.tensors) {
      head.string(t.name);
      head.u32(t.shape.length);
      for (let i = t.shape.length - 1; i >= 0; i--) head.u64(t.shape[i]!);
      head.u32(GGML_TYPE_F32);
      head.u64(offset);
      offset += padded(t.data.byteLength);
    }
    head.pad(this.alignment);
    const parts = head.parts();
    const zeros = new Uint8Array(this.alignment);
    for (const t of this.tensors) {
      parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      const pad = padded(t.data.byteLength) - t.data.byteLength;
      if (pad) parts.push(zeros.subarray(0, pad));
    }
    return parts;
  }

  writeFile(file: string): void {
    const fd = fs.openSync(file, 'w');
    try {
      for (const part of this.encode()) {
        for (let done = 0; done < part.length;) done += fs.writeSync(fd, part, done, part.length - done);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HF decoder → GGUF, as convert_hf_to_gguf.py does it.

/**
 * LlamaModel.permute: HF stores q/k rows for rotate_half (the two halves of each head rotate
 * together); llama.cpp's `llama` rope rotates adjacent pairs, so the converter reorders each head's
 * rows from [half 0 | half 1] to interleaved. reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2).
 * For k, n_head is the KV head count. Works for weights [rows, cols] and biases (cols = 1).
 */
export function llamaPermute(data: Float32Array, rows: number, nHead: number): Float32Array {
  const cols = data.length / rows;
  if (!Number.isInteger(cols) || rows % (2 * nHead) !== 0) throw new Error(`permute: ${rows} rows do not split into ${nHead} heads of pairs`);
  const half = rows / nHead / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < nHead; h++) {
    for (let t = 0; t < 2; t++) {
      for (let j = 0; j < half; j++) {
        const src = (h * 2 * half + t * half + j) * cols;
        const dst = (h * 2 * half + j * 2 + t) * cols;
        out.set(data.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

const LAYER_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.q_proj.bias': 'attn_q.bias',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.k_proj.bias': 'attn_k.bias',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.v_proj.bias': 'attn_v.bias',
  'self_attn.q_norm.weight': 'attn_q_norm.weight',
  'self_attn.k_norm.weight': 'attn_k_norm.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.o_proj.bias': 'attn_output.bias',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.gate_proj.bias': 'ffn_gate.bias',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.up_proj.bias': 'ffn_up.bias',
  'mlp.down_proj.weight': 'ffn_down.weight',
  'mlp.down_proj.bias': 'ffn_down.bias',
};

/** The llama.cpp tensor name of an HF decoder parameter (gguf-py tensor_mapping). */
export function ggufTensorName(hfName: string): string {
  if (hfName === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hfName === 'model.norm.weight') return 'output_norm.weight';
  if (hfName === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  const mapped = m && LAYER_NAMES[m[2]!];
  if (!m || !mapped) throw new Error(`gguf: no llama.cpp name for HF tensor '${hfName}'`);
  return `blk.${m[1]}.${mapped}`;
}

/** The HF tensor as the converter stores it: q/k (weight and bias) permuted for `llama`. */
export function ggufTensorData(config: HfDecoderConfig, hfName: string, rows: number, data: Float32Array): Float32Array {
  if (config.architecture !== 'llama') return data;
  if (/\.self_attn\.q_proj\.(weight|bias)$/.test(hfName)) return llamaPermute(data, rows, config.numHeads);
  if (/\.self_attn\.k_proj\.(weight|bias)$/.test(hfName)) return llamaPermute(data, rows, config.numKvHeads);
  return data;
}

/** An HF tokenizer.json (BPE, byte-level) and its tokenizer_config.json, as parsed JSON. */
export interface HfTokenizerFiles {
  tokenizerJson: {
    model: { type: string; vocab: Record<string, number>; merges: Array<string | [string, string]> };
    added_tokens?: Array<{ id: number; content: string; special: boolean; normalized?: boolean }>;
  };
  tokenizerConfig?: Record<string, unknown>;
}

/** get_vocab_base.does_token_look_special */
function looksSpecial(t: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) ||
    (t.startsWith('<|') && t.endsWith('|>')) ||
    (t.startsWith('<｜') && t.endsWith('｜>')) ||
    (t.startsWith('<unused') && t.endsWith('>'))
  );
}

/**
 * The vocabulary as _set_vocab_gpt2 writes it: ids 0..vocabSize-1, absent ids as `[PAD{i}]`
 * (UNUSED), added tokens CONTROL when special or special-looking else USER_DEFINED, the rest NORMAL;
 * merges "a b" (pairs in the new list format joined, spaces inside a part encoded as U+0120+...).
 */
export function ggufVocab(files: HfTokenizerFiles, vocabSize: number): { tokens: string[]; types: Int32Array; merges: string[] } {
  const model = files.tokenizerJson.model;
  if (model.type !== 'BPE') throw new Error(`gguf: tokenizer model ${model.type} is not BPE`);
  const tokens = new Array<string | undefined>(vocabSize);
  const types = new Int32Array(vocabSize);
  for (const [tok, id] of Object.entries(model.vocab)) {
    if (id >= vocabSize) throw new Error(`gguf: token id ${id} is not below vocab_size ${vocabSize}`);
    tokens[id] = tok;
    types[id] = GgufTokenType.NORMAL;
  }
  for (const a of files.tokenizerJson.added_tokens ?? []) {
    if (a.id >= vocabSize) throw new Error(`gguf: added token id ${a.id} is not below vocab_size ${vocabSize}`);
    tokens[a.id] = a.content;
    types[a.id] = a.special || looksSpecial(a.content) ? GgufTokenType.CONTROL : GgufTokenType.USER_DEFINED;
  }
  const out: string[] = new Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    const t = tokens[i];
    if (t === undefined) {
      out[i] = `[PAD${i}]`;
      types[i] = GgufTokenType.UNUSED;
    } else {
      out[i] = t;
    }
  }
  const enc = (s: string): string => s.replace(/ /g, String.fromCharCode(0x20 + 256));
  const merges = model.merges.map((m) => (typeof m === 'string' ? m : `${enc(m[0])} ${enc(m[1])}`));
  return { tokens: out, types, merges };
}

export interface HfToGgufOptions {
  config: HfDecoderConfig;
  /** HF tensors by HF name; shapes as hfParamSpecs gives them. */
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>;
  tokenizer: HfTokenizerFiles;
  name?: string;
  /** tokenizer.ggml.pre; the Qwen2/Qwen3 BPE pre-tokenizer is "qwen2". */
  pre?: string;
  bosTokenId?: number | null;
  eosTokenId?: number | null;
  padTokenId?: number | null;
  addBosToken?: boolean;
}

/** A GgufWriter holding an HF decoder checkpoint converted as convert_hf_to_gguf.py would. */
export function hfDecoderToGguf(o: HfToGgufOptions): GgufWriter {
  const c = o.config;
  const arch = c.architecture;
  const w = new GgufWriter();
  w.addString('general.architecture', arch);
  w.addString('general.name', o.name ?? `tiny-${arch}`);
  w.addU32('general.file_type', FTYPE_ALL_F32);
  w.addU32(`${arch}.vocab_size`, c.vocabSize);
  w.addU32(`${arch}.context_length`, c.maxPositions);
  w.addU32(`${arch}.embedding_length`, c.hiddenSize);
  w.addU32(`${arch}.block_count`, c.numLayers);
  w.addU32(`${arch}.feed_forward_length`, c.intermediateSize);
  w.addU32(`${arch}.attention.head_count`, c.numHeads);
  w.addU32(`${arch}.attention.head_count_kv`, c.numKvHeads);
  w.addF32(`${arch}.attention.layer_norm_rms_epsilon`, c.rmsNormEps);
  w.addF32(`${arch}.rope.freq_base`, c.ropeTheta);
  w.addU32(`${arch}.attention.key_length`, c.headDim);
  w.addU32(`${arch}.attention.value_length`, c.headDim);
  w.addU32(`${arch}.rope.dimension_count`, c.headDim);

  const v = ggufVocab(o.tokenizer, c.vocabSize);
  w.addString('tokenizer.ggml.model', 'gpt2');
  w.addString('tokenizer.ggml.pre', o.pre ?? 'qwen2');
  w.addArray('tokenizer.ggml.tokens', 'STRING', v.tokens);
  w.addArray('tokenizer.ggml.token_type', 'INT32', v.types);
  w.addArray('tokenizer.ggml.merges', 'STRING', v.merges);
  const bos = o.bosTokenId === undefined ? c.bosTokenId : o.bosTokenId;
  const eos = o.eosTokenId === undefined ? (c.eosTokenIds[0] ?? null) : o.eosTokenId;
  if (bos !== null) w.addU32('tokenizer.ggml.bos_token_id', bos);
  if (eos !== null) w.addU32('tokenizer.ggml.eos_token_id', eos);
  if (o.padTokenId !== undefined && o.padTokenId !== null) w.addU32('tokenizer.ggml.padding_token_id', o.padTokenId);
  const cfg = o.tokenizer.tokenizerConfig ?? {};
  const addBos = o.addBosToken ?? (typeof cfg.add_bos_token === 'boolean' ? cfg.add_bos_token : undefined);
  if (addBos !== undefined) w.addBool('tokenizer.ggml.add_bos_token', addBos);
  if (typeof cfg.chat_template === 'string') w.addString('tokenizer.chat_template', cfg.chat_template);

  for (const [name, t] of o.tensors) {
    if (name === 'lm_head.weight' && c.tieWordEmbeddings) continue; // llama.cpp then reads token_embd
    w.addTensor(ggufTensorName(name), t.shape, ggufTensorData(c, name, t.shape[0]!, t.data));
  }
  return w;
}
