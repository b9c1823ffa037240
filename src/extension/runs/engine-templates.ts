// What New Run Config writes for an external engine: the `engine` field with the reward wiring of
// each engine (the flags docs/server.md gives, checked against the engines' sources there) and its
// rollout dump pointed into the run folder. The model and data arguments are the user's to add.
// Free of `vscode` for the unit tests.
import type { EngineConfig, EngineKind } from '../../protocol/engine-config';

export interface EngineTemplate {
  label: string;
  /** Which versions the wiring is for. */
  versions: string;
  engine: EngineConfig;
}

export const ENGINE_TEMPLATES: Record<EngineKind, EngineTemplate> = {
  verl: {
    label: 'verl',
    versions: 'verl ≥ 0.7.1 (the reward: config group)',
    engine: {
      kind: 'verl',
      command: [
        'python3',
        '-m',
        'verl.trainer.main_ppo',
        'reward.custom_reward_function.path=${integrations}/verl_reward.py',
        'reward.custom_reward_function.name=compute_score',
        'reward.reward_manager.name=naive',
        'trainer.rollout_data_dir=${runDir}/verl-rollouts',
      ],
      cwd: '${workspaceFolder}',
    },
  },
  openrlhf: {
    label: 'OpenRLHF',
    versions: 'OpenRLHF ≥ 0.10.2 (--reward.remote_url, --data.label_key)',
    engine: {
      kind: 'openrlhf',
      command: ['python3', '-m', 'openrlhf.cli.train_ppo_ray', '--data.label_key', 'answer', '--reward.remote_url', '${integrations}/openrlhf_reward_func.py'],
      cwd: '${workspaceFolder}',
    },
  },
  trl: {
    label: 'TRL',
    versions: 'TRL ≥ 1.0 (a GRPOTrainer script with reward_funcs=[stepgrpo_reward] and log_completions=True)',
    engine: {
      kind: 'trl',
      command: ['python3', 'train_grpo.py', '--output_dir', '${runDir}/trl-output'],
      cwd: '${workspaceFolder}',
      env: { PYTHONPATH: '${integrations}' },
    },
  },
};

/** The file New Run Config writes for an engine. */
export function engineStarterConfig(kind: EngineKind): Record<string, unknown> {
  return { engine: ENGINE_TEMPLATES[kind].engine };
}
