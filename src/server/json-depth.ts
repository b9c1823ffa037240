// JSON nesting is bounded before JSON.parse: V8 parses an 8 M-deep array (16 MB) for seconds with
// the event loop held, and the request guards that walk the value recursively overflow the stack on
// a 100 k-deep config. One linear pass over the raw text counts brackets outside strings.

export const DEFAULT_MAX_JSON_DEPTH = 64;

/** The offset of the first bracket that nests deeper than `limit`, or -1 when none does. */
export function firstTooDeep(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
