// Real datasets in the R1-VL-10K layout (DESIGN §8) behind the same TaskSource as the synthetic task.
// Records are checked when the file loads; a bad one is reported with file, line and field and
// skipped (or stops the load, with onError: 'throw'). Every image is decoded at load (any format
// sharp reads, image-decode.ts) and kept as imageSize² RGB bytes (7 KB at 48 px): a broken image
// is found before training starts, and examples stay synchronous.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataCursor, Example, ExampleText, TaskSource, TrainStream } from './example';
import { DEFAULT_SPLIT_SALT, contentHash, promptIdOf, splitOf } from './content-key';
import { IMAGE_FITS, ImageDecodeError, decodeImage, type ImageFit } from './image-decode';
import { rgbBytesToTensor } from './image-tensor';
import { parseRecords } from './json-records';
import { readR1vlRecord, type R1vlRecord } from './r1vl-record';
import { createTrainStream, iterateSplit } from './train-stream';

export const R1VL_DEFAULTS = {
  /** The synthetic task's size, so the default policy's patch grid fits either source. */
  imageSize: 48,
  evalFraction: 0.05,
  /** Letterbox: the model sees the whole image, as PIL-based pipelines that pad do. */
  fit: 'contain' as ImageFit,
};

export interface R1vlLoadOptions {
  /** Side of the square image the model sees (default 48); every image is resized to it. */
  imageSize?: number;
  /** How the aspect ratio is kept: `contain` letterboxes on white (default), `cover` crops the centre. */
  fit?: ImageFit;
  /** A separate held-out file in the same layout. Without it, `evalFraction` of the images are held out by hash. */
  evalPath?: string;
  evalFraction?: number;
  splitSalt?: string;
  /** Directory that relative image paths are resolved against (default: the dataset file's directory). */
  imageRoot?: string;
  /** 'skip' (default): report bad records and load the rest. 'throw': stop at the first one. */
  onError?: 'skip' | 'throw';
}

/** Why a record was skipped (or kept with a warning), for the load summary. */
export type IssueReason = 'invalid JSON' | 'bad field' | 'image not found' | 'image not decodable' | 'duplicate' | 'in the held-out file';

export interface LoadIssue {
  severity: 'error' | 'warning';
  reason: IssueReason;
  file: string;
  line: number;
  field?: string;
  message: string;
}

export function formatIssue(i: LoadIssue): string {
  return `${i.file}:${i.line}: ${i.field ? `field "${i.field}": ` : ''}${i.message}`;
}

export class DatasetError extends Error {
  constructor(readonly issue: LoadIssue) {
    super(formatIssue(issue));
    this.name = 'DatasetError';
  }
}

interface Entry {
  record: R1vlRecord;
  /** Absolute image path, or null for text-only records. */
  image: string | null;
  promptId: string;
  file: string;
  line: number;
}

export class R1vlDataset implements TaskSource {
  readonly fingerprint: string;
  readonly imageSize: number;
  /** Everything that was wrong with the input, in file order; errors were skipped, warnings kept. */
  readonly issues: LoadIssue[] = [];
  private readonly trainEntries: Entry[] = [];
  private readonly evalEntries: Entry[] = [];
  /** Decoded images by absolute path (records may share one). */
  private readonly pixels = new Map<string, Uint8Array>();
  private readonly fit: ImageFit;
  private records = 0;

  /**
   * Reads, checks and decodes everything. An empty training split is an error that says which
   * records were skipped and why; otherwise `summary()` tells the same to the run log.
   */
  static async load(file: string, options: R1vlLoadOptions = {}): Promise<R1vlDataset> {
    const d = new R1vlDataset(file, options);
    await d.decodeImages();
    d.split();
    if (d.trainSize === 0) throw new Error(`empty training split: ${d.summary().join('\n')}`);
    return d;
  }

  private readonly file: string;
  private readonly hashes: string[] = [];
  private main: Entry[] = [];
  private held: Entry[] | null = null;

