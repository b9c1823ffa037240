// LoRA adapters in PEFT's on-disk layout (what `PeftModel.save_pretrained` writes and
// `PeftModel.from_pretrained` reads): adapter_config.json with LoraConfig's field names and
// adapter_model.safetensors with the tensors under `base_model.model.<module>.lora_A.weight` /
// `.lora_B.weight` (A [r, in], B [out, r], F32). Reading refuses every LoraConfig option the HF
// decoder cannot compute (rsLoRA, DoRA, trained biases, per-layer ranks …) with the field's name.
import fs from 'node:fs';
import path from 'node:path';
import { bf16ToF32, encodeSafetensors, f16ToF32 } from '../engine';
import type { HfDecoderConfig } from '../model/hf/config';
import { LORA_MODULES, type LoraConfig, type LoraModule, loraParamSpecs } from '../model/hf/decoder';
import type { ParamValues } from '../model/params';
import { readSafetensorsModel } from './safetensors-files';

export const PEFT_CONFIG_FILE = 'adapter_config.json';
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
/** PEFT prefixes the wrapped model's parameter names with this (LoraModel.model is the HF model). */
export const PEFT_PREFIX = 'base_model.model.';

export class PeftAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeftAdapterError';
  }
}

/**
 * adapter_config.json for `lora`, with PEFT's LoraConfig field names. Newer options (use_dora,
 * exclude_modules, layer_replication, megatron_*, loftq_config) are left out and take their
 * defaults: older PEFT versions refuse keys they do not know.
 */
export function peftAdapterConfig(lora: LoraConfig, baseModel: string | null): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    revision: null,
    inference_mode: true,
    r: lora.rank,
    lora_alpha: lora.alpha,
    // PEFT holds target_modules as a set and saves it as a list; sorted here so output is stable.
    target_modules: [...lora.targetModules].sort(),
    lora_dropout: 0,
    fan_in_fan_out: false,
    bias: 'none',
    use_rslora: false,
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/** The two files of an adapter, as bytes: what writePeftAdapter writes and a checkpoint embeds. */
export function peftAdapterFiles(config: HfDecoderConfig, lora: LoraConfig, values: ParamValues, baseModel: string | null): [string, Uint8Array][] {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const s of loraParamSpecs(config, lora)) {
    const data = values.get(s.name);
    if (!data) throw new PeftAdapterError(`LoRA adapter: tensor '${s.name}' is missing`);
    if (data.length !== s.shape[0] * s.shape[1]) throw new PeftAdapterError(`LoRA adapter: tensor '${s.name}' has ${data.length} values, expected [${s.shape.join(', ')}]`);
    tensors.set(PEFT_PREFIX + s.name, { shape: s.shape, data });
  }
  const json = `${JSON.stringify(peftAdapterConfig(lora, baseModel), null, 2)}\n`;
  return [
    [PEFT_CONFIG_FILE, new TextEncoder().encode(json)],
    [PEFT_WEIGHTS_FILE, encodeSafetensors(tensors, { format: 'pt' })],
  ];
}

/** `dir` must be absent or an empty folder: exports never mix with (or overwrite) other files. */
export function checkFreshFolder(dir: string): void {
  if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) throw new Error(`${dir} already exists and is not an empty folder`);
}

