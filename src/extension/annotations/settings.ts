// The annotation settings as the engine sees them (read from `stepgrpo.*` by the extension shell).
import type { KeyStepScope, RewardMode } from '../../core/reward-types';

export type PresetName = 'stepgrpo' | 'grpo-outcome' | 'r1vl-official';

export interface AnnotationSettings {
  preset: PresetName;
  /** Overrides the preset's mode when set. */
  mode: RewardMode | undefined;
  /** Overrides the preset's key-step scope when set. */
  scope: KeyStepScope | undefined;
  /** Longest chain (characters) that is scored; longer documents get one diagnostic instead. */
  maxChainLength: number;
}

export const DEFAULT_ANNOTATION_SETTINGS: AnnotationSettings = {
  preset: 'stepgrpo',
  mode: undefined,
  scope: undefined,
  maxChainLength: 1_000_000,
};
