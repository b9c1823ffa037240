// The paper's ablation at equal compute: one SFT checkpoint, then every RL arm for each seed from it
// (same steps, prompts and G), each evaluated greedily on the whole held-out split. Runs already
// completed are reused and interrupted ones resumed, so a killed ablation loses one step at most.
import fs from 'node:fs';
import path from 'node:path';
import type { RewardConfig } from '../core/reward-types';
import { type RewardPresetName, resolveRewardConfig } from '../core/reward';
import type { TrainerEvent } from '../protocol/trainer-messages';
import type { TrainConfig } from './config';
import { meanInterval, type MeanInterval } from './interval';
import { readRunEvents } from '../rundir/event-log-reader';
import { RUN_FILES } from '../rundir/run-files';
import { latestCheckpointDir, latestCheckpointName } from '../rundir/checkpoint-pointer';
import { runTraining } from './run';

export interface AblationArm {
  name: string;
  label: string;
  /** null: the SFT checkpoint itself, no RL. */
  rl: null | { reward: RewardPresetName | Partial<RewardConfig>; advantage: 'sequence' | 'step' };
}

/** The arms, given the StepGRPO reward of the base config (its α and weights). */
export function ablationArms(stepgrpo: Partial<RewardConfig>): AblationArm[] {
  return [
    { name: 'sft', label: 'SFT only', rl: null },
    { name: 'outcome', label: 'SFT + outcome-only GRPO', rl: { reward: 'grpo-outcome', advantage: 'sequence' } },
    { name: 'stepgrpo', label: 'SFT + StepGRPO (StepRAR + StepRVR)', rl: { reward: stepgrpo, advantage: 'sequence' } },
    { name: 'steprar', label: 'SFT + StepRAR only', rl: { reward: { ...stepgrpo, w_val: 0 }, advantage: 'sequence' } },
    { name: 'steprvr', label: 'SFT + StepRVR only', rl: { reward: { ...stepgrpo, alpha: 0 }, advantage: 'sequence' } },
    { name: 'stepgrpo-step', label: 'SFT + StepGRPO, advantage "step"', rl: { reward: stepgrpo, advantage: 'step' } },
  ];
}

export const ABLATION_METRICS = [
  ['accuracy', 'eval/accuracy'],
  ['key-step recall', 'eval/key_step_recall'],
  ['validity', 'eval/validity_rate'],
  ['faithfulness', 'eval/faithfulness'],
] as const;

export interface ArmResult {
  arm: string;
  label: string;
  seeds: number[];
  /** Final held-out eval of each seed's run. */
  runs: Record<string, number>[];
  summary: Record<string, MeanInterval>;
}

export interface AblationOptions {
  outDir: string;
  /** SFT + RL settings shared by every arm; its reward is the StepGRPO reward. */
  base: TrainConfig;
  seeds: number[];
  /** Arm names to run (default all). */
  arms?: string[];
  /** Start every arm from this SFT checkpoint instead of training one (the SFT arm evaluates it). */
  sftCheckpoint?: string;
  onEvent?: (run: string, event: TrainerEvent) => void;
}

/** Last held-out evaluation of a completed run, or null when the run has not completed. */
async function finalEval(dir: string): Promise<Record<string, number> | null> {
  if (!fs.existsSync(path.join(dir, RUN_FILES.config))) return null;
  const { events } = await readRunEvents(dir);
  if (!events.some((e) => e.type === 'done' && e.status === 'completed')) return null;
  const evals = events.filter((e): e is Extract<TrainerEvent, { type: 'metrics' }> => e.type === 'metrics' && e.phase === 'eval');
  return evals.at(-1)?.values ?? null;
}

/** Runs a config into `dir` unless it already completed there; resumes an interrupted one. */
async function ensureRun(dir: string, config: TrainConfig, label: string, onEvent?: AblationOptions['onEvent']): Promise<Record<string, number>> {
  const done = await finalEval(dir);
  if (done) return done;
  const resume = latestCheckpointName(path.join(dir, RUN_FILES.checkpoints)) !== null;
  if (!resume) fs.rmSync(dir, { recursive: true, force: true });
  await runTraining({ outDir: dir, config: resume ? undefined : config, resume, onEvent: (e) => onEvent?.(label, e) });
  const result = await finalEval(dir);
  if (!result) throw new Error(`${dir}: the run ended without a final evaluation`);
  return result;
}

export async function runAblation(o: AblationOptions): Promise<ArmResult[]> {
  const arms = ablationArms(resolveRewardConfig(o.base.reward)).filter((a) => !o.arms || o.arms.includes(a.name));
  if (o.arms)
    for (const name of o.arms)
      if (!arms.some((a) => a.name === name))
        throw new Error(
          `ablation: unknown arm "${name}" (expected ${ablationArms({})
            .map((a) => a.name)
            .join(', ')})`,
        );
  // One warm-up for every arm: differences between arms are RL's alone.
  const sftDir = path.join(o.outDir, 'sft');
  const sftConfig: TrainConfig = { ...o.base, rl: { ...o.base.rl, steps: 0 }, eval: { ...o.base.eval, every: 0 } };
  const sftEval = await ensureRun(sftDir, o.sftCheckpoint ? { ...sftConfig, sft: { ...sftConfig.sft, steps: 0 }, initFrom: o.sftCheckpoint } : sftConfig, 'sft', o.onEvent);
  const sftCheckpoint = latestCheckpointDir(path.join(sftDir, RUN_FILES.checkpoints));
  if (sftCheckpoint === null) throw new Error(`${sftDir}: the warm-up run ended without a checkpoint`);
  const results: ArmResult[] = [];
  for (const arm of arms) {
    const runs: Record<string, number>[] = arm.rl ? [] : [sftEval];
    for (const seed of arm.rl ? o.seeds : []) {
      const config: TrainConfig = {
        ...o.base,
        seed,
        sft: { ...o.base.sft, steps: 0 },
        rl: { ...o.base.rl, advantage: arm.rl!.advantage },
        reward: arm.rl!.reward,
        eval: { ...o.base.eval, every: 0 },
        checkpointEvery: o.base.checkpointEvery,
        initFrom: sftCheckpoint,
      };
      runs.push(await ensureRun(path.join(o.outDir, arm.name, `seed-${seed}`), config, `${arm.name}/seed-${seed}`, o.onEvent));
    }
    const summary = Object.fromEntries(ABLATION_METRICS.map(([, key]) => [key, meanInterval(runs.map((r) => r[key] ?? NaN))]));
    results.push({ arm: arm.name, label: arm.label, seeds: arm.rl ? o.seeds : [o.base.seed], runs, summary });
  }
  fs.writeFileSync(path.join(o.outDir, 'ablation.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(o.outDir, 'ablation.md'), `${ablationTable(results).join('\n')}\n`);
  return results;
}

const pct = (m: MeanInterval): string => (m.halfWidth > 0 ? `${(100 * m.mean).toFixed(1)} ± ${(100 * m.halfWidth).toFixed(1)}` : `${(100 * m.mean).toFixed(1)}`);

/** A Markdown table: mean ± 95 % interval half-width over seeds, in percent. */
export function ablationTable(results: readonly ArmResult[]): string[] {
  return [
    `| arm | seeds | ${ABLATION_METRICS.map(([label]) => label).join(' | ')} |`,
    `|---|---|${ABLATION_METRICS.map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${r.label} | ${r.seeds.length} | ${ABLATION_METRICS.map(([, key]) => pct(r.summary[key]!)).join(' | ')} |`),
  ];
}
