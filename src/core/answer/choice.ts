// Multiple-choice letters: `B`, `(B)`, `B.`, `B. 12`, `(B) 12`, `Option B`, `\text{(C)}`.

/** The letter when the whole (canonical) gold answer is a choice letter, else null. */
export function goldChoiceLetter(canonical: string): string | null {
  const m = /^\(?([A-Z])\)?\.?$/.exec(canonical.trim());
  return m ? m[1]! : null;
}

/** The letter a prediction picks, read leniently, or null. Bounded, anchored patterns only. */
export function predictedChoiceLetter(canonical: string): string | null {
  const s = canonical.trim();
  if (s.length === 0) return null;
  const bare = /^\(?([A-Z])\)?(?:[.:)]|$)/.exec(s) ?? /^\(([A-Z])\)/.exec(s);
  if (bare) return bare[1]!;
  const named = /^(?:the\s+)?(?:option|choice|answer)\s*:?\s*\(?([A-Za-z])\)?(?![A-Za-z])/i.exec(s);
  if (named) return named[1]!.toUpperCase();
  return null;
}
