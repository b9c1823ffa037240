// The SFT checkpoint shipped with the project (media/sft-demo): a run whose SFT warm-up would be the
// one that made it (same task, model, SFT settings and seed) starts RL from it instead, so the demo
// and Start StepGRPO Run spend their minutes on RL. `stepgrpo demo --from-scratch` retrains it
// (docs/trainer.md says how closely a retrain matches).
import fs from 'node:fs';
import path from 'node:path';
import type { PolicyConfig } from '../model/config';
import type { TrainConfig } from './config';
import { isHfModel } from './hf-settings';
import { createTaskSource } from './data/task-source';

export const SHIPPED_SFT_FOLDER = path.join('media', 'sft-demo');

/** The shipped checkpoint's folder, found from the bundle (dist/) or the sources (src/trainer/), or null. */
export function shippedSftCheckpoint(from = __dirname): string | null {
  for (let dir = from, up = 0; up < 4; dir = path.dirname(dir), up++) {
    for (const candidate of [path.join(dir, SHIPPED_SFT_FOLDER), path.join(dir, 'sft-demo')]) {
      if (fs.existsSync(path.join(candidate, 'state.json'))) return candidate;
    }
  }
  return null;
}

/** Why the checkpoint cannot start a run of `config` (another task or model size), or null when it can. */
export async function incompatibility(checkpoint: string, config: TrainConfig): Promise<string | null> {
  const state = JSON.parse(fs.readFileSync(path.join(checkpoint, 'state.json'), 'utf8')) as { config?: TrainConfig; policy?: PolicyConfig };
  if (!state.config || !state.policy) return `${checkpoint}/state.json holds no run or policy config`;
  if ((await createTaskSource(state.config.data)).fingerprint !== (await createTaskSource(config.data)).fingerprint) return 'it was trained on another task';
  if (isHfModel(config.model)) return 'it is a tiny-policy checkpoint and the run trains a Hugging Face model';
  const { image, ...sizes } = config.model;
  for (const [k, v] of Object.entries(sizes))
    if (state.policy[k as keyof typeof sizes] !== v) return `its policy has ${k} ${String(state.policy[k as keyof typeof sizes])}, the run wants ${String(v)}`;
  if (image?.patchSize !== undefined && image.patchSize !== state.policy.image.patchSize)
    return `its policy has patch size ${state.policy.image.patchSize}, the run wants ${image.patchSize}`;
  return null;
}

/**
 * `config` starting from the shipped checkpoint when its SFT warm-up would be the one that made the
 * checkpoint; otherwise `config` unchanged. `note` says which, for the run log.
 */
export async function reuseShippedSft(config: TrainConfig, from = __dirname): Promise<{ config: TrainConfig; note: string | null }> {
  if (config.initFrom || config.sft.steps === 0) return { config, note: null };
  const shipped = shippedSftCheckpoint(from);
  if (!shipped) return { config, note: null };
  const made = JSON.parse(fs.readFileSync(path.join(shipped, 'state.json'), 'utf8')) as { config?: TrainConfig };
  const why =
    (await incompatibility(shipped, config)) ??
    (JSON.stringify(made.config?.sft) !== JSON.stringify(config.sft) || made.config?.seed !== config.seed ? 'other SFT settings or seed' : null);
  if (why) return { config, note: `not using the shipped SFT checkpoint ${shipped}: ${why}` };
  return {
    config: { ...config, initFrom: shipped, sft: { ...config.sft, steps: 0 } },
    note: `starting from the shipped SFT checkpoint ${shipped} (the ${config.sft.steps}-step warm-up this run would do; --from-scratch retrains it)`,
  };
}