  private constructor(
    file: string,
    private readonly options: R1vlLoadOptions,
  ) {
    const imageSize = options.imageSize ?? R1VL_DEFAULTS.imageSize;
    if (!Number.isInteger(imageSize) || imageSize < 1) throw new RangeError(`imageSize must be a positive integer, got ${imageSize}`);
    const evalFraction = options.evalFraction ?? R1VL_DEFAULTS.evalFraction;
    if (!options.evalPath && !(evalFraction >= 0 && evalFraction < 1)) throw new RangeError(`evalFraction must be in [0, 1), got ${evalFraction}`);
    this.imageSize = imageSize;
    this.fit = options.fit ?? R1VL_DEFAULTS.fit;
    if (!IMAGE_FITS.includes(this.fit)) throw new RangeError(`fit must be one of ${IMAGE_FITS.join(', ')}, got ${JSON.stringify(this.fit)}`);
    this.file = file;
    this.main = this.readFile(file, this.hashes);
    if (options.evalPath) this.held = this.readFile(options.evalPath, this.hashes);
    this.fingerprint = this.describeSource();
  }

  private describeSource(): string {
    const { options, hashes } = this;
    const evalFraction = options.evalFraction ?? R1VL_DEFAULTS.evalFraction;
    const split = options.evalPath ? `evalFile=${hashes[1]!.slice(0, 12)}` : `evalFraction=${evalFraction},salt=${options.splitSalt ?? DEFAULT_SPLIT_SALT}`;
    // The default fit leaves the fingerprint as it was before `fit` existed.
    const fit = this.fit === R1VL_DEFAULTS.fit ? '' : `/fit=${this.fit}`;
    return `r1vl/v1/${path.basename(this.file)}@${hashes[0]!.slice(0, 12)}/size=${this.imageSize}${fit}/${split}`;
  }

  /** Decodes each distinct image once; records whose image fails are reported and dropped. */
  private async decodeImages(): Promise<void> {
    const all = [...this.main, ...(this.held ?? [])];
    const paths = [...new Set(all.flatMap((e) => (e.image === null ? [] : [e.image])))];
    const failures = new Map<string, ImageDecodeError>();
    await Promise.all(
      paths.map(async (p) => {
        try {
          this.pixels.set(p, await decodeImage(p, this.imageSize, this.fit));
        } catch (err) {
          if (!(err instanceof ImageDecodeError)) throw err;
          failures.set(p, err);
        }
      }),
    );
    const keep = (e: Entry): boolean => {
      const failed = e.image === null ? undefined : failures.get(e.image);
      if (failed)
        this.report({
          severity: 'error',
          reason: failed.reason === 'not found' ? 'image not found' : 'image not decodable',
          file: e.file,
          line: e.line,
          field: 'image',
          message: failed.message,
        });
      return !failed;
    };
    // Reported in file order, as the records were.
    this.main = this.main.filter(keep);
    if (this.held) this.held = this.held.filter(keep);
    const fileOrder = (f: string): number => (f === this.file ? 0 : 1);
    this.issues.sort((a, b) => fileOrder(a.file) - fileOrder(b.file) || a.line - b.line);
  }

  private split(): void {
    const { options, main, held } = this;
    const evalFraction = options.evalFraction ?? R1VL_DEFAULTS.evalFraction;
    if (held) {
      const heldKeys = new Map(held.map((e) => [splitKey(e), e]));
      for (const e of main) {
        const twin = heldKeys.get(splitKey(e));
        if (twin) this.warn(e, 'in the held-out file', `same ${e.image ? 'image' : 'problem'} as the held-out record at ${twin.file}:${twin.line}; left out of training`);
        else this.trainEntries.push(e);
      }
      this.evalEntries.push(...held);
    } else {
      const salt = options.splitSalt ?? DEFAULT_SPLIT_SALT;
      for (const e of main) (splitOf(splitKey(e), evalFraction, salt) === 'eval' ? this.evalEntries : this.trainEntries).push(e);
    }
  }

  get trainSize(): number {
    return this.trainEntries.length;
  }
  get evalSize(): number {
    return this.evalEntries.length;
  }
  get errorCount(): number {
    return this.issues.filter((i) => i.severity === 'error').length;
  }

  trainAt(i: number): Example {
    return this.materialise(entryAt(this.trainEntries, i, 'train'));
  }
  trainTextAt(i: number): ExampleText {
    const { record } = entryAt(this.trainEntries, i, 'train');
    return { prompt: record.problem, solution: record.solution };
  }
  evalAt(i: number): Example {
    return this.materialise(entryAt(this.evalEntries, i, 'eval'));
  }
  train(from?: DataCursor): TrainStream {
    return createTrainStream(this, from);
  }
  eval(): IterableIterator<Example> {
    return iterateSplit(this.evalSize, (i) => this.evalAt(i));
  }

