// A text-only reasoning dataset behind the TaskSource seam: JSON Lines (or one JSON array) of
// {question, answer, solution?, key_steps?}, for language-model policies (the HF family). Splits,
// fingerprints and streams work as the R1-VL loader's: identity and held-out split come from a hash
// of the question, `evalPath` names a separate held-out file. `key_steps` is read as in R1-VL-10K
// (a list of strings or of lists of alternatives, bare or under "Steps"); without it, a record with
// a solution gets the rule-based extractor's key steps. A bad record is reported with its line
// through `log` and skipped; a file without one good record is an error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyStepGroup } from '../../core/reward-types';
import { extractKeySteps } from '../../core/key-step-extractor';
import type { Issue } from '../../protocol/schema';
import type { DataCursor, Example, ExampleText, TaskSource, TrainStream } from './example';
import { DEFAULT_SPLIT_SALT, contentHash, promptIdOf, splitOf } from './content-key';
import { parseRecords } from './json-records';
import { formatIssue, type IssueReason, type LoadIssue } from './r1vl-dataset';
import { readKeySteps } from './r1vl-record';
import { createTrainStream, iterateSplit } from './train-stream';

export const JSONL_TEXT_DEFAULTS = {
  evalFraction: 0.05,
};

export interface JsonlTextLoadOptions {
  /** A separate held-out file in the same layout. Without it, `evalFraction` of the questions are held out by hash. */
  evalPath?: string;
  evalFraction?: number;
}

export interface JsonlTextRecord {
  question: string;
  answer: string;
  /** The reference reasoning, or '' when the record has none. */
  solution: string;
  keySteps: KeyStepGroup[];
  /** Whether the key steps came from the rule-based extractor (the record had none). */
  keyStepsExtracted: boolean;
  id?: string;
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);

/** One record, checked field by field: every problem is listed, and any problem rejects the record. */
export function readJsonlTextRecord(value: unknown): { record: JsonlTextRecord | null; errors: Issue[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { record: null, errors: [{ path: '(record)', message: `expected a JSON object, got ${describe(value)}` }] };
  }
  const rec = value as Record<string, unknown>;
  const errors: Issue[] = [];
  let question = '';
  if (rec.question === undefined) errors.push({ path: 'question', message: 'missing' });
  else if (typeof rec.question !== 'string' || rec.question.trim() === '') errors.push({ path: 'question', message: `expected a non-empty string, got ${describe(rec.question)}` });
  else question = rec.question;

  let answer = '';
  if (rec.answer === undefined) errors.push({ path: 'answer', message: 'missing' });
  else if ((typeof rec.answer === 'string' || (typeof rec.answer === 'number' && Number.isFinite(rec.answer))) && String(rec.answer).trim() !== '')
    answer = String(rec.answer).trim();
  else errors.push({ path: 'answer', message: `expected a non-empty string or a number, got ${describe(rec.answer)}` });

  let solution = '';
  if (rec.solution !== undefined && rec.solution !== null) {
    if (typeof rec.solution !== 'string') errors.push({ path: 'solution', message: `expected a string, got ${describe(rec.solution)}` });
    else solution = rec.solution;
  }

  const given = rec.key_steps !== undefined && rec.key_steps !== null;
  let keySteps = readKeySteps(rec.key_steps, errors);
  if (errors.length > 0) return { record: null, errors };
  const keyStepsExtracted = !given && solution.trim() !== '';
  if (keyStepsExtracted) keySteps = extractKeySteps(solution);
  const record: JsonlTextRecord = { question, answer, solution, keySteps, keyStepsExtracted };
  if (typeof rec.id === 'string' || typeof rec.id === 'number') record.id = String(rec.id);
  return { record, errors };
}

interface Entry {
  record: JsonlTextRecord;
  promptId: string;
  file: string;
  line: number;
}

/** Bad records logged one by one per file; past this, one line counts the rest. */
const LOGGED_PER_FILE = 50;

export class JsonlTextDataset implements TaskSource {
  readonly fingerprint: string;
  /** Text only: no image. */
  readonly imageSize = 0;
  /** Everything that was wrong with the input, in file order; errors were skipped, warnings kept. */
  readonly issues: LoadIssue[] = [];
  private readonly trainEntries: Entry[] = [];
  private readonly evalEntries: Entry[] = [];
  private readonly hashes: string[] = [];
  private records = 0;

  /** Reads and checks the file(s); bad records go to `log` with their line. */
  static load(file: string, options: JsonlTextLoadOptions = {}, log: (line: string) => void = () => {}): JsonlTextDataset {
    return new JsonlTextDataset(file, options, log);
  }

  private constructor(
    private readonly file: string,
    options: JsonlTextLoadOptions,
    private readonly log: (line: string) => void,
  ) {
    const evalFraction = options.evalFraction ?? JSONL_TEXT_DEFAULTS.evalFraction;
    if (!options.evalPath && !(typeof evalFraction === 'number' && evalFraction >= 0 && evalFraction < 1)) {
      throw new RangeError(`evalFraction must be in [0, 1), got ${evalFraction}`);
    }
    const main = this.readFile(file);
    const held = options.evalPath ? this.readFile(options.evalPath) : null;
    if (held) {
      const heldKeys = new Map(held.map((e) => [e.record.question, e]));
      for (const e of main) {
        const twin = heldKeys.get(e.record.question);
        if (twin)
          this.report({
            severity: 'warning',
            reason: 'in the held-out file',
            file: e.file,
            line: e.line,
            message: `same question as the held-out record at ${twin.file}:${twin.line}; left out of training`,
          });
        else this.trainEntries.push(e);
      }
      this.evalEntries.push(...held);
    } else {
      for (const e of main) (splitOf(`problem:${e.record.question}`, evalFraction, DEFAULT_SPLIT_SALT) === 'eval' ? this.evalEntries : this.trainEntries).push(e);
    }
    const split = options.evalPath ? `evalFile=${this.hashes[1]!.slice(0, 12)}` : `evalFraction=${evalFraction}`;
    this.fingerprint = `jsonl/v1/${path.basename(file)}@${this.hashes[0]!.slice(0, 12)}/${split}`;
    if (this.trainSize === 0) throw new Error(`empty training split: ${this.summary().join('\n')}`);
  }

