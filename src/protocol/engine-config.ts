// A run config's `engine` field: an external trainer (verl, OpenRLHF, TRL) that Start StepGRPO Run
// launches in a terminal, with the reward server recording into the run folder (docs/extension.md,
// "Launching an engine"). Types, the variables its strings may name, and their expansion; the
// schema of the field is in src/trainer/config-schema.ts, checked by run-config-check.ts.

export const ENGINE_KINDS = ['verl', 'openrlhf', 'trl'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface EngineConfig {
  kind: EngineKind;
  /** The program and its arguments, run without a shell. */
  command: string[];
  /** Working directory (default: the workspace folder). */
  cwd?: string;
  /** Added to the extension host's environment (after the reward server's variables, so they can be overridden). */
  env?: Record<string, string>;
}

/** What `${name}` in `command`, `cwd` and `env` values expands to when the engine starts. */
export const ENGINE_VARIABLES = {
  runDir: 'the run folder the reward server records into',
  rewardUrl: "the reward server's URL (http://127.0.0.1:PORT)",
  rewardToken: "the reward server's bearer token",
  integrations: "the folder of StepGRPO's Python integrations (verl_reward.py, openrlhf_reward_func.py, trl_reward.py)",
  workspaceFolder: 'the first workspace folder',
} as const;
export type EngineVariable = keyof typeof ENGINE_VARIABLES;

const VARIABLE = /\$\{([^}]*)\}/g;

/** The `${name}` references in `text` that are not engine variables. */
export function unknownVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !Object.prototype.hasOwnProperty.call(ENGINE_VARIABLES, name));
}

/** `text` with every `${name}` replaced; a variable without a value is an error naming it. */
export function expandVariables(text: string, values: Partial<Record<EngineVariable, string>>): string {
  return text.replace(VARIABLE, (_, name: string) => {
    const value = values[name as EngineVariable];
    if (value === undefined)
      throw new Error(
        `\${${name}} has no value here${name === 'integrations' ? ': the Python integrations are not in this install (point to a checkout of src/server/integrations instead)' : ''}`,
      );
    return value;
  });
}

/** The environment that points an engine's reward function at the server (read by src/server/integrations/stepgrpo_reward.py). */
export function engineEnvironment(url: string, token: string, runDir: string): Record<string, string> {
  return { STEPGRPO_REWARD_URL: url, STEPGRPO_REWARD_TOKEN: token, STEPGRPO_RUN_DIR: runDir };
}
