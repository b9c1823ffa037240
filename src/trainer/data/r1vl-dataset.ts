// Real datasets in the R1-VL-10K layout (DESIGN §8) behind the same TaskSource as the synthetic task.
// Records are checked when the file loads; a bad one is reported with file, line and field and
// skipped (or stops the load, with onError: 'throw'). Images are checked at load (PNG header by
// default) and decoded when an example is first asked for, then kept in a small LRU cache.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { DataCursor, Example, ExampleText, TaskSource, TrainStream } from './example';
import { DEFAULT_SPLIT_SALT, contentHash, promptIdOf, splitOf } from './content-key';
import { rgbaToTensor } from './image-tensor';
import { parseRecords } from './json-records';
import { decodePng, readPngHeader } from './png';
import { readR1vlRecord, type R1vlRecord } from './r1vl-record';
import { createTrainStream, iterateSplit } from './train-stream';

export interface R1vlLoadOptions {
  /** Side of the square image the model sees; every image is resized to it. */
  imageSize: number;
  /** A separate held-out file in the same layout. Without it, `evalFraction` of the images are held out by hash. */
  evalPath?: string;
  evalFraction?: number;
  splitSalt?: string;
  /** Directory that relative image paths are resolved against (default: the dataset file's directory). */
  imageRoot?: string;
  /** 'skip' (default): report bad records and load the rest. 'throw': stop at the first one. */
  onError?: 'skip' | 'throw';
  /** How far images are checked at load: the PNG header (default), a full decode, or not at all. */
  validateImages?: 'header' | 'full' | 'none';
  /** Decoded images kept in memory. */
  imageCacheSize?: number;
}

export interface LoadIssue {
  severity: 'error' | 'warning';
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

const PNG_HEADER_BYTES = 33;

function readHead(file: string, n: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

export class R1vlDataset implements TaskSource {
  readonly fingerprint: string;
  readonly imageSize: number;
  /** Everything that was wrong with the input, in file order; errors were skipped, warnings kept. */
  readonly issues: LoadIssue[] = [];
  private readonly trainEntries: Entry[] = [];
  private readonly evalEntries: Entry[] = [];
  private readonly cache = new Map<string, Float32Array>();
  private readonly cacheSize: number;

  static load(file: string, options: R1vlLoadOptions): R1vlDataset {
    return new R1vlDataset(file, options);
  }

  private constructor(file: string, private readonly options: R1vlLoadOptions) {
    if (!Number.isInteger(options.imageSize) || options.imageSize < 1) throw new RangeError(`imageSize must be a positive integer, got ${options.imageSize}`);
    const evalFraction = options.evalFraction ?? 0.05;
    if (!options.evalPath && !(evalFraction >= 0 && evalFraction < 1)) throw new RangeError(`evalFraction must be in [0, 1), got ${evalFraction}`);
    this.imageSize = options.imageSize;
    this.cacheSize = options.imageCacheSize ?? 1024;

    const hashes: string[] = [];
    const main = this.readFile(file, hashes);
    if (options.evalPath) {
      const held = this.readFile(options.evalPath, hashes);
      const heldKeys = new Map(held.map((e) => [splitKey(e), e]));
      for (const e of main) {
        const twin = heldKeys.get(splitKey(e));
        if (twin) this.warn(e, `same ${e.image ? 'image' : 'problem'} as the held-out record at ${twin.file}:${twin.line}; left out of training`);
        else this.trainEntries.push(e);
      }
      this.evalEntries.push(...held);
    } else {
      const salt = options.splitSalt ?? DEFAULT_SPLIT_SALT;
      for (const e of main) (splitOf(splitKey(e), evalFraction, salt) === 'eval' ? this.evalEntries : this.trainEntries).push(e);
    }
    const split = options.evalPath ? `evalFile=${hashes[1]!.slice(0, 12)}` : `evalFraction=${evalFraction},salt=${options.splitSalt ?? DEFAULT_SPLIT_SALT}`;
    this.fingerprint = `r1vl/v1/${path.basename(file)}@${hashes[0]!.slice(0, 12)}/size=${this.imageSize}/${split}`;
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

  private warn(e: Entry, message: string): void {
    this.report({ severity: 'warning', file: e.file, line: e.line, message });
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
    for (const err of errors) this.report({ severity: 'error', file, line: err.line, message: err.message });

    const entries: Entry[] = [];
    const seen = new Map<string, Entry>();
    for (const { line, value } of records) {
      const { record, errors: fieldErrors } = readR1vlRecord(value);
      for (const fe of fieldErrors) this.report({ severity: 'error', file, line, field: fe.field, message: fe.message });
      if (!record) continue;
      const image = record.imagePath === null ? null : path.resolve(root, record.imagePath);
      if (image !== null) {
        const problem = this.checkImage(image);
        if (problem) {
          this.report({ severity: 'error', file, line, field: 'image', message: problem });
          continue;
        }
      }
      // Identity from content: the image as written in the file (not where it sits on this machine) and the problem.
      const entry: Entry = { record, image, promptId: promptIdOf('r1vl', `${record.imagePath ?? ''}\n${record.problem}`), file, line };
      const twin = seen.get(entry.promptId);
      if (twin) {
        this.warn(entry, `duplicate of the record at line ${twin.line} (same image and problem); skipped`);
        continue;
      }
      seen.set(entry.promptId, entry);
      entries.push(entry);
    }
    return entries;
  }

  /** Null when the image is usable, else why not. */
  private checkImage(file: string): string | null {
    const mode = this.options.validateImages ?? 'header';
    if (mode === 'none') return null;
    try {
      if (mode === 'full') decodePng(readFileSync(file), file);
      else readPngHeader(readHead(file, PNG_HEADER_BYTES), file);
      return null;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return err.code === 'ENOENT' ? `image not found: ${file}` : err.message;
    }
  }

  private loadImage(file: string): Float32Array {
    const hit = this.cache.get(file);
    if (hit) {
      this.cache.delete(file);
      this.cache.set(file, hit);
      return hit;
    }
    const tensor = rgbaToTensor(decodePng(readFileSync(file), file), this.imageSize);
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(file, tensor);
    }
    return tensor;
  }

  private materialise(e: Entry): Example {
    const meta: Record<string, string | number | boolean> = { source: 'r1vl', file: path.basename(e.file), line: e.line };
    if (e.record.id !== undefined) meta.id = e.record.id;
    return {
      promptId: e.promptId,
      prompt: e.record.problem,
      image: e.image === null ? null : this.loadImage(e.image),
      imageSize: this.imageSize,
      solution: e.record.solution,
      answer: e.record.answer,
      keySteps: e.record.keySteps,
      meta,
    };
  }
}

/** Records that share an image (or, text-only, a problem) always land in the same split. */
function splitKey(e: Entry): string {
  return e.record.imagePath !== null ? `image:${e.record.imagePath}` : `problem:${e.record.problem}`;
}

function entryAt(entries: Entry[], i: number, split: string): Entry {
  const e = entries[i];
  if (!Number.isInteger(i) || e === undefined) throw new RangeError(`${split} index ${i} is outside 0..${entries.length - 1}`);
  return e;
}
