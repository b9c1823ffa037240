// One engine step file imported in linear time and bounded memory. Rows are read in two passes
// over the same bytes: the first scores each row and keeps only what the metrics read and its
// group; the second reads and scores the rows again (cheaper in memory than keeping every
// breakdown) and writes each as a sample, its group's advantage now known, in `partial` rollouts
// events of bounded size (readers merge them into the step's groups, as they do a recording reward
// server's). A verl file is read by complete lines from an offset, so a file still being written is
// read again as it grows: later rows join their groups, with advantages relative to the group so
// far (as the recorder does), and the step's metrics are written again.
import fs from 'node:fs/promises';
import path from 'node:path';
import { groupAdvantages } from '../../core/grpo';
import { scoreChain, type RewardPresetName } from '../../core/reward';
import { stepMetrics, type MetricRewards } from '../../core/step-metrics';
import { isObject, type Issue } from '../../protocol/schema';
import type { RolloutGroup, RolloutSample, TrainerEvent } from '../../protocol/trainer-messages';
import { decodeLine, forEachLine, readCompleteLines } from '../../rundir/complete-lines';
import type { RunWriter } from '../../rundir/run-writer';
import { verlRecord, type StepFile } from './engine-rollouts';
import { groupHeader, LineProblem, readChainRecord, type ChainRecord } from './rollout-import';

/** Text bytes of samples held before a `rollouts` event is written. */
export const BATCH_BYTES = 4 * 1024 * 1024;

interface GroupState {
  step: number;
  header: Omit<RolloutGroup, 'samples'>;
  totals: number[];
  /** What the metrics read, per row (the full breakdown is computed again when the row is written). */
  rewards: MetricRewards[];
  /** groupAdvantages of `totals`, computed once per read. */
  advantages?: number[];
}

interface ScoredRow {
  group: GroupState;
  index: number;
}

export interface StepRead {
  /** Chains written by this read. */
  chains: number;
  /** Rows skipped by this read: `{path: '3.jsonl:12', message}`. */
  skipped: Issue[];
}

export class EngineStepImport {
  private readonly groups = new Map<string, GroupState>();
  /** Per step: rows with no prompt field so far (each is its own group). */
  private readonly positional = new Map<number, number>();
  private readonly engineSums = new Map<number, Map<string, { sum: number; n: number }>>();
  private batch = new Map<GroupState, RolloutSample[]>();
  private batchBytes = 0;
  private offset = 0;
  private lineNo = 0;
  private readonly name: string;

  constructor(
    readonly file: StepFile,
    private readonly preset: RewardPresetName,
    private readonly writer: RunWriter,
    private readonly maxBatchBytes = BATCH_BYTES,
  ) {
    this.name = path.basename(file.file);
  }

  /** Bytes of the file read so far (complete lines). */
  get bytes(): number {
    return this.offset;
  }

  /** Lines of the file read so far. */
  get lines(): number {
    return this.lineNo;
  }

  /**
   * Takes up a verl file that an earlier import read up to `bytes` (`lines` lines): those rows are
   * scored again to rebuild their groups and the step's metrics, and written nowhere.
   */
  async restore(bytes: number, lines: number): Promise<void> {
    const out: StepRead = { chains: 0, skipped: [] };
    const handle = await fs.open(this.file.file, 'r');
    try {
      let line = 0;
      await readCompleteLines(
        handle,
        0,
        bytes,
        (block) =>
          forEachLine(block, (row) => {
            const record = this.verlLine(row, ++line, out);
            if (record) this.score(record, line, out);
          }),
        { final: true },
      );
    } finally {
      await handle.close();
    }
    this.offset = bytes;
    this.lineNo = lines;
  }

  /**
   * Imports the complete lines of a verl file appended since the last read. `final`: nothing will
   * finish an incomplete last line (a one-shot import), so it is read as a line too.
   */
  async readVerl({ final = false }: { final?: boolean } = {}): Promise<StepRead & { tailBytes: number }> {
    const out: StepRead = { chains: 0, skipped: [] };
    const handle = await fs.open(this.file.file, 'r');
    try {
      const size = (await handle.stat()).size;
      const rows: (ScoredRow | undefined)[] = [];
      let line = this.lineNo;
      const score = (bytes: Buffer): void => {
        line++;
        const record = this.verlLine(bytes, line, out);
        rows.push(record && this.score(record, line, out));
      };
      const read = await readCompleteLines(handle, this.offset, size, (block) => forEachLine(block, score), { final });
      this.refreshAdvantages(rows);
      let i = 0;
      line = this.lineNo;
      const write = (bytes: Buffer): void => {
        line++;
        const row = rows[i++];
        if (!row) return;
        // Read and checked in the first pass: the same bytes give the same record.
        this.addSample(readChainRecord(verlRecord(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>, this.file.step), this.file.file), row);
        out.chains++;
      };
      await readCompleteLines(handle, this.offset, read.end, (block) => forEachLine(block, write), { final });
      this.offset = read.end;
      this.lineNo = line;
      this.finishRead(rows);
      return { ...out, tailBytes: read.tailBytes };
    } finally {
      await handle.close();
    }
  }

  /** Imports rows already in memory (a TRL parquet file), numbered from 1. */
  readRows(records: Record<string, unknown>[]): StepRead {
    const out: StepRead = { chains: 0, skipped: [] };
    const chains: (ChainRecord | undefined)[] = [];
    const rows = records.map((record, i) => {
      const chain = this.check(() => readChainRecord(record, this.file.file), i + 1, out);
      chains.push(chain);
      return chain && this.scoreChain(chain);
    });
    this.refreshAdvantages(rows);
    rows.forEach((row, i) => {
      if (!row) return;
      this.addSample(chains[i]!, row);
      out.chains++;
    });
    this.finishRead(rows);
    return out;
  }

