// Import Rollouts, the pure part: JSONL lines in, `rollouts` trainer events out (no vscode, no fs).
// A line is either a trainer event (a `rollouts` line of rollouts.jsonl / events.ndjson, passed
// through; other event types are ignored) or one chain record (`stepgrpo score` input or output,
// TRL / OpenRLHF / verl dumps). Chains without `rewards` are scored; records are grouped by prompt
// and each group gets GRPO advantages from core's `groupAdvantages`.
import path from 'node:path';
import { groupAdvantages } from '../../core/grpo';
import { scoreChain, type RewardPresetName } from '../../core/reward';
import type { RewardBreakdown, RewardReference } from '../../core/reward-types';
import { rewardBreakdownSchema } from '../../protocol/rollout-group';
import { describeIssue, isObject, parse, step as stepSchema } from '../../protocol/schema';
import { parseTrainerEvent, type RolloutGroup, type RolloutSample, type TrainerEvent } from '../../protocol/trainer-messages';
import { CHAIN_FIELDS, describe, readReferenceFields } from '../../core/record-fields';

export type RolloutsEvent = Extract<TrainerEvent, { type: 'rollouts' }>;

/** A line that was skipped: 1-based line number, the offending field and why. */
export interface SkippedLine {
  line: number;
  field: string;
  message: string;
}

export interface ImportOptions {
  /** The input file, for messages and for resolving relative image paths. */
  file: string;
  preset: RewardPresetName;
  /**
   * Records with no prompt field are grouped by position: each run of `groupSize` consecutive
   * prompt-less records of a step is one group (default 1: every such record is its own group).
   */
  groupSize?: number;
}

export interface ImportResult {
  /** One `rollouts` event per step, ascending. */
  events: RolloutsEvent[];
  /** Lines that contributed rollouts. */
  records: number;
  /** Chains in all events. */
  chains: number;
  skipped: SkippedLine[];
}

export class ImportError extends Error {}

/** Fields that name a record's prompt, in the order they are tried; the first one present is the group key. */
export const PROMPT_KEY_FIELDS = ['promptId', 'prompt_id', 'uid', 'prompt', 'question', 'input'] as const;
const PROMPT_TEXT_FIELDS = ['prompt', 'question', 'input'] as const;
const TOKEN_FIELDS = ['tokens', 'num_tokens', 'response_length'] as const;

/** Why a record was skipped: the offending field and the message. */
export class LineProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ChainRecord {
  step: number;
  /** null: no prompt field, grouped by position. */
  key: string | null;
  prompt: string;
  image?: RolloutGroup['image'];
  reference: RewardReference;
  text: string;
  tokens: number;
  rewards: RewardBreakdown | null;
  engine?: Record<string, number>;
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Collects lines one at a time (so the caller can stream a large file), then `finish()`. */
export class RolloutImporter {
  private readonly passed = new Map<number, RolloutGroup[]>();
  private readonly chains: ChainRecord[] = [];
  private readonly skipped: SkippedLine[] = [];
  private records = 0;
  private lines = 0;

  constructor(private readonly options: ImportOptions) {
    const size = options.groupSize ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new ImportError(`groupSize must be a positive integer, got ${size}`);
  }

  addLine(raw: string, line: number): void {
    if (raw.trim() === '') return;
    this.lines++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      this.skip(line, '(line)', `not valid JSON (${(err as Error).message})`);
      return;
    }
    this.add(value, line, raw);
  }

  /** A line that cannot be read as text (e.g. invalid UTF-8): skipped, with why. */
  skipLine(line: number, message: string): void {
    this.lines++;
    this.skip(line, '(line)', message);
  }

  /** One record already parsed (a row of a parquet file, a verl dump line); `line` numbers it in messages. */
  addRecord(value: Record<string, unknown>, line: number): void {
    this.lines++;
    this.add(value, line);
  }

  private add(value: unknown, line: number, raw?: string): void {
    try {
      if (!isObject(value)) throw new LineProblem('(line)', `expected a JSON object, got ${describe(value)}`);
      if (raw !== undefined && 'v' in value && 'type' in value) this.addEvent(raw);
      else {
        this.chains.push(readChainRecord(value, this.options.file));
        this.records++;
      }
    } catch (err) {
      if (!(err instanceof LineProblem)) throw err;
      this.skip(line, err.field, err.message);
    }
  }

