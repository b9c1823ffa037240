// How `stepgrpo demo` and `stepgrpo compare` print RL's paired gain over both SFT figures.
import { formatPairedChange } from '../core/paired-change';
import type { RlGain } from '../trainer/rl-gain';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`.padStart(6);

export function rlGainLines(g: RlGain, rlLabel: string): string[] {
  return [
    `── what RL added: paired over the same ${g.prompts} held-out prompts (± is the SE of the paired difference)`,
    `  ${'SFT, greedy'.padEnd(30)}  ${pct(g.accuracy.sftGreedy)}`,
    `  ${'SFT, full chain forced'.padEnd(30)}  ${pct(g.accuracy.sftFullChain)}   (the control: one header forced, no training)`,
    `  ${rlLabel.padEnd(30)}  ${pct(g.accuracy.rl)}`,
    `  gain over SFT greedy            ${formatPairedChange(g.overGreedy)}`,
    `  gain over the forced full chain ${formatPairedChange(g.overFullChain)}`,
  ];
}
