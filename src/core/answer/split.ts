// Splitting canonical answers at top level (outside brackets and braces): separators, list items.

/** Splits at `sep` outside brackets and braces. */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let level = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      if (s.startsWith('\\{', i) || s.startsWith('\\}', i)) level += s[i + 1] === '{' ? 1 : -1;
      else if (sep.startsWith('\\') && level === 0 && s.startsWith(sep, i) && !/[A-Za-z]/.test(s[i + sep.length] ?? '')) {
        out.push(s.slice(from, i));
        from = i + sep.length;
        i += sep.length - 1;
        continue;
      }
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') level--;
    else if (level === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

/** True when the first bracket closes at the last character (so `(1,2),(3,4)` is not one tuple). */
export function enclosesWhole(t: string): boolean {
  let level = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') {
      level--;
      if (level === 0 && i < t.length - 1) return false;
    }
  }
  return level === 0;
}

/** ` and ` / ` or ` between items, also glued after a closing bracket or digit (`(11,7)or(7,11)`, `1orW(x)=-1`). */
const CONNECTIVE = /\s(?:and|or)\s|(?<=[)\]}\d])\s*(?:and|or)\s*(?=[([{A-Za-z\\-])/;

/**
 * The items of a list answer: separated by commas, semicolons or "and"/"or". Semicolon groups
 * that themselves hold commas (`p=5,q=2; p=7,q=2`) are one tuple each.
 */
export function listItems(t: string): string[] {
  const groups = splitTopLevel(t, ';')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (groups.length > 1 && groups.some((g) => splitTopLevel(g, ',').length > 1)) return groups.map((g) => `(${g})`);
  return splitTopLevel(t, ',')
    .flatMap((x) => splitTopLevel(x, ';'))
    .flatMap((x) => x.split(CONNECTIVE))
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/** True when the answer is a list of several items at top level. */
export function isList(t: string): boolean {
  return listItems(t).length > 1;
}