  finish(): ImportResult {
    const byStep = new Map<number, RolloutGroup[]>();
    for (const [step, groups] of this.passed) byStep.set(step, [...groups]);
    for (const [step, groups] of this.groupChains()) byStep.set(step, [...(byStep.get(step) ?? []), ...groups]);
    const events: RolloutsEvent[] = [...byStep.keys()].sort((a, b) => a - b).map((step) => ({ v: 1, type: 'rollouts', step, groups: byStep.get(step)! }));
    const chains = events.reduce((n, e) => n + e.groups.reduce((m, g) => m + g.samples.length, 0), 0);
    if (chains === 0) {
      const first = this.skipped[0];
      const why =
        this.lines === 0
          ? 'the file is empty'
          : first
            ? `${this.skipped.length} of ${this.lines} lines skipped; first: line ${first.line}: ${first.message}`
            : 'no line holds a rollouts event or a chain record';
      throw new ImportError(`StepGRPO: nothing to import from ${this.options.file}: ${why}.`);
    }
    return { events, records: this.records, chains, skipped: this.skipped };
  }

  private skip(line: number, field: string, message: string): void {
    this.skipped.push({ line, field, message });
  }

  /** A trainer event line: `rollouts` is kept (the guard checks every group), other types are not rollouts. */
  private addEvent(raw: string): void {
    const parsed = parseTrainerEvent(raw);
    if (!parsed.ok) {
      if (parsed.unknownType) return;
      throw new LineProblem(parsed.issue.path || '(line)', describeIssue(parsed.issue));
    }
    if (parsed.value.type !== 'rollouts') return;
    const { step, groups } = parsed.value;
    this.passed.set(step, [...(this.passed.get(step) ?? []), ...groups]);
    this.records++;
  }

  /** Groups by step, then by prompt key (first appearance order); prompt-less records by position. */
  private groupChains(): Map<number, RolloutGroup[]> {
    const size = this.options.groupSize ?? 1;
    const byStep = new Map<number, Map<string, ChainRecord[]>>();
    const positional = new Map<number, number>();
    for (const c of this.chains) {
      let groups = byStep.get(c.step);
      if (!groups) byStep.set(c.step, (groups = new Map()));
      let key = c.key;
      if (key === null) {
        const n = positional.get(c.step) ?? 0;
        positional.set(c.step, n + 1);
        key = `#position:${Math.floor(n / size)}`;
      }
      const list = groups.get(key);
      if (list) list.push(c);
      else groups.set(key, [c]);
    }
    const out = new Map<number, RolloutGroup[]>();
    for (const [step, groups] of byStep) {
      out.set(
        step,
        [...groups].map(([key, records]) => this.toGroup(step, key, records)),
      );
    }
    return out;
  }

  private toGroup(step: number, key: string, records: ChainRecord[]): RolloutGroup {
    const first = records[0]!;
    const rewards = records.map((r) => r.rewards ?? scoreChain(r.text, r.reference, this.options.preset));
    // A singleton group has no baseline to compare with: advantage 0.
    const advantages =
      records.length > 1
        ? groupAdvantages(
            rewards.map((r) => r.total),
            records.length,
          )
        : [0];
    const samples: RolloutSample[] = records.map((r, i) => ({
      text: r.text,
      tokens: r.tokens,
      rewards: rewards[i]!,
      advantage: advantages[i]!,
      ...(r.engine ? { engine: r.engine } : {}),
    }));
    return { ...groupHeader(step, key, first), samples };
  }
}

/** A group's fields but its samples, from its key (`field:value`, or `#position:N`) and its first record. */
export function groupHeader(step: number, key: string, first: ChainRecord): Omit<RolloutGroup, 'samples'> {
  const group: Omit<RolloutGroup, 'samples'> = {
    promptId: key.startsWith('#position:') ? `import-${step}-${key.slice('#position:'.length)}` : key.slice(key.indexOf(':') + 1),
    prompt: first.prompt,
    reference: { answer: first.reference.answer ?? '', keySteps: first.reference.keySteps ?? [] },
  };
  if (first.image) group.image = first.image;
  return group;
}