/** One file written and flushed to disk (the folder holding it is renamed into place afterwards). */
export function writeFileSynced(file: string, data: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Fills a temp folder beside `dir` with `fill(tmp)`, then renames it to `dir` (absent or empty):
 * a reader sees the whole folder or none of it. The temp folder goes away on an error.
 */
export function buildFolderAtomically(dir: string, fill: (tmp: string) => void): void {
  checkFreshFolder(dir);
  const tmp = `${dir.replace(/[/\\]+$/, '')}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Writes `files` (paths relative to `dir`) into a fresh folder `dir` atomically. */
export function writeFolderAtomically(dir: string, files: readonly (readonly [string, Uint8Array | string])[]): void {
  buildFolderAtomically(dir, (tmp) => {
    for (const [name, data] of files) writeFileSynced(path.join(tmp, name), data);
  });
}

/** An adapter folder PEFT can load (`PeftModel.from_pretrained(base, dir)`), written atomically; `dir` must not hold files. */
export function writePeftAdapter(dir: string, config: HfDecoderConfig, lora: LoraConfig, values: ParamValues, baseModel: string | null): void {
  writeFolderAtomically(dir, peftAdapterFiles(config, lora, values, baseModel));
}

export interface PeftAdapter {
  lora: LoraConfig;
  /** The adapter tensors under our names (`model.layers.0.self_attn.q_proj.lora_A.weight`), float32. */
  values: ParamValues;
  /** adapter_config.json's base_model_name_or_path (null when absent). */
  baseModel: string | null;
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/**
 * adapter_config.json's LoRA settings, refusing what the HF decoder does not compute. `source`
 * names the file in errors.
 */
export function parsePeftAdapterConfig(json: unknown, source = PEFT_CONFIG_FILE): { lora: LoraConfig; baseModel: string | null } {
  const fail = (field: string, message: string): never => {
    throw new PeftAdapterError(`${source}: ${field}: ${message}`);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('(root)', 'expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o.peft_type !== 'LORA') fail('peft_type', `${JSON.stringify(o.peft_type)} is not supported (only "LORA")`);
  if (o.task_type !== undefined && o.task_type !== null && o.task_type !== 'CAUSAL_LM') fail('task_type', `${JSON.stringify(o.task_type)} is not supported (only "CAUSAL_LM")`);
  const r = o.r;
  if (!Number.isInteger(r) || (r as number) < 1) fail('r', `must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = o.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) fail('lora_alpha', `must be a number > 0, got ${JSON.stringify(alpha)}`);
  if (o.use_rslora === true) fail('use_rslora', 'rank-stabilised LoRA (scale alpha/√r) is not supported; only alpha/r');
  if (o.use_dora === true) fail('use_dora', 'DoRA adapters are not supported');
  if ((o.bias ?? 'none') !== 'none') fail('bias', `${JSON.stringify(o.bias)} is not supported (only "none": trained biases cannot be represented)`);
  if (o.fan_in_fan_out === true) fail('fan_in_fan_out', "must be false (the decoder's linear weights are [out, in])");
  for (const field of ['rank_pattern', 'alpha_pattern'])
    if (!isEmpty(o[field])) fail(field, `per-module ${field === 'rank_pattern' ? 'ranks' : 'alphas'} are not supported (must be empty)`);
  for (const field of ['modules_to_save', 'layers_to_transform', 'layers_pattern', 'layer_replication', 'exclude_modules', 'megatron_config']) {
    if (!isEmpty(o[field])) fail(field, `must be null or empty, got ${JSON.stringify(o[field])}`);
  }
  const init = o.init_lora_weights ?? true;
  if (typeof init === 'string' && (init === 'loftq' || init === 'olora' || init.startsWith('pissa') || init === 'corda' || init === 'eva')) {
    // These change the base weights along with the adapter: the adapter alone is not the model.
    fail('init_lora_weights', `${JSON.stringify(init)} adapters modify the base weights too and are not supported`);
  }
  let targets: LoraModule[];
  const t = o.target_modules;
  if (t === 'all-linear') targets = [...LORA_MODULES];
  else if (Array.isArray(t) && t.length > 0) {
    for (const m of t) if (!LORA_MODULES.includes(m as LoraModule)) fail('target_modules', `${JSON.stringify(m)} is not one of ${LORA_MODULES.join(', ')}`);
    targets = [...new Set(t as LoraModule[])];
  } else return fail('target_modules', `must be a list of ${LORA_MODULES.join(', ')} or "all-linear", got ${JSON.stringify(t)}`);
  // Our order, so the same adapter always names the same graph.
  targets = LORA_MODULES.filter((m) => targets.includes(m));
  const base = o.base_model_name_or_path;
  return { lora: { rank: r as number, alpha: alpha as number, targetModules: targets }, baseModel: typeof base === 'string' && base !== '' ? base : null };
}

