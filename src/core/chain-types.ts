// The parsed shape of a reasoning chain in the R1-VL section format (DESIGN §5). Spans are UTF-16
// code-unit offsets into the original text, end exclusive.

export type SectionKind = 'description' | 'rationale' | 'think' | 'step' | 'answer';

export interface Span {
  start: number;
  end: number;
}

export interface ChainSection {
  kind: SectionKind;
  /** The header as written, e.g. `### Step 2:`. */
  header: Span;
  /** What follows the header up to the next recognised header (or the end), trimmed of surrounding whitespace. */
  body: Span;
  /** Step number as read from the header (kind === 'step' only). */
  step?: number;
  /** Where the step number's digits are inside the header (kind === 'step' only), for quick fixes. */
  stepDigits?: Span;
}

export interface ParsedChain {
  text: string;
  /** Sections in document order. */
  sections: ChainSection[];
  /** Text before the first recognised header (non-whitespace only), if any. */
  preamble: Span | null;
}