  private report(issue: LoadIssue): void {
    if (issue.severity === 'error' && (this.options.onError ?? 'skip') === 'throw') throw new DatasetError(issue);
    this.issues.push(issue);
  }

  private warn(e: Entry, reason: IssueReason, message: string): void {
    this.report({ severity: 'warning', reason, file: e.file, line: e.line, message });
  }

  private readFile(file: string, hashes: string[]): Entry[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`cannot read dataset file ${file}: ${(e as Error).message}`);
    }
    hashes.push(contentHash(text));
    const root = this.options.imageRoot ?? path.dirname(path.resolve(file));
    const { records, errors } = parseRecords(text);
    for (const err of errors) this.report({ severity: 'error', reason: 'invalid JSON', file, line: err.line, message: err.message });
    this.records += records.length + errors.length;

    const entries: Entry[] = [];
    const seen = new Map<string, Entry>();
    for (const { line, value } of records) {
      const { record, errors: fieldErrors } = readR1vlRecord(value);
      for (const fe of fieldErrors) this.report({ severity: 'error', reason: 'bad field', file, line, field: fe.path, message: fe.message });
      if (!record) continue;
      const image = record.imagePath === null ? null : path.resolve(root, record.imagePath);
      // Identity from content: the image as written in the file (not where it sits on this machine) and the problem.
      const entry: Entry = { record, image, promptId: promptIdOf('r1vl', `${record.imagePath ?? ''}\n${record.problem}`), file, line };
      const twin = seen.get(entry.promptId);
      if (twin) {
        this.warn(entry, 'duplicate', `duplicate of the record at line ${twin.line} (same image and problem); skipped`);
        continue;
      }
      seen.set(entry.promptId, entry);
      entries.push(entry);
    }
    return entries;
  }

  /** Records loaded and skipped, by reason, with the first few problems as file:line: for the run log. */
  summary(): string[] {
    const skipped = this.issues.filter((i) => i.severity === 'error' || i.reason === 'duplicate' || i.reason === 'in the held-out file');
    const byReason = new Map<IssueReason, number>();
    for (const i of skipped) byReason.set(i.reason, (byReason.get(i.reason) ?? 0) + 1);
    const reasons = [...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    const head = `dataset ${this.file}: ${this.trainSize + this.evalSize} of ${this.records} records loaded (train ${this.trainSize}, held-out ${this.evalSize})`;
    const lines = [skipped.length ? `${head}; ${skipped.length} skipped: ${reasons}` : head];
    for (const i of this.issues.slice(0, SUMMARY_EXAMPLES)) lines.push(`  ${formatIssue(i)}`);
    if (this.issues.length > SUMMARY_EXAMPLES) lines.push(`  … and ${this.issues.length - SUMMARY_EXAMPLES} more`);
    return lines;
  }

  private materialise(e: Entry): Example {
    const meta: Record<string, string | number | boolean> = { source: 'r1vl', file: path.basename(e.file), line: e.line };
    if (e.record.id !== undefined) meta.id = e.record.id;
    return {
      promptId: e.promptId,
      prompt: e.record.problem,
      image: e.image === null ? null : rgbBytesToTensor(this.pixels.get(e.image)!, this.imageSize),
      imageSize: this.imageSize,
      solution: e.record.solution,
      answer: e.record.answer,
      keySteps: e.record.keySteps,
      meta,
    };
  }
}

/** Problems listed by name in the load summary; the rest are counted. */
const SUMMARY_EXAMPLES = 5;

/** Records that share an image (or, text-only, a problem) always land in the same split. */
function splitKey(e: Entry): string {
  return e.record.imagePath !== null ? `image:${e.record.imagePath}` : `problem:${e.record.problem}`;
}

function entryAt(entries: Entry[], i: number, split: string): Entry {
  const e = entries[i];
  if (!Number.isInteger(i) || e === undefined) throw new RangeError(`${split} index ${i} is outside 0..${entries.length - 1}`);
  return e;
}