  get trainSize(): number {
    return this.trainEntries.length;
  }
  get evalSize(): number {
    return this.evalEntries.length;
  }

  trainAt(i: number): Example {
    return materialise(entryAt(this.trainEntries, i, 'train'));
  }
  trainTextAt(i: number): ExampleText {
    const { record } = entryAt(this.trainEntries, i, 'train');
    return { prompt: record.question, solution: record.solution };
  }
  evalAt(i: number): Example {
    return materialise(entryAt(this.evalEntries, i, 'eval'));
  }
  train(from?: DataCursor): TrainStream {
    return createTrainStream(this, from);
  }
  eval(): IterableIterator<Example> {
    return iterateSplit(this.evalSize, (i) => this.evalAt(i));
  }

  /** Records loaded and skipped, by reason: for the run log (bad records were logged as they were read). */
  summary(): string[] {
    // One record may have several bad fields: count records, each under its first problem.
    const skipped = new Map<string, IssueReason>();
    for (const i of this.issues) {
      const key = `${i.file}\n${i.line}`;
      if (!skipped.has(key) && (i.severity === 'error' || i.reason === 'duplicate' || i.reason === 'in the held-out file')) skipped.set(key, i.reason);
    }
    const byReason = new Map<IssueReason, number>();
    for (const reason of skipped.values()) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    const reasons = [...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    const head = `dataset ${this.file}: ${this.trainSize + this.evalSize} of ${this.records} records loaded (train ${this.trainSize}, held-out ${this.evalSize})`;
    return [skipped.size ? `${head}; ${skipped.size} skipped: ${reasons}` : head];
  }

  private report(issue: LoadIssue): void {
    const inFile = this.issues.filter((i) => i.file === issue.file).length;
    this.issues.push(issue);
    if (inFile < LOGGED_PER_FILE) this.log(`${formatIssue(issue)}${issue.severity === 'error' ? ' (record skipped)' : ''}`);
    else if (inFile === LOGGED_PER_FILE) this.log(`${issue.file}: more problems; the load summary counts them`);
  }

  private readFile(file: string): Entry[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read dataset file ${file}: ${(e as Error).message}`);
    }
    this.hashes.push(contentHash(text));
    const { records, errors } = parseRecords(text);
    // Both lists are in line order; reported merged, so the log reads top to bottom.
    const bad = new Map<number, LoadIssue[]>();
    for (const err of errors) bad.set(err.line, [{ severity: 'error', reason: 'invalid JSON', file, line: err.line, message: err.message }]);
    const checked = records.map(({ line, value }) => {
      const { record, errors: fieldErrors } = readJsonlTextRecord(value);
      if (fieldErrors.length)
        bad.set(
          line,
          fieldErrors.map((fe) => ({ severity: 'error', reason: 'bad field', file, line, field: fe.path, message: fe.message })),
        );
      return { line, record };
    });
    this.records += records.length + errors.length;

    const entries: Entry[] = [];
    const seen = new Map<string, Entry>();
    const byLine = [...bad.keys(), ...checked.filter((c) => c.record).map((c) => c.line)].sort((a, b) => a - b);
    const good = new Map(checked.filter((c) => c.record).map((c) => [c.line, c.record!]));
    for (const line of byLine) {
      const issues = bad.get(line);
      if (issues) {
        for (const issue of issues) this.report(issue);
        continue;
      }
      const record = good.get(line)!;
      const entry: Entry = { record, promptId: promptIdOf('jsonl', record.question), file, line };
      const twin = seen.get(entry.promptId);
      if (twin) {
        this.report({ severity: 'warning', reason: 'duplicate', file, line, message: `duplicate of the record at line ${twin.line} (same question); skipped` });
        continue;
      }
      seen.set(entry.promptId, entry);
      entries.push(entry);
    }
    if (entries.length === 0) {
      const n = records.length + errors.length;
      throw new Error(
        `dataset file ${file} has no valid records (${n === 0 ? 'it is empty' : `${n} read, all skipped`}); each line should be {"question": …, "answer": …, "solution"?: …, "key_steps"?: […]}`,
      );
    }
    return entries;
  }
}

function materialise(e: Entry): Example {
  const meta: Record<string, string | number | boolean> = { source: 'jsonl', file: path.basename(e.file), line: e.line };
  if (e.record.id !== undefined) meta.id = e.record.id;
  if (e.record.keyStepsExtracted) meta.keyStepsExtracted = true;
  if (e.record.solution === '') meta.noSolution = true;
  return {
    promptId: e.promptId,
    prompt: e.record.question,
    image: null,
    imageSize: 0,
    solution: e.record.solution,
    answer: e.record.answer,
    keySteps: e.record.keySteps,
    meta,
  };
}

function entryAt(entries: Entry[], i: number, split: string): Entry {
  const e = entries[i];
  if (!Number.isInteger(i) || e === undefined) throw new RangeError(`${split} index ${i} is outside 0..${entries.length - 1}`);
  return e;
}
