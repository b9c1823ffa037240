// The one way to open a policy, whatever names it: a run config (a new policy, or a checkpoint's
// family state for resume and initFrom, the run then setting the weights it chose) or a checkpoint
// folder, weights included (the scripts and benches that study a trained policy).
import path from 'node:path';
import { loadWeights } from './checkpoint';
import { type CheckpointState, checkpointState } from './checkpoint-state';
import type { TrainConfig } from './config';
import { type OpenedPolicy, type OpenPolicyOptions, openFamilyPolicy } from './policy-family';

export interface CheckpointSource {
  /** A checkpoint folder (state.json + model.safetensors). */
  checkpoint: string;
  /** Runtime and loss settings to open it with; default: the config the checkpoint was trained with. */
  config?: TrainConfig;
  log?: (message: string) => void;
}

export type PolicySource = OpenPolicyOptions | CheckpointSource;

export interface OpenedCheckpoint extends OpenedPolicy {
  /** The checkpoint's state.json, checked. */
  checkpoint: CheckpointState;
}

export async function openPolicy(source: CheckpointSource): Promise<OpenedCheckpoint>;
export async function openPolicy(source: OpenPolicyOptions): Promise<OpenedPolicy>;
export async function openPolicy(source: PolicySource): Promise<OpenedPolicy | OpenedCheckpoint> {
  if (!('checkpoint' in source)) return openFamilyPolicy(source);
  const weights = loadWeights(source.checkpoint);
  const state = checkpointState(weights.state, path.join(source.checkpoint, 'state.json'));
  const opened = await openFamilyPolicy({ config: source.config ?? state.config, from: { policy: state.policy, tokenizer: state.tokenizer }, log: source.log ?? (() => {}) });
  opened.policy.setParams(weights.params);
  return { ...opened, checkpoint: state };
}
