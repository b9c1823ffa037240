// The shapes every channel shares (DESIGN §3, §5): what the reward engine returns for one chain.
// Offsets are UTF-16 code-unit indices into the chain text.

export type RewardMode = 'r1vl' | 'robust';

/** Where StepRAR looks for key steps: the step bodies only (as in the paper) or the whole chain. */
export type KeyStepScope = 'steps' | 'chain';

export type ViolationCode =
  | 'MISSING_SECTION'
  | 'EMPTY_SECTION'
  | 'ORDER'
  | 'STEP_GAP'
  | 'STEP_DUPLICATE'
  | 'STEP_START'
  | 'ANSWER_NOT_LAST'
  | 'MULTIPLE_ANSWERS'
  | 'TRAILING_CONTENT'
  /** r1vl mode: the released reference code would have raised an exception on this chain. */
  | 'R1VL_EXCEPTION';

export interface Violation {
  code: ViolationCode;
  message: string;
  start: number;
  end: number;
}

/** One key-step group of the reference: a string, or a list of alternative strings. */
export type KeyStepGroup = string | string[];

export interface KeyStepResult {
  /** The group as a person reads it (alternatives joined with " | "). */
  text: string;
  matched: boolean;
  /** The alternative that matched, or null. */
  alternative: string | null;
  spans: [number, number][];
}

export interface RewardBreakdown {
  total: number;
  r_acc: number;
  r_val: number;
  answer_correct: boolean;
  answer: string | null;
  key_step_ratio: number;
  validity: 0 | 1;
  mode: RewardMode;
  violations: Violation[];
  key_steps: KeyStepResult[];
}

/** What a chain is scored against. Both parts are optional: without them StepRVR still runs. */
export interface RewardReference {
  /** The gold answer (or a whole reference solution whose final-answer section holds it). */
  answer?: string;
  /** The reference solution in the section format; its final answer is used when `answer` is absent. */
  solution?: string;
  keySteps?: KeyStepGroup[];
}

export interface RewardConfig {
  mode: RewardMode;
  /** Weight of the key-step ratio inside r_acc (paper: 0.1). */
  alpha: number;
  w_acc: number;
  w_val: number;
  scope: KeyStepScope;
  /** Relative tolerance for numeric answers (robust mode). */
  numericTolerance: number;
}
