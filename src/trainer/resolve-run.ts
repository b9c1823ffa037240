// From what a user asked for (a preset, a config file, flags) to the config a new run trains with.
// The one resolution: the trainer child (which Start StepGRPO Run spawns), `stepgrpo train` and
// `stepgrpo demo` all call it, so a preset gives the same run from the palette and the terminal,
// the shipped SFT checkpoint included.
import fs from 'node:fs';
import path from 'node:path';
import { checkRunConfigText, describeConfigIssues } from '../protocol/run-config-check';
import { presetConfig, resolveTrainConfig, type TrainConfig } from './config';
import { checkExecutionProvider } from './provider-check';
import { reuseShippedSft } from './shipped-checkpoint';

export interface RunRequest {
  /** A preset name (TRAIN_PRESETS); demo when absent. */
  preset?: string;
  /** A run-config JSON file laid over the preset. */
  configFile?: string;
  /** Fields laid over the preset and the file (flags such as `--rl-steps`). */
  overrides?: Record<string, unknown>;
  /** Start from this checkpoint's parameters (SFT steps default to 0). */
  initFrom?: string;
  /** Overrides runtime.executionProvider. */
  executionProvider?: string;
  /** Run the SFT warm-up even where the shipped checkpoint could stand in for it. */
  fromScratch?: boolean;
}

export interface ResolvedRun {
  config: TrainConfig;
  /** Whether the shipped SFT checkpoint is used and why (or why not), for the run log. */
  note: string | null;
}

/** A run-config file's content; a read, syntax or check error names the file, line and field. */
export function readRunConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const issues = checkRunConfigText(text);
  if (issues.length) throw new Error(describeConfigIssues(file, text, issues));
  const config = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  if ('engine' in config)
    throw new Error(`${file}: engine: this config launches an external engine; start it with Start StepGRPO Run in VS Code (the local trainer does not run it)`);
  return config;
}

export async function resolveRun(request: RunRequest): Promise<ResolvedRun> {
  let base = presetConfig(request.preset ?? 'demo');
  if (request.initFrom) base = { ...base, initFrom: path.resolve(request.initFrom), sft: { ...base.sft, steps: 0 } };
  let config = resolveTrainConfig(request.configFile ? readRunConfigFile(request.configFile) : {}, base);
  if (request.overrides) config = resolveTrainConfig(request.overrides, config);
  if (request.executionProvider) config = resolveTrainConfig({ runtime: { executionProvider: request.executionProvider } }, config);
  // Before the shipped-checkpoint check generates the task's data.
  await checkExecutionProvider(config.runtime);
  return request.fromScratch ? { config, note: null } : reuseShippedSft(config);
}
