// Checkpoint directories (DESIGN §4): model.safetensors, optimizer.safetensors and state.json with
// the resolved config, written into a temp folder and renamed so a crash never leaves a checkpoint
// that looks whole; a LoRA run's checkpoint also holds adapter/ in PEFT's layout. state.json records
// the sha256 of every other file, checked when one is read (bit rot fails naming the file instead of
// training on garbage; checkpoints written before checksums load unchecked). Plus an ONNX export of
// the policy (logits graph, weights baked in).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeSafetensors, encodeSafetensors, toOnnxBytes, toOnnxModel } from '../engine';
import { type OptimizerState, type ParamValues, type PolicyConfig, buildLogitsGraph } from '../model';
import { faultPoint } from './fault-point';
import { peftAdapterFiles, writeFileSynced } from './peft-adapter';
import { type FamilyState, familyParamShapes, isHfState } from './policy-family';

/** Where a LoRA run's checkpoint also keeps its adapter in PEFT's layout (loadable by PEFT as is). */
export const CHECKPOINT_ADAPTER_DIR = 'adapter';

export interface CheckpointContents {
  params: ParamValues;
  optimizer: OptimizerState;
  /** Resolved config, step, rng state, data cursor … (JSON). Must hold `policy`: the family state. */
  state: { policy: FamilyState } & Record<string, unknown>;
}

function withShapes(values: ParamValues, c: FamilyState, prefix = ''): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of familyParamShapes(c)) {
    const data = values.get(name);
    if (!data) throw new Error(`checkpoint: parameter '${name}' is missing`);
    out.set(prefix + name, { shape, data });
  }
  return out;
}