/** One chain record (a parsed line or row) read and checked; `file` resolves relative image paths. Throws LineProblem. */
export function readChainRecord(record: Record<string, unknown>, file: string): ChainRecord {
  const textField = CHAIN_FIELDS.find((f) => f in record);
  if (!textField) throw new LineProblem('completion', `no chain field (one of ${CHAIN_FIELDS.join(', ')})`);
  const text = record[textField];
  if (typeof text !== 'string') throw new LineProblem(textField, `${textField}: expected a string, got ${describe(text)}`);

  const keyField = PROMPT_KEY_FIELDS.find((f) => record[f] !== undefined && record[f] !== null);
  let key: string | null = null;
  if (keyField) {
    const k = record[keyField];
    if (typeof k !== 'string' && !isFiniteNumber(k)) throw new LineProblem(keyField, `${keyField}: expected a string or a number, got ${describe(k)}`);
    key = `${keyField}:${String(k)}`;
  }
  const promptField = PROMPT_TEXT_FIELDS.find((f) => record[f] !== undefined && record[f] !== null);
  const prompt = promptField ? record[promptField] : undefined;
  if (prompt !== undefined && typeof prompt !== 'string') throw new LineProblem(promptField!, `${promptField}: expected a string, got ${describe(prompt)}`);

  const stepChecked = parse(stepSchema(), record.step ?? 0, 'step');
  if (!stepChecked.ok) throw new LineProblem('step', describeIssue(stepChecked.issue));
  const step = stepChecked.value;

  const tokenField = TOKEN_FIELDS.find((f) => record[f] !== undefined);
  let tokens = 0;
  if (tokenField) {
    if (!isFiniteNumber(record[tokenField])) throw new LineProblem(tokenField, `${tokenField}: expected a number, got ${describe(record[tokenField])}`);
    tokens = record[tokenField] as number;
  }

  const out: ChainRecord = { step, key, prompt: prompt ?? (keyField ? String(record[keyField]) : ''), reference: readReference(record), text, tokens, rewards: null };
  const image = readImage(record, file);
  if (image) out.image = image;
  if (isObject(record.engine)) {
    const engine = Object.entries(record.engine).filter((e): e is [string, number] => isFiniteNumber(e[1]));
    if (engine.length) out.engine = Object.fromEntries(engine);
  }
  if (record.rewards !== undefined && record.rewards !== null) {
    const rewards = parse(rewardBreakdownSchema, record.rewards, 'rewards');
    if (!rewards.ok) throw new LineProblem(rewards.issue.path, describeIssue(rewards.issue));
    out.rewards = rewards.value;
  }
  return out;
}

/** answer / solution / key_steps (top level or in `reference`), or a verl `gts` (a string, or an object of the same). */
function readReference(record: Record<string, unknown>): RewardReference {
  const gts = record.gts;
  let source = record;
  let where = '';
  if (gts !== undefined && gts !== null) {
    if (typeof gts === 'string') source = { ...record, answer: gts };
    else if (isObject(gts)) {
      source = gts;
      where = 'gts.';
    } else throw new LineProblem('gts', `gts: expected a string or an object, got ${describe(gts)}`);
  }
  const { reference, problems } = readReferenceFields(source, 'Record');
  const first = problems[0];
  if (first) throw new LineProblem(`${where}${first.field}`, first.message);
  if (where && reference.keySteps === undefined) {
    const outer = readReferenceFields({ key_steps: record.key_steps }, 'Record');
    if (outer.problems[0]) throw new LineProblem(outer.problems[0].field, outer.problems[0].message);
    if (outer.reference.keySteps) reference.keySteps = outer.reference.keySteps;
  }
  return reference;
}

function readImage(record: Record<string, unknown>, file: string): RolloutGroup['image'] | undefined {
  const images = record.images;
  const value = record.image ?? (Array.isArray(images) ? images[0] : undefined);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new LineProblem(record.image !== undefined ? 'image' : 'images[0]', `image: expected a path or a data URI, got ${describe(value)}`);
  if (value.startsWith('data:')) return { dataUri: value };
  // The run folder is new: a relative path is relative to the imported file.
  return { path: path.resolve(path.dirname(file), value) };
}

/** Converts a whole file's text (tests and small files; the command streams through `RolloutImporter`). */
export function convertRolloutLines(text: string, options: ImportOptions): ImportResult {
  const importer = new RolloutImporter(options);
  text.split(/\r?\n/).forEach((raw, i) => importer.addLine(raw, i + 1));
  return importer.finish();
}