  private verlLine(bytes: Buffer, line: number, out: StepRead): Record<string, unknown> | undefined {
    const decoded = decodeLine(bytes);
    if ('error' in decoded) return this.skip(line, decoded.error, out);
    if (!decoded.text.trim()) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(decoded.text);
    } catch (err) {
      return this.skip(line, `not valid JSON (${(err as Error).message})`, out);
    }
    if (!isObject(value)) return this.skip(line, 'expected a JSON object', out);
    return verlRecord(value, this.file.step);
  }

  private score(record: Record<string, unknown>, line: number, out: StepRead): ScoredRow | undefined {
    const chain = this.check(() => readChainRecord(record, this.file.file), line, out);
    return chain && this.scoreChain(chain);
  }

  private check<T>(read: () => T, line: number, out: StepRead): T | undefined {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof LineProblem)) throw err;
      return this.skip(line, `${err.field}: ${err.message}`, out);
    }
  }

  private skip(line: number, message: string, out: StepRead): undefined {
    out.skipped.push({ path: `${this.name}:${line}`, message });
    return undefined;
  }

  private scoreChain(chain: ChainRecord): ScoredRow {
    const rewards = chain.rewards ?? scoreChain(chain.text, chain.reference, this.preset);
    const group = this.groupOf(chain);
    group.totals.push(rewards.total);
    group.rewards.push({
      total: rewards.total,
      r_acc: rewards.r_acc,
      r_val: rewards.r_val,
      answer_correct: rewards.answer_correct,
      key_step_ratio: rewards.key_step_ratio,
      validity: rewards.validity,
      violations: rewards.violations.map(({ code }) => ({ code })),
    });
    const sums = this.engineSums.get(chain.step) ?? new Map<string, { sum: number; n: number }>();
    this.engineSums.set(chain.step, sums);
    for (const [k, v] of Object.entries(chain.engine ?? {})) {
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(k, s);
    }
    return { group, index: group.totals.length - 1 };
  }

  /** By step and prompt key; a record without a prompt field is its own group. */
  private groupOf(chain: ChainRecord): GroupState {
    let key = chain.key;
    if (key === null) {
      const n = this.positional.get(chain.step) ?? 0;
      this.positional.set(chain.step, n + 1);
      key = `#position:${n}`;
    }
    const id = `${chain.step}\n${key}`;
    let group = this.groups.get(id);
    if (!group) this.groups.set(id, (group = { step: chain.step, header: groupHeader(chain.step, key, chain), totals: [], rewards: [] }));
    return group;
  }

  /** Advantages of the groups this read added to, relative to every sample of the group so far. */
  private refreshAdvantages(rows: (ScoredRow | undefined)[]): void {
    for (const row of rows) if (row) row.group.advantages = undefined;
    for (const row of rows) {
      if (!row || row.group.advantages) continue;
      const totals = row.group.totals;
      // A singleton group has no baseline to compare with: advantage 0.
      row.group.advantages = totals.length > 1 ? groupAdvantages(totals, totals.length) : [0];
    }
  }

  private addSample(chain: ChainRecord, row: ScoredRow): void {
    const sample: RolloutSample = {
      text: chain.text,
      tokens: chain.tokens,
      // Scored again rather than kept: the breakdowns of every row would be most of the memory.
      rewards: chain.rewards ?? scoreChain(chain.text, chain.reference, this.preset),
      advantage: row.group.advantages![row.index]!,
      ...(chain.engine ? { engine: chain.engine } : {}),
    };
    const samples = this.batch.get(row.group);
    if (samples) samples.push(sample);
    else this.batch.set(row.group, [sample]);
    this.batchBytes += chain.text.length + 256;
    if (this.batchBytes >= this.maxBatchBytes) this.flush();
  }

  private flush(): void {
    const byStep = new Map<number, RolloutGroup[]>();
    for (const [group, samples] of this.batch) {
      const groups = byStep.get(group.step) ?? [];
      byStep.set(group.step, groups);
      groups.push({ ...group.header, samples });
    }
    this.batch = new Map();
    this.batchBytes = 0;
    const events: TrainerEvent[] = [...byStep].map(([step, groups]) => ({ v: 1, type: 'rollouts', step, groups, partial: true }));
    if (events.length) this.writer.append(...events);
  }

  /** Writes what is batched and the metrics of every step this read touched, over all its rows so far. */
  private finishRead(rows: (ScoredRow | undefined)[]): void {
    this.flush();
    const steps = new Set(rows.flatMap((row) => (row ? [row.group.step] : [])));
    const groups = [...this.groups.values()];
    for (const step of [...steps].sort((a, b) => a - b)) {
      // Token counts stay out: an importer writes 0 where the engine gave none.
      const values = stepMetrics(groups.filter((g) => g.step === step).map((g) => ({ samples: g.rewards.map((rewards) => ({ rewards })) })));
      // The engine's own numbers, averaged, beside ours (verl's `score`, TRL's reward columns).
      for (const [k, { sum, n }] of this.engineSums.get(step) ?? []) values[`engine/${k}`] = sum / n;
      this.writer.append({ v: 1, type: 'metrics', step, phase: 'rl', values });
    }
  }
}
