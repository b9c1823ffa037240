import type { ChainSection } from '../../core/chain-types';

export interface TextReplacement {
  start: number;
  end: number;
  text: string;
}

/**
 * The edits that renumber the step headers 1..n in document order, touching only the digits of
 * headers whose number is wrong. Empty when the steps are already numbered 1..n.
 */
export function renumberStepEdits(sections: readonly ChainSection[]): TextReplacement[] {
  const edits: TextReplacement[] = [];
  let expected = 0;
  for (const section of sections) {
    if (section.kind !== 'step' || !section.stepDigits) continue;
    expected++;
    if (section.step !== expected) {
      edits.push({ start: section.stepDigits.start, end: section.stepDigits.end, text: String(expected) });
    }
  }
  return edits;
}