/** The adapter's config alone (no weights): enough to find its base model. */
export function readPeftAdapterConfig(dir: string): { lora: LoraConfig; baseModel: string | null } {
  const file = path.join(dir, PEFT_CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PeftAdapterError(`${dir} is not a PEFT adapter folder (no ${PEFT_CONFIG_FILE})`);
    throw new PeftAdapterError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PeftAdapterError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parsePeftAdapterConfig(json, file);
}

/**
 * A PEFT LoRA adapter folder. With `config` (the base model's), the tensors are checked against
 * the shapes it implies and every one the config's targets need must be present; tensors for
 * anything else are an error (they would be silently dropped).
 */
export function readPeftAdapter(dir: string, config?: HfDecoderConfig): PeftAdapter {
  const { lora, baseModel } = readPeftAdapterConfig(dir);
  const file = path.join(dir, PEFT_WEIGHTS_FILE);
  if (!fs.existsSync(file)) {
    const bin = fs.existsSync(path.join(dir, 'adapter_model.bin'));
    throw new PeftAdapterError(`${dir}: ${PEFT_WEIGHTS_FILE} is missing${bin ? ' (adapter_model.bin, a pickle, is not read: save with safe_serialization=True)' : ''}`);
  }
  const model = readSafetensorsModel(file);
  const values: ParamValues = new Map();
  const shapes = new Map<string, number[]>();
  for (const [name, t] of model.tensors) {
    const m = /^base_model\.model\.(model\.layers\.\d+\.(?:self_attn|mlp)\.(\w+)\.lora_[AB])(?:\.default)?\.weight$/.exec(name);
    if (!m) throw new PeftAdapterError(`${file}: tensor '${name}' is not a LoRA A/B weight of a decoder layer's linear module`);
    if (!lora.targetModules.includes(m[2] as LoraModule)) throw new PeftAdapterError(`${file}: tensor '${name}' adapts ${m[2]}, which target_modules does not list`);
    const data =
      t.dtype === 'F32'
        ? (t.data as Float32Array)
        : t.dtype === 'BF16'
          ? bf16ToF32(t.data as Uint16Array)
          : t.dtype === 'F16'
            ? f16ToF32(t.data as Uint16Array)
            : t.dtype === 'F64'
              ? Float32Array.from(t.data as Float64Array)
              : null;
    if (!data) throw new PeftAdapterError(`${file}: tensor '${name}' is ${t.dtype}; adapters must be F32, BF16, F16 or F64`);
    const ours = `${m[1]}.weight`;
    values.set(ours, data);
    shapes.set(ours, t.shape);
  }
  if (config) {
    const specs = loraParamSpecs(config, lora);
    for (const s of specs) {
      const shape = shapes.get(s.name);
      if (!shape)
        throw new PeftAdapterError(`${file}: tensor '${PEFT_PREFIX}${s.name}' is missing (target_modules ${lora.targetModules.join(', ')} on ${config.numLayers} layers)`);
      if (shape.join() !== s.shape.join())
        throw new PeftAdapterError(`${file}: tensor '${PEFT_PREFIX}${s.name}' is [${shape.join(', ')}]; r = ${lora.rank} and the base model imply [${s.shape.join(', ')}]`);
    }
    if (values.size !== specs.length) {
      const known = new Set(specs.map((s) => s.name));
      const extra = [...values.keys()].find((n) => !known.has(n))!;
      throw new PeftAdapterError(`${file}: tensor '${PEFT_PREFIX}${extra}' is not part of the base model (${config.numLayers} layers)`);
    }
  } else {
    for (const [name, shape] of shapes) {
      const isA = name.endsWith('.lora_A.weight');
      if (shape.length !== 2 || shape[isA ? 0 : 1] !== lora.rank)
        throw new PeftAdapterError(`${file}: tensor '${PEFT_PREFIX}${name}' is [${shape.join(', ')}], not rank ${lora.rank}`);
    }
  }
  return { lora, values, baseModel };
}
