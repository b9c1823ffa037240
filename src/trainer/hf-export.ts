// What a trained HF policy leaves behind, for tools outside StepGRPO: a checkpoint's LoRA adapter in
// PEFT's layout, or the whole model in the HF layout (config.json, generation_config.json, the
// tokenizer files, model.safetensors or shards like the base folder's) with every adapter merged
// into its base weight, W' = W + (alpha/rank)·B·A, as PEFT's merge_and_unload does. A full
// fine-tuning checkpoint already holds every weight and is written the same way.
import fs from 'node:fs';
import path from 'node:path';
import type { SafeDType, SafeTensorInput, SafetensorsLayout } from '../engine';
import { type HfDecoderConfig, hfParamSpecs, parseHfConfig } from '../model/hf/config';
import { type LoraConfig, loraNames, loraParamSpecs } from '../model/hf/decoder';
import type { ParamValues } from '../model/params';
import { LATEST_CHECKPOINT, latestCheckpointDir } from '../rundir/checkpoint-pointer';
import { loadWeights } from './checkpoint';
import { checkpointState } from './checkpoint-state';
import { hfWeightsOf } from './hf-weights';
import { buildFolderAtomically, checkFreshFolder, writeFileSynced, writePeftAdapter } from './peft-adapter';
import type { HfFamilyState } from './policy-family';
import { readSafetensorsModel, writeSafetensorsModel } from './safetensors-files';

/** The files besides the weights that a merged model folder copies from its base (those present). */
export const HF_SIDE_FILES = [
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
  'chat_template.jinja',
  'chat_template.json',
] as const;

/**
 * Every base weight with the adapters folded in: W + (alpha/rank)·B·A for each adapted module (the
 * product summed in float64, rounded once). Weights of modules without adapters are the base's
 * own arrays (not copied).
 */
export function mergeLoraWeights(config: HfDecoderConfig, base: ParamValues, lora: LoraConfig, adapter: ParamValues): ParamValues {
  const out: ParamValues = new Map(base);
  const scale = lora.alpha / lora.rank;
  const r = lora.rank;
  for (const s of loraParamSpecs(config, lora)) {
    if (!s.name.endsWith('.lora_A.weight')) continue;
    const module = s.name.slice(0, -'.lora_A.weight'.length);
    const n = loraNames(module);
    const A = adapter.get(n.a);
    const B = adapter.get(n.b);
    const W = base.get(`${module}.weight`);
    if (!A || !B) throw new Error(`merge: adapter tensor '${A ? n.b : n.a}' is missing`);
    if (!W) throw new Error(`merge: base weight '${module}.weight' is missing`);
    const inp = s.shape[1];
    const outDim = W.length / inp;
    if (A.length !== r * inp || B.length !== outDim * r) throw new Error(`merge: adapter of '${module}' does not fit its [${outDim}, ${inp}] weight with rank ${r}`);
    const merged = new Float32Array(W.length);
    const row = new Float64Array(inp);
    for (let o = 0; o < outDim; o++) {
      row.fill(0);
      for (let k = 0; k < r; k++) {
        const b = B[o * r + k]!;
        if (b === 0) continue;
        const a = k * inp;
        for (let i = 0; i < inp; i++) row[i]! += b * A[a + i]!;
      }
      const w = o * inp;
      for (let i = 0; i < inp; i++) merged[w + i] = W[w + i]! + scale * row[i]!;
    }
    out.set(`${module}.weight`, merged);
  }
  return out;
}

export type ExportDType = 'F32' | 'BF16';

const TORCH_DTYPE: Record<ExportDType, string> = { F32: 'float32', BF16: 'bfloat16' };

export interface MergedExportOptions {
  /** The base model folder: config.json, tokenizer files, and (with LoRA) the weights adapters apply to. */
  baseDir: string;
  /** A new folder (absent or empty). */
  out: string;
  /** The config the trained tensors belong to; the base folder's config.json must describe the same model. */
  config: HfDecoderConfig;
  /** The trained tensors: LoRA adapters (`lora` set) or every weight (full fine-tuning, `lora` null). */
  lora: LoraConfig | null;
  values: ParamValues;
  /** Stored dtype of the exported weights (default F32: a merged adapter's small updates survive exactly). */
  dtype?: ExportDType;
}

