// Rollout folders of the training engines, the pure part (no vscode): which step files a folder
// holds, and their rows as chain records for RolloutImporter, which rescores them with the chosen
// preset. The engine's own numbers travel along as `engine` and are shown beside ours.
// - verl: `trainer.rollout_data_dir/{step}.jsonl`, rows `input, output, gts, score, step`, every
//   `reward_extra_info` key, `request_id` when present, `uid` in v0.9 (ray_trainer._dump_generations).
// - TRL: `<output_dir>/completions/completions_{step:05d}.parquet` (log_completions), columns
//   `step, prompt, completion`, one per reward function, the `log_extra` columns, `advantage`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isObject } from '../../protocol/schema';

export type EngineKind = 'verl' | 'trl';

export interface StepFile {
  step: number;
  file: string;
}

const VERL_FILE = /^(\d+)\.jsonl$/;
const TRL_FILE = /^completions_(\d+)\.parquet$/;

/** The folder that holds TRL's parquet files: `<output_dir>/completions/` or the folder itself. */
async function trlFolder(dir: string): Promise<string> {
  const sub = path.join(dir, 'completions');
  try {
    if ((await fs.stat(sub)).isDirectory()) return sub;
  } catch {
    // the folder itself
  }
  return dir;
}

/** Step files in `dir`, ascending; `kind` is what the names say (verl wins on a tie: none seen so far). */
export async function listStepFiles(dir: string, kind?: EngineKind): Promise<{ kind: EngineKind | undefined; files: StepFile[] }> {
  const scan = async (folder: string, pattern: RegExp): Promise<StepFile[]> =>
    (await fs.readdir(folder))
      .map((name) => ({ name, m: pattern.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .map(({ name, m }) => ({ step: Number(m[1]), file: path.join(folder, name) }))
      .sort((a, b) => a.step - b.step);
  const verl = kind === 'trl' ? [] : await scan(dir, VERL_FILE);
  const trl = kind === 'verl' ? [] : await scan(await trlFolder(dir), TRL_FILE);
  if (kind) return { kind, files: kind === 'verl' ? verl : trl };
  if (verl.length) return { kind: 'verl', files: verl };
  if (trl.length) return { kind: 'trl', files: trl };
  return { kind: undefined, files: [] };
}

const VERL_KNOWN = new Set(['input', 'output', 'gts', 'step', 'request_id', 'uid']);

/** One verl dump row as a chain record: its `uid` (v0.9), else its prompt, groups it; `gts` is the reference, the numbers are the engine's. */
export function verlRecord(row: Record<string, unknown>, step: number): Record<string, unknown> {
  const engine: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) if (!VERL_KNOWN.has(key) && typeof value === 'number') engine[key] = value;
  const record: Record<string, unknown> = { output: row.output, input: row.input, step: typeof row.step === 'number' ? row.step : step, engine };
  if (row.gts !== undefined) record.gts = row.gts;
  if (row.uid !== undefined) record.uid = row.uid;
  return record;
}

/** TRL's prompt/completion cells: a string, or conversational messages (the last message's text). */
export function messageText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const last: unknown = value[value.length - 1];
  if (!isObject(last)) return undefined;
  const content = last.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return undefined;
}

const TRL_TEXT = new Set(['step', 'prompt', 'completion']);
/** Reference columns a reward function may log with log_extra (trl_reward.py does). */
const TRL_REFERENCE = ['answer', 'solution', 'key_steps'];

const num = (v: unknown): number | undefined => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One row of a TRL completions parquet as a chain record. */
export function trlRecord(row: Record<string, unknown>, step: number): Record<string, unknown> {
  const engine: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) {
    const n = num(value);
    if (!TRL_TEXT.has(key) && !TRL_REFERENCE.includes(key) && n !== undefined) engine[key] = n;
  }
  const record: Record<string, unknown> = {
    completion: messageText(row.completion) ?? row.completion,
    prompt: messageText(row.prompt) ?? row.prompt,
    step: num(row.step) ?? step,
    engine,
  };
  for (const key of TRL_REFERENCE) {
    const value = row[key];
    if (value === undefined || value === null) continue;
    // key_steps logged as JSON text by the reward function
    record[key] = key === 'key_steps' && typeof value === 'string' && /^\s*[[{]/.test(value) ? safeJson(value) : value;
  }
  return record;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a TRL parquet file with hyparquet (loaded on first use: only imports need it). */
export async function readTrlStep(file: StepFile): Promise<Record<string, unknown>[]> {
  const { parquetReadObjects } = await import('hyparquet');
  const buffer = await fs.readFile(file.file);
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const rows = (await parquetReadObjects({ file: arrayBuffer })) as Record<string, unknown>[];
  return rows.map((row) => trlRecord(row, file.step));
}
