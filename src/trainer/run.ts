// A whole run (DESIGN §8 pipeline): SFT warm-up on the task's demonstrations, then StepGRPO from the SFT
// checkpoint (also the KL reference). Every event goes to the run directory first, then to the
// caller (the NDJSON stdout of the trainer process, or the CLI's progress printer).
import fs from 'node:fs';
import path from 'node:path';
import { resolveRewardConfig } from '../core/reward';
import type { PolicyRuntime } from '../model/family';
import type { ParamValues } from '../model/params';
import type { TrainerEvent } from '../protocol/trainer-messages';
import { RUN_FILES } from '../rundir/run-files';
import { RunWriter } from '../rundir/run-writer';
import { latestCheckpointDir, latestCheckpointName, pointLatestAt } from '../rundir/checkpoint-pointer';
import { loadCheckpoint, loadWeights, saveCheckpoint, exportPolicyOnnx, removeCheckpointTemps } from './checkpoint';
import { type CheckpointState, checkpointState } from './checkpoint-state';
import { resolveTrainConfig, type TrainConfig } from './config';
import { dataUri } from './data/image-tensor';
import { createTaskSource } from './data/task-source';
import { evaluate } from './evaluate';
import { faultPoint } from './fault-point';
import { loadInitFrom } from './init-from';
import { openPolicy } from './open-policy';
import { isHfState } from './policy-family';
import { PEAK_RSS_METRIC, peakRssMb } from './peak-memory';
import { checkExecutionProvider } from './provider-check';
import { RunControl } from './run-control';
import { TensorBoardWriter } from './tensorboard';
import { sftLearningRate, sftStep } from './sft';
import { stepGrpoStep } from './stepgrpo';

export const TRAINER_VERSION = '0.1.0';

export interface RunOptions {
  /** Run directory; created for a new run, read for `resume`. */
  outDir: string;
  /** Config of a new run (ignored on resume: config.json is authoritative). */
  config?: unknown;
  resume?: boolean;
  /** Stop / pause / checkpoint-now requests, honoured between steps. */
  control?: RunControl;
  onEvent?: (event: TrainerEvent) => void;
}

export interface RunSummary {
  status: 'completed' | 'stopped';
  steps: number;
  finalEval: Record<string, number>;
  checkpoint: string | null;
}

const stepDir = (step: number): string => `step-${String(step).padStart(6, '0')}`;

export async function runTraining(options: RunOptions): Promise<RunSummary> {
  // The run lock is taken before anything is read, so a second writer of a live run fails at once.
  const config = options.resume ? undefined : resolveTrainConfig(options.config ?? {});
  if (config) await checkExecutionProvider(config.runtime);
  const dir = config ? RunWriter.create(options.outDir, config, { lock: true }) : RunWriter.open(options.outDir, { lock: true });
  try {
    return await runLocked(options, dir, config);
  } finally {
    dir.close();
  }
}

