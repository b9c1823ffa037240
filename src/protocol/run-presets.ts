// The trainer presets a host can ask for (`--preset`), shared by the trainer and the extension's
// Start StepGRPO Run picker so the two cannot drift apart.

export const RUN_PRESETS = [
  { name: 'demo', detail: 'StepGRPO on the embedded synthetic task: SFT warm-up, then RL; a few minutes on a laptop CPU.' },
  { name: 'smoke', detail: 'A tiny model and a handful of steps: a functional check in seconds, no claim of learning.' },
  { name: 'grpo-outcome', detail: 'Outcome-only GRPO (answer reward only) on the demo budget, to compare with StepGRPO.' },
  { name: 'clean', detail: 'The demo with full-chain demonstrations only: SFT is stronger, and RL has little left to add.' },
  { name: 'hard', detail: 'The demo on a harder task: 4×4 grid, four colours, up to 9 shapes; SFT leaves far less right.' },
] as const;

export type RunPresetName = (typeof RUN_PRESETS)[number]['name'];

/**
 * The run config Start StepGRPO Run writes for "a Hugging Face model…" (laid over the demo preset,
 * `model.hf` filled in): LoRA on the attention projections, the task's text form (the scene is in
 * the prompt), and a budget sized for a ~100 M–500 M model on a CPU or one GPU. The user edits it.
 */
export const HF_STARTER_CONFIG = {
  model: { lora: { rank: 16, alpha: 32, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] }, maxTextLen: 512 },
  data: { kind: 'synthetic', sceneInPrompt: true },
  sft: { steps: 100, batchSize: 8, lr: 2e-4 },
  rl: { steps: 30, promptsPerStep: 4, groupSize: 4, temperature: 1.0, maxNewTokens: 256, lr: 1e-5, warmupSteps: 3 },
  eval: { every: 10, prompts: 50 },
  checkpointEvery: 10,
} as const;
