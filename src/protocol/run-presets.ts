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