async function runLocked(options: RunOptions, dir: RunWriter, newConfig: TrainConfig | undefined): Promise<RunSummary> {
  const resumed = newConfig ? null : loadLatest(dir.root);
  // A run killed before its first checkpoint restarts in place, from step 0 with its own config.json.
  const config = newConfig ?? resumed?.state.config ?? readRunConfig(dir.root);
  if (resumed && resumed.state.step >= config.sft.steps + config.rl.steps) {
    throw new Error(`${options.outDir}: the run already completed all ${resumed.state.step} steps; nothing to resume`);
  }
  if (!newConfig) await checkExecutionProvider(config.runtime);
  const orphans = newConfig ? [] : removeCheckpointTemps(dir.checkpointsDir);
  fs.mkdirSync(dir.checkpointsDir, { recursive: true });
  const tb = new TensorBoardWriter(path.join(dir.root, 'tb'));
  const emit = (event: TrainerEvent): void => {
    if (event.type === 'metrics') event = { ...event, values: { ...event.values, [PEAK_RSS_METRIC]: peakRssMb() } };
    dir.append(event);
    if (event.type === 'metrics') tb.scalars(event.step, event.phase === 'sft' ? prefixed('sft/', event.values) : event.values);
    options.onEvent?.(event);
  };
  const log = (message: string, level: 'info' | 'warn' = 'info'): void => emit({ v: 1, type: 'log', level, message });

  const data = await createTaskSource(config.data, log);
  // A new run may start from another run's checkpoint (e.g. one SFT checkpoint, several RL variants).
  const init = !resumed && config.initFrom ? loadInitFrom(config, log) : null;
  const from = resumed ? { policy: resumed.state.policy, tokenizer: resumed.state.tokenizer } : init?.from;
  const opened = await openPolicy({ config, data, ...(from ? { from } : {}), log });
  const { policy, codec: tok } = opened;
  const reward = resolveRewardConfig(config.reward);
  try {
    return await drive(policy);
  } catch (err) {
    // Recorded in the run directory too, so a reader of the run sees why it ended.
    const message = (err as Error).message ?? String(err);
    emit({ v: 1, type: 'error', message, detail: (err as Error).stack, fatal: true });
    emit({ v: 1, type: 'done', status: 'failed', summary: { error: message } });
    throw Object.assign(err as Error, { reported: true });
  } finally {
    await policy.release();
  }

  async function drive(policy: PolicyRuntime): Promise<RunSummary> {
    const { sft, rl } = config;
    const total = sft.steps + rl.steps;
    let step = resumed?.state.step ?? 0;
    let refName = resumed?.state.reference ?? null;
    let refParams: ParamValues | null = null;
    if (init) policy.setParams(init.params);
    if (resumed) {
      policy.setParams(resumed.params);
      policy.setOptimizerState(resumed.optimizer);
      if (refName) refParams = loadWeights(path.join(dir.checkpointsDir, refName)).params;
    }
    const stream = data.train(resumed?.state.dataCursor);
    emit({ v: 1, type: 'hello', pid: process.pid, version: TRAINER_VERSION, device: { ep: config.runtime.executionProvider, threads: config.runtime.threads }, config });
    const start = resumed
      ? `resumed at step ${step}`
      : newConfig
        ? `new run${init ? ` from ${init.describe}` : ''}`
        : `no complete checkpoint in ${dir.checkpointsDir}: restarting from step 0 with the run's ${RUN_FILES.config}`;
    log(`${start}: ${data.trainSize} train / ${data.evalSize} eval examples, ${opened.describe}`);
    if (orphans.length) log(`removed checkpoint temp folders a killed writer left: ${orphans.join(', ')}`, 'warn');

    const checkpoint = (): string => {
      const name = stepDir(step);
      const target = path.join(dir.checkpointsDir, name);
      // A folder `latest` does not name was left by an attempt killed before its pointer: it is
      // written again (that attempt may have run another config) and pointed at. Skipped, `latest`
      // stayed an interval behind, and the next kill lost two.
      if (latestCheckpointName(dir.checkpointsDir) !== name) fs.rmSync(target, { recursive: true, force: true });
      if (!fs.existsSync(target)) {
        const state: CheckpointState = { policy: opened.state, config, tokenizer: opened.tokenizer, step, dataCursor: stream.cursor(), reference: refName };
        saveCheckpoint(target, { params: policy.params, optimizer: policy.optimizerState, state: { ...state } });
        faultPoint('checkpoint-pointer');
        pointLatestAt(dir.checkpointsDir, name);
      }
      emit({ v: 1, type: 'checkpoint', step, path: target });
      return target;
    };
    const control = options.control ?? new RunControl();
    /**
     * Between steps: honour a checkpoint request, wait while paused (a paused run still checkpoints
     * on request; `paused`/`resumed` go to the run directory so any reader sees the state), report
     * whether to stop.
     */
    const betweenSteps = async (): Promise<boolean> => {
      let paused = false;
      for (;;) {
        if (control.takeCheckpointRequest()) checkpoint();
        if (!control.isPaused) break;
        if (!paused) emit({ v: 1, type: 'paused', step });
        paused = true;
        await control.nextRequest();
      }
      if (paused) emit({ v: 1, type: 'resumed', step });
      return control.signal.aborted;
    };
    const finish = async (status: RunSummary['status']): Promise<RunSummary> => {
      const finalEval = await evaluate(policy, tok, data, config.eval.prompts, rl.maxNewTokens, reward);
      emit({ v: 1, type: 'metrics', step, phase: 'eval', values: finalEval });
      // The export before the last checkpoint: a run killed in between redoes both on resume.
      if (!isHfState(opened.state)) exportPolicyOnnx(path.join(dir.root, 'policy.onnx'), opened.state, policy.params);
      const ckpt = checkpoint();
      const summary: RunSummary = { status, steps: step, finalEval, checkpoint: ckpt };
      emit({ v: 1, type: 'done', status, summary: { ...summary } });
      return summary;
    };

    if (step < sft.steps) emit({ v: 1, type: 'phase', phase: 'sft', step, totalSteps: total });
    while (step < sft.steps) {
      if (await betweenSteps()) return finish('stopped');
      const lr = sftLearningRate(step, sft.steps, sft.lr);
      const r = await sftStep(policy, tok, stream, sft, lr);
      step++;
      emit({ v: 1, type: 'metrics', step, phase: 'sft', values: { loss: r.loss, grad_norm: r.gradNorm, lr, tokens_per_second: r.tokens / r.seconds, step_time: r.seconds } });
      // The last SFT step's checkpoint is the KL reference, written below with a fresh optimizer.
      if (config.sftCheckpointEvery > 0 && step % config.sftCheckpointEvery === 0 && step < sft.steps) checkpoint();
    }
    if (!refParams) {
      // Evaluated before the reference checkpoint: a run resumed from that checkpoint skips this block.
      const sftEval = await evaluate(policy, tok, data, config.eval.prompts, rl.maxNewTokens, reward);
      emit({ v: 1, type: 'metrics', step, phase: 'eval', values: sftEval });
      // The SFT checkpoint is the KL reference and the starting point of RL, with a fresh AdamW
      // state: SFT moments would mis-scale the first policy-gradient updates.
      policy.setOptimizerState(policy.freshOptimizerState());
      refName = stepDir(step);
      checkpoint();
      // A snapshot: train steps update the policy's own arrays in place.
      refParams = new Map([...policy.params].map(([name, values]) => [name, values.slice()]));
    }

    if (step < total) emit({ v: 1, type: 'phase', phase: 'rl', step, totalSteps: total });
    while (step < total) {
      if (await betweenSteps()) return finish('stopped');
      const r = await stepGrpoStep({
        policy,
        refParams,
        tok,
        stream,
        rl,
        reward,
        seed: config.seed,
        step,
        rlStep: step - sft.steps,
        imageForEvent: (e) => (e.image ? { dataUri: dataUri(e.image, e.imageSize) } : undefined),
      });
      step++;
      emit({ v: 1, type: 'rollouts', step, groups: r.groups });
      emit({ v: 1, type: 'metrics', step, phase: 'rl', values: { ...r.metrics, ...Object.fromEntries(Object.entries(r.split).map(([k, v]) => [`time/${k}`, v])) } });
      const rlStep = step - sft.steps;
      if (config.eval.every > 0 && rlStep % config.eval.every === 0 && step < total) {
        emit({ v: 1, type: 'metrics', step, phase: 'eval', values: await evaluate(policy, tok, data, config.eval.prompts, rl.maxNewTokens, reward) });
      }
      if (config.checkpointEvery > 0 && rlStep % config.checkpointEvery === 0 && step < total) checkpoint();
    }
    return finish('completed');
  }
}

/** The latest complete checkpoint, or null when there is none yet (checkpoints/latest is missing). */
function loadLatest(runDir: string): { params: ParamValues; optimizer: ReturnType<typeof loadCheckpoint>['optimizer']; state: CheckpointState } | null {
  const dir = latestCheckpointDir(path.join(runDir, RUN_FILES.checkpoints));
  if (dir === null) return null;
  const ckpt = loadCheckpoint(dir);
  return { params: ckpt.params, optimizer: ckpt.optimizer, state: checkpointState(ckpt.state, path.join(dir, 'state.json')) };
}

/** The config a run folder was started with (a restart in place trains with it again). */
function readRunConfig(runDir: string): TrainConfig {
  const file = path.join(runDir, RUN_FILES.config);
  try {
    return resolveTrainConfig(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** SFT's `loss`/`grad_norm` would land on the same TensorBoard charts as RL's otherwise; the peak memory is one series for the whole run. */
function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k === PEAK_RSS_METRIC ? k : `${prefix}${k}`, v]));
}
