// Public API of the reward engine (pure TypeScript: no vscode, fs or net).
export type * from './reward-types';
export type * from './chain-types';
export { parseChain } from './chain-parser';
export { checkValidity, type ValidityResult } from './step-rvr';
export { matchKeySteps, type KeyStepMatch } from './step-rar';
export { normalizeForMatch, type NormalizedText } from './match-normalize';
export { scoreChain, resolveRewardConfig, REWARD_PRESETS, type RewardPresetName } from './reward';
export { parseKeySteps, parseKeyElementsText, KeyStepFormatError } from './key-steps';
export { extractChainAnswer, answerCore } from './answer/extract';
export { checkAnswer, checkFreeFormAnswer, type AnswerVerdict, type AnswerPath, type AnswerCheckOptions } from './answer/equivalence';
export { r1vlAnswer, type R1vlAnswerVerdict } from './answer/r1vl/accuracy';
export * from './grpo';
