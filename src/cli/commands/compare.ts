// `stepgrpo compare RUN_DIR…`: one table over runs (e.g. GRPO vs StepGRPO from one SFT checkpoint):
// held-out evaluation at the start and end of RL, and the rollout metrics of the first and last
// k RL steps.
import path from 'node:path';
import { readRunEvents } from '../../rundir/event-log-reader';
import type { TrainerEvent } from '../../protocol/trainer-messages';
import type { CliCommand, CliIO } from '../command';
import { UsageError, intOption, parseArgs } from '../args';
import { measureRlGain } from '../../trainer/rl-gain';
import { rlGainLines } from '../rl-gain-report';

type Metrics = Extract<TrainerEvent, { type: 'metrics' }>;

const USAGE = `usage: stepgrpo compare RUN_DIR [RUN_DIR…] [--window K]

For every run: held-out eval at the first and last evaluation, and the mean of the rollout
metrics over the first and last K RL steps (default 10). Then, for runs with an RL checkpoint,
RL's gain paired over the same held-out prompts against both SFT figures: greedy, and greedy with
the full chain forced (both checkpoints are evaluated again, about three greedy passes per run).
`;

const ROLLOUT_KEYS = ['reward', 'validity_rate', 'rewards/answer/mean', 'key_step_recall', 'kl'] as const;
const EVAL_KEYS = ['eval/accuracy', 'eval/accuracy_full_chain', 'eval/validity_rate', 'eval/key_step_recall', 'eval/reward'] as const;

export interface RunComparison {
  run: string;
  rlSteps: number;
  evalFirst: Record<string, number>;
  evalLast: Record<string, number>;
  rolloutFirst: Record<string, number>;
  rolloutLast: Record<string, number>;
}

export async function compareRun(dir: string, window: number): Promise<RunComparison> {
  const { events } = await readRunEvents(dir);
  const metrics = events.filter((e): e is Metrics => e.type === 'metrics');
  const rl = metrics.filter((m) => m.phase === 'rl');
  const evals = metrics.filter((m) => m.phase === 'eval');
  const k = Math.max(1, Math.min(window, Math.floor(rl.length / 2)));
  const mean = (xs: Metrics[], key: string): number => xs.reduce((a, m) => a + (m.values[key] ?? 0), 0) / Math.max(1, xs.length);
  const pick = (xs: Metrics[], keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.map((key) => [key, mean(xs, key)]));
  return {
    run: path.basename(dir),
    rlSteps: rl.length,
    evalFirst: evals[0]?.values ?? {},
    evalLast: evals.at(-1)?.values ?? {},
    rolloutFirst: pick(rl.slice(0, k), ROLLOUT_KEYS),
    rolloutLast: pick(rl.slice(-k), ROLLOUT_KEYS),
  };
}

const cell = (a: number | undefined, b: number | undefined): string => `${(a ?? NaN).toFixed(3)} → ${(b ?? NaN).toFixed(3)}`;

export function formatComparison(rows: RunComparison[], window: number): string {
  const keys = [...EVAL_KEYS.map((k) => ['eval', k] as const), ...ROLLOUT_KEYS.map((k) => ['rollout', k] as const)];
  const header = ['metric (first → last)', ...rows.map((r) => `${r.run} (${r.rlSteps} RL steps)`)];
  const body = keys.map(([kind, key]) => [
    kind === 'eval' ? key : `rollouts/${key} (k=${window})`,
    ...rows.map((r) => (kind === 'eval' ? cell(r.evalFirst[key], r.evalLast[key]) : cell(r.rolloutFirst[key], r.rolloutLast[key]))),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return `${table.map((row) => row.map((v, c) => v.padEnd(widths[c]!)).join('  ')).join('\n')}\n`;
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare runs: held-out eval and rollout metrics, first vs last',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs(argv, { window: intOption(1) }, { positionals: true });
    if (positionals.length === 0) throw new UsageError('give at least one run directory');
    const window = values.window ?? 10;
    io.stdout.write(formatComparison(await Promise.all(positionals.map((d) => compareRun(d, window))), window));
    // One run at a time: each opens a policy and decodes its prompts three times.
    for (const dir of positionals) {
      const gain = await measureRlGain(dir);
      io.stdout.write(`\n${path.basename(dir)}: ${gain ? `\n${rlGainLines(gain, 'after RL').join('\n')}` : 'no RL checkpoint, no paired gain'}\n`);
    }
    return 0;
  },
};