/** state.json's field: file name (relative to the checkpoint) → sha256 hex of its bytes. */
const CHECKSUMS_FIELD = 'checksums';
type Checksums = Record<string, string>;
/** Marks the temp folder a checkpoint is written into before its rename. */
const TEMP_MARK = '.tmp-';

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Writes `dir` atomically; refuses to overwrite an existing checkpoint. */
export function saveCheckpoint(dir: string, contents: CheckpointContents): void {
  if (fs.existsSync(dir)) throw new Error(`checkpoint: ${dir} already exists`);
  const c = contents.state.policy;
  const tmp = `${dir}${TEMP_MARK}${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const opt = new Map([...withShapes(contents.optimizer.m, c, 'm.'), ...withShapes(contents.optimizer.v, c, 'v.')]);
    const files: [string, Uint8Array | string][] = [
      ['model.safetensors', encodeSafetensors(withShapes(contents.params, c), { format: 'stepgrpo-policy' })],
      ['optimizer.safetensors', encodeSafetensors(opt, { step: String(contents.optimizer.step) })],
    ];
    if (isHfState(c) && c.settings.lora) {
      fs.mkdirSync(path.join(tmp, CHECKPOINT_ADAPTER_DIR));
      for (const [name, data] of peftAdapterFiles(c.config, c.settings.lora, contents.params, c.settings.hf)) files.push([path.join(CHECKPOINT_ADAPTER_DIR, name), data]);
    }
    const checksums = Object.fromEntries(files.map(([name, data]) => [name.split(path.sep).join('/'), sha256(data)]));
    files.push(['state.json', `${JSON.stringify({ ...contents.state, [CHECKSUMS_FIELD]: checksums }, null, 2)}\n`]);
    for (const [name, data] of files) writeFileSynced(path.join(tmp, name), data);
    faultPoint('checkpoint-write');
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function readTensors(file: string, c: FamilyState, prefix: string, tensors: Map<string, { shape: number[]; data: Float32Array | Float64Array | BigInt64Array }>): ParamValues {
  const out: ParamValues = new Map();
  for (const [name, shape] of familyParamShapes(c)) {
    const t = tensors.get(prefix + name);
    if (!t) throw new Error(`${file}: tensor '${prefix + name}' is missing`);
    if (!(t.data instanceof Float32Array) || t.shape.join() !== shape.join()) throw new Error(`${file}: tensor '${prefix + name}' is not F32 [${shape}]`);
    out.set(name, t.data);
  }
  return out;
}

/** Parameters and state.json of a checkpoint: all a run started from it (`initFrom`) or a KL reference needs. */
export function loadWeights(dir: string): Omit<CheckpointContents, 'optimizer'> & { checksums?: Checksums } {
  const stateFile = path.join(dir, 'state.json');
  let state: CheckpointContents['state'];
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CheckpointContents['state'];
  } catch (err) {
    throw new Error(`${stateFile}: ${(err as Error).message}`);
  }
  if (!state?.policy || typeof state.policy !== 'object') throw new Error(`${stateFile}: field 'policy' (the resolved policy config) is missing`);
  // The checksums describe the files, not the run: a caller gets back the state it saved.
  const { [CHECKSUMS_FIELD]: recorded, ...saved } = state;
  const checksums = recorded as Checksums | undefined;
  const modelFile = path.join(dir, 'model.safetensors');
  const model = decodeSafetensors(readChecked(dir, 'model.safetensors', checksums), modelFile);
  return { params: readTensors(modelFile, state.policy, '', model.tensors), state: saved, ...(checksums ? { checksums } : {}) };
}

/** A checkpoint file's bytes, checked against the sha256 state.json records for it (if any). */
function readChecked(dir: string, name: string, checksums: Checksums | undefined): Buffer {
  const file = path.join(dir, name);
  const bytes = fs.readFileSync(file);
  const expected = checksums?.[name];
  if (expected === undefined) return bytes;
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new Error(
      `${file}: checksum mismatch (state.json records sha256 ${String(expected)}, the file has ${actual}): the checkpoint is corrupt; resume from an earlier one by pointing checkpoints/latest at it`,
    );
  }
  return bytes;
}

/**
 * Removes the temp folders of checkpoints whose writer died before the rename, and a half-written
 * `latest` pointer; only for a caller that holds the run lock (a live writer's temps are its own).
 * Returns the names removed.
 */
export function removeCheckpointTemps(checkpointsDir: string): string[] {
  if (!fs.existsSync(checkpointsDir)) return [];
  const orphans = fs.readdirSync(checkpointsDir).filter((name) => name.includes(TEMP_MARK) || name.endsWith('.tmp'));
  for (const name of orphans) fs.rmSync(path.join(checkpointsDir, name), { recursive: true, force: true });
  return orphans;
}

/** A whole checkpoint, optimizer state included: what resuming a run needs. */
export function loadCheckpoint(dir: string): CheckpointContents {
  const weights = loadWeights(dir);
  const optFile = path.join(dir, 'optimizer.safetensors');
  if (!fs.existsSync(optFile)) throw new Error(`${optFile} is missing: this checkpoint holds weights only, so it can start a run (--init-from) but not resume one`);
  const opt = decodeSafetensors(readChecked(dir, 'optimizer.safetensors', weights.checksums), optFile);
  const step = Number(opt.metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new Error(`${optFile}: metadata 'step' is missing or invalid`);
  return {
    params: weights.params,
    state: weights.state,
    optimizer: { step, m: readTensors(optFile, weights.state.policy, 'm.', opt.tensors), v: readTensors(optFile, weights.state.policy, 'v.', opt.tensors) },
  };
}

/** Weights above this total go to external data files beside the model (a protobuf stops at 2 GB). */
export const EXPORT_INLINE_BYTES = 2 ** 30;

/**
 * ONNX model for inference elsewhere: inputs ids [B, T ≤ maxTextLen] int64 and patches
 * [B, numPatches, patchDim] float32 (pixels − 0.5), output logits [B, T, vocab]; B and T symbolic.
 * When the weights pass EXPORT_INLINE_BYTES in all, every tensor of `externalTensorBytes` or more
 * (1 MiB unless given; giving it forces the layout) is written as `<tensor>.bin` beside the model
 * file, ONNX's external-data layout: ORT finds them from the model's path.
 */
export function exportPolicyOnnx(file: string, config: PolicyConfig, params: ParamValues, externalTensorBytes?: number): void {
  const bake = new Map([...withShapes(params, config)].map(([n, t]) => [n, { dtype: 'float32' as const, shape: t.shape, data: t.data }]));
  const total = [...params.values()].reduce((n, v) => n + v.byteLength, 0);
  const graph = buildLogitsGraph(config);
  const producer = 'stepgrpo-studio';
  const { model, external } =
    externalTensorBytes !== undefined || total > EXPORT_INLINE_BYTES
      ? toOnnxModel(graph, { bake, producer, externalThresholdBytes: externalTensorBytes ?? 2 ** 20 })
      : { model: toOnnxBytes(graph, { bake, producer }), external: [] };
  for (const f of external) writeAtomically(path.join(path.dirname(file), f.path), f.data);
  writeAtomically(file, model);
}

function writeAtomically(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
