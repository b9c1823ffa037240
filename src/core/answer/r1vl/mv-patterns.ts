// The extraction patterns of Math-Verify 0.8.0's default `parse` (LaTeX and expression targets),
// with their priorities (lower first). Learnt from its public source and written again for
// JavaScript's engine, which backtracks the same way: Python's `.` is `[^\n]` here (or any
// character where Python compiles with DOTALL), its `$` is "end, or before a final newline",
// and `(?i:word)` is spelled letter by letter (Node 20 has no inline flags). Python's `\d` is any
// Unicode digit; here it is ASCII (a documented residual difference).

export type PatternKind = 'expr' | 'latex';

export interface Pattern {
  /** The pattern with its groups, sticky: run at a known match start to read the groups. */
  re: RegExp;
  /** The same pattern without named groups, global: cheaper for finding where matches are. */
  scan: RegExp;
  priority: number;
  kind: PatternKind;
  /** Text every match contains (lower-cased when `lower`): a text without it is not scanned. */
  needs: string | null;
  lower: boolean;
  /** Where the matches are, computed directly when the regex scan would be quadratic. */
  spans?: (text: string) => { start: number; end: number }[];
}

/** `needs`: a literal every match contains; `lower`: look for it in the lower-cased text. */
function pattern(src: string, priority: number, kind: PatternKind, needs: string | null = null, lower = false): Pattern {
  return { re: new RegExp(src, 'y'), scan: new RegExp(src.replace(/\(\?<[A-Za-z0-9_]+>/g, '(?:'), 'g'), priority, kind, needs, lower };
}

const END = '(?=\\n?(?![\\s\\S]))';
const ci = (word: string): string => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

// ---- expressions and numbers (no LaTeX) ----

// The original's percent suffix is `\\s*(?:%|percent|\\s*percentage|\\s*pct)`; the inner `\\s*` only
// re-reads spaces the outer one already took (same matches), but makes a run of n spaces cost n².
const NUMBER =
  '(?<!\\d)(?:(?<i1>-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(?<d1>\\.\\d+)?|(?<i2>-?\\d+)(?<d2>[.,]\\d+)|(?<d3>\\.\\d+)|(?<i3>-?\\d+))' +
  '(?<pct>\\s*(?:%|[Pp]ercent|[Pp]ercentage|[Pp]ct))?';
const OPS = '+\\-*×/^()÷';
const EXPR_CHAR = `[\\d.\\s${OPS}]`;
const EXPR = `(?<expr>-?\\(?-?\\d${EXPR_CHAR}*[${OPS}]${EXPR_CHAR}+\\)?)`;
const PREFIX = '(?:^|\\s|=)(?:\\*\\*)?';
const SUFFIX = `(?:\\*\\*)?(?:\\.|,|:|\\s|\\)|\\$|${END})`;
const CURRENCY = '$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₴₵₶₷₸₹₺₻₼₽₾₿'.replace(/\$/g, '\\$');
const EXPR_ANCHORED = `(?:${PREFIX}${EXPR}${SUFFIX})`;
const NUMBER_ANCHORED = `(?:${PREFIX}[${CURRENCY}]?${NUMBER})`;
const EXPR_OR_NUMBER = `(?:${EXPR_ANCHORED}|${NUMBER_ANCHORED})`;
const LINE = '[^\\n]';

function exprPatterns(): Pattern[] {
  const p = (src: string, priority: number, needs: string | null = null): Pattern => pattern(src, priority, 'expr', needs, true);
  return [
    p(`${ci('final answer is')}:?\\s*${EXPR_OR_NUMBER}\\.?\\s?I hope`, 0, 'final answer is'),
    p(`${ci('final answer')}${LINE}{0,100}?\\s+is:?${EXPR_OR_NUMBER}`, 50, 'final answer'),
    p(`${ci('answer')}:(?:${LINE}{0,100}=\\s*|${LINE}{0,50}?)${EXPR_OR_NUMBER}(?!\\s*=)`, 100, 'answer:'),
    p(`${ci('answer')}(?:${LINE}{0,100}=\\s*|${LINE}{0,50}?)${EXPR_OR_NUMBER}(?!\\s*=)`, 200, 'answer'),
    p(EXPR_ANCHORED, 300),
    p(NUMBER_ANCHORED, 300),
  ];
}

// ---- LaTeX environments ----

/** One math environment (with an optional percent after it), its groups named `<prefix>…`. */
function environment(prefix: string, boxed: boolean): string {
  const percent = `(?<${prefix}percent>(?:\\\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))`;
  const bases = {
    displayDollar: '(?:[^$]|\\$(?!\\$))',
    displayBracket: '(?:[^\\\\]|\\\\(?!\\]))',
    inlineDollar: '(?:\\\\[$]|[^\\n$])',
    inlineParen: '(?:[^\\\\\\n]|\\\\(?!\\)))',
    inlineBracket: '[^\\n\\]\\[]',
  };
  const body = (b: string): string => (boxed ? `${b}*?\\\\boxed\\{${b}+?\\}${b}*?` : `${b}+?`);
  const alts = [
    `(?<!\\\\)\\$\\$(?<${prefix}latexDisplayDollar>${body(bases.displayDollar)})(?<!\\\\)\\$\\$`,
    `(?<!\\\\)\\\\\\[(?<${prefix}latexDisplayBracket>${body(bases.displayBracket)})(?<!\\\\)\\\\\\]`,
    `(?<!\\\\|\\d)\\$(?<${prefix}latexInlineDollar>${body(bases.inlineDollar)})(?<!\\\\)\\$`,
    `(?<!\\\\)\\\\\\((?<${prefix}latexInlineParenthesis>${body(bases.inlineParen)})(?<!\\\\)\\\\\\)`,
    `\\s\\[(?<${prefix}latexInlineBracket>${body(bases.inlineBracket)})\\]\\s`,
  ];
  if (!boxed) {
    const simple = '-?\\d+(?:[.,]\\d+)?';
    alts.push(`(?<${prefix}latexFraction>-?\\\\frac\\{${simple}\\}\\{${simple}\\})`);
  }
  return `(?:(?:${alts.join('|')})\\s*${percent}?)`;
}

/** Up to six environments joined by `,`, `and`, `or` (Math-Verify reads them as one list answer). */
function environments(boxed: boolean): string {
  let s = environment('first_', boxed);
  for (let i = 1; i <= 5; i++) s += `${boxed ? '\\s*' : ''}(?:\\s*(?:,?and|,?or|,)\\s*${environment(`next${i}_`, boxed)})?`;
  return boxed ? s : `(?:${s})`;
}

function latexPatterns(): Pattern[] {
  const p = (src: string, priority: number, needs: string | null = null, lower = true): Pattern => pattern(src, priority, 'latex', needs, lower);
  const any = '[\\s\\S]';
  const env = environments(false);
  return [
    p(`${ci('final answer is')}:?\\s*${env}\\.?\\s?I hope`, 0, 'final answer is'),
    p(`${ci('final answer')}${any}{0,100}?\\s+is:?\\s*${env}`, 50, 'final answer'),
    p(`${ci('answer')}:${any}{0,50}?${env}`, 100, 'answer:'),
    p(`${ci('answer')}${any}{0,50}?${env}`, 200, 'answer'),
    p(env, 300),
    // boxed answers at priority 50, right after "final answer is"
    p(environments(true), 50, '\\boxed{', false),
    // a box with no math delimiters runs to the last `}` of the text; normalisation finds its end
    { ...p('(?<first_latexBoxed>\\\\boxed\\{[\\s\\S]+\\})', 50, '\\boxed{', false), spans: plainBoxSpans },
  ];
}

/**
 * The matches of `\\boxed\{[\s\S]+\}` without scanning: greedy, it runs from the first `\boxed{`
 * to the last `}` of the text (at least one character after the brace); nothing can match after
 * that `}`, and if the first box has no such `}` no later one does. A regex engine instead retries
 * from every `\boxed{` (quadratic on a text of unclosed boxes: Math-Verify then hits its timeout).
 */
function plainBoxSpans(text: string): { start: number; end: number }[] {
  const start = text.indexOf('\\boxed{');
  if (start < 0) return [];
  const close = text.lastIndexOf('}');
  return close >= start + 8 ? [{ start, end: close + 1 }] : [];
}

let cached: { priority: number; patterns: Pattern[] }[] | null = null;

/** Every pattern, grouped by priority in ascending order (groups are tried in turn). */
export function patternGroups(): { priority: number; patterns: Pattern[] }[] {
  if (cached) return cached;
  const all = [...latexPatterns(), ...exprPatterns()];
  const priorities = [...new Set(all.map((p) => p.priority))].sort((a, b) => a - b);
  cached = priorities.map((priority) => ({ priority, patterns: all.filter((p) => p.priority === priority) }));
  return cached;
}