export interface MergedExport {
  out: string;
  dtype: ExportDType;
  /** Files written, relative to `out`. */
  files: string[];
  /** How many weights the adapters changed (0 for full fine-tuning, which replaces them all). */
  mergedModules: number;
}

function readConfigJson(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'config.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

/** The merged (or fully fine-tuned) model as an HF model folder, written through a temp folder and one rename. */
export function exportMergedHf(o: MergedExportOptions): MergedExport {
  const dtype = o.dtype ?? 'F32';
  checkFreshFolder(o.out);
  const configJson = readConfigJson(o.baseDir);
  const baseConfig = parseHfConfig(configJson, path.join(o.baseDir, 'config.json'));
  if (JSON.stringify(baseConfig) !== JSON.stringify(o.config)) {
    throw new Error(`${path.join(o.baseDir, 'config.json')} no longer describes the model that was trained (its config changed since the run started)`);
  }
  const model = readSafetensorsModel(o.baseDir);
  let weights: ParamValues;
  if (o.lora) weights = mergeLoraWeights(o.config, hfWeightsOf(model, o.baseDir, o.config), o.lora, o.values);
  else {
    weights = new Map();
    for (const s of hfParamSpecs(o.config)) {
      const v = o.values.get(s.name);
      if (!v) throw new Error(`export: weight '${s.name}' is missing from the checkpoint`);
      weights.set(s.name, v);
    }
  }
  // The base folder's layout (same files, same shards), the weights in `dtype`; tensors the decoder
  // does not read (e.g. a tied model's stored lm_head) pass through bit-exactly.
  const specs = new Map(hfParamSpecs(o.config).map((s) => [s.name, s.shape]));
  const firstFile = model.layout.tensors.values().next().value?.file ?? 'model.safetensors';
  const layout: SafetensorsLayout = {
    ...(model.layout.index ? { index: model.layout.index } : {}),
    tensors: new Map(),
    fileMetadata: new Map(),
  };
  const tensors = new Map<string, SafeTensorInput>();
  for (const [name, shape] of specs) {
    layout.tensors.set(name, { file: model.layout.tensors.get(name)?.file ?? firstFile, dtype });
    tensors.set(name, { shape, data: weights.get(name)! });
  }
  for (const [name, t] of model.tensors) {
    if (specs.has(name)) continue;
    layout.tensors.set(name, { file: model.layout.tensors.get(name)!.file, dtype: t.dtype as SafeDType });
    tensors.set(name, { shape: t.shape, data: t.data, dtype: t.dtype });
  }
  // transformers refuses safetensors files whose metadata lacks format "pt".
  for (const { file } of layout.tensors.values()) layout.fileMetadata.set(file, { ...(model.layout.fileMetadata.get(file) ?? {}), format: 'pt' });

  const newConfig = { ...configJson };
  if ('dtype' in newConfig) newConfig.dtype = TORCH_DTYPE[dtype];
  newConfig.torch_dtype = TORCH_DTYPE[dtype];
  const side: [string, Uint8Array | string][] = [['config.json', `${JSON.stringify(newConfig, null, 2)}\n`]];
  for (const name of HF_SIDE_FILES) {
    const file = path.join(o.baseDir, name);
    if (fs.existsSync(file)) side.push([name, fs.readFileSync(file)]);
  }

  const out = o.out.replace(/[/\\]+$/, '');
  let files: string[] = [];
  buildFolderAtomically(out, (tmp) => {
    writeSafetensorsModel(tmp, tensors, layout);
    for (const [name, data] of side) writeFileSynced(path.join(tmp, name), data);
    files = fs.readdirSync(tmp).sort();
  });
  return { out, dtype, files, mergedModules: o.lora ? loraParamSpecs(o.config, o.lora).length / 2 : 0 };
}

/** `checkpoints/<name>` of a run (`latest` when no name), or the folder itself when it is a checkpoint. */
export function resolveCheckpointDir(runOrCheckpoint: string, name?: string): string {
  const dir = path.resolve(runOrCheckpoint);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  if (name === undefined && fs.existsSync(path.join(dir, 'state.json'))) return dir;
  const ckpts = path.join(dir, 'checkpoints');
  if (!fs.existsSync(ckpts)) throw new Error(`${dir} is not a run directory (no checkpoints/ folder) nor a checkpoint (no state.json)`);
  if (name !== undefined) {
    if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') throw new Error(`checkpoint name ${JSON.stringify(name)} is not a folder name such as step-000100`);
    const named = path.join(ckpts, name);
    if (!fs.existsSync(path.join(named, 'state.json'))) {
      const have = fs
        .readdirSync(ckpts)
        .filter((n) => fs.existsSync(path.join(ckpts, n, 'state.json')))
        .sort();
      throw new Error(`${dir} has no checkpoint ${name}${have.length ? ` (it has ${have.join(', ')})` : ' (it has none)'}`);
    }
    return named;
  }
  const target = latestCheckpointDir(ckpts);
  if (target === null) throw new Error(`${dir} has no complete checkpoint yet (checkpoints/${LATEST_CHECKPOINT} is missing)`);
  if (!fs.existsSync(path.join(target, 'state.json'))) throw new Error(`${path.join(ckpts, LATEST_CHECKPOINT)} names ${path.basename(target)}, which is not a complete checkpoint`);
  return target;
}

/** A checkpoint of an HF policy: its family state and trained tensors. Tiny-policy checkpoints are refused. */
export function loadHfCheckpoint(dir: string): { state: HfFamilyState; values: ParamValues } {
  // The family first: a tiny-policy checkpoint is refused before its tensors are read.
  const stateFile = path.join(dir, 'state.json');
  let peek: unknown;
  try {
    peek = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch (e) {
    throw new Error(`${stateFile}: ${(e as Error).message}`);
  }
  const family = (peek as { policy?: { family?: unknown } } | null)?.policy?.family;
  if (family !== 'hf') {
    throw new Error(`${dir} holds the built-in tiny policy, not a Hugging Face model: its run exports it as ONNX (policy.onnx in the run folder); there is no HF-layout export`);
  }
  const { params, state } = loadWeights(dir);
  const checked = checkpointState(state, stateFile);
  return { state: checked.policy as HfFamilyState, values: params };
}

export interface CheckpointExportOptions {
  /** A run directory or a checkpoint folder. */
  run: string;
  /** A checkpoint folder name under checkpoints/ (default: latest). */
  checkpoint?: string;
  out: string;
  /** The merged model in the HF layout; otherwise the PEFT adapter. */
  merged: boolean;
  dtype?: ExportDType;
}

export interface CheckpointExport {
  checkpoint: string;
  kind: 'adapter' | 'merged';
  out: string;
  files: string[];
  base: string;
}

export function exportCheckpoint(o: CheckpointExportOptions): CheckpointExport {
  const checkpoint = resolveCheckpointDir(o.run, o.checkpoint);
  const { state, values } = loadHfCheckpoint(checkpoint);
  const out = path.resolve(o.out);
  const lora = state.settings.lora;
  if (!o.merged) {
    if (!lora) throw new Error(`${checkpoint} is a full fine-tuning checkpoint (model.lora was null): there is no adapter; export the model with --merged`);
    writePeftAdapter(out, state.config, lora, values, state.settings.hf);
    return { checkpoint, kind: 'adapter', out, files: fs.readdirSync(out).sort(), base: state.dir };
  }
  const r = exportMergedHf({ baseDir: state.dir, out, config: state.config, lora, values, ...(o.dtype ? { dtype: o.dtype } : {}) });
  return { checkpoint, kind: 'merged', out, files: r.files, base: state.dir };
}
