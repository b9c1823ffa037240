// LaTeX (already normalised the Math-Verify way) → Node: the part of latex2sympy2_extended that
// answers use. Behaviour learnt from its grammar and converter: symbols are lower-cased, `\text{A}`
// is the symbol `a`, an integer before `\frac{p}{q}` is a mixed number, `^\circ` is dropped (no
// degree conversion), a top-level comma list is a set unless the whole text is `1,234` (a number),
// `(a, b)` is an open interval, `[a, b]` a closed one, `\{a, b\}` a set. Whatever it cannot read
// throws, as the original raises (the caller then has no parsed value, only the string).
import { INT, neg, onlySymbols, type Node, type RelOp } from './mv-node';

const COMMA_NUMBER = /^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$/;
const FUNCTIONS = new Set(['sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan', 'ln', 'log', 'exp']);
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Sigma',
  'Phi',
  'Psi',
  'Omega',
]);
const TEXT = new Set(['text', 'textbf', 'textit', 'mbox', 'mathrm', 'mathbf', 'mathit', 'operatorname']);
const RELS: Record<string, RelOp> = {
  '=': '=',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '!=': '!=',
  '\\le': '<=',
  '\\leq': '<=',
  '\\leqslant': '<=',
  '\\ge': '>=',
  '\\geq': '>=',
  '\\geqslant': '>=',
  '\\ne': '!=',
  '\\neq': '!=',
  '\\lt': '<',
  '\\gt': '>',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
};
const MATRICES = new Set(['pmatrix', 'bmatrix', 'Bmatrix', 'vmatrix', 'matrix', 'smallmatrix', 'array']);
const SKIP = new Set(['\\,', '\\;', '\\:', '\\!', '\\ ', '\\quad', '\\qquad', '\\left', '\\right', '\\displaystyle', '\\cdotp']);

/** Spellings latex2sympy's grammar reads as the same token. */
const ALIASES: Record<string, string> = {
  '\\(': '(',
  '\\)': ')',
  '\\lbrack': '[',
  '\\rbrack': ']',
  '\\lbrace': '\\{',
  '\\rbrace': '\\}',
  '==': '=',
  '\\equiv': '=',
  '≈': '\\approx',
};

export class LatexParseError extends Error {}

/** Tokens: numbers, `\commands` (or `\` + one symbol), single characters. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s+|\d+(?:\.\d+)?|\.\d+|\\[A-Za-z]+|\\[^A-Za-z]|[<>!=]=|[\s\S]/y;
  while (re.lastIndex < s.length) {
    const t = re.exec(s)![0];
    if (!/^\s/.test(t) && !SKIP.has(t)) out.push(ALIASES[t] ?? t);
  }
  return out;
}

/**
 * Parses a normalised LaTeX answer; throws LatexParseError when latex2sympy would fail. With
 * `plain`, the text is a Python expression of numbers (sympy's parse_expr): `2^23` is 2^23.
 */
export function parseLatex(latex: string, plain = false): Node {
  if (!plain && COMMA_NUMBER.test(latex)) return numberNode(latex.trim().replace(/,/g, ''));
  const p = new Parser(tokenize(latex), plain);
  const items = p.list(null);
  if (!p.done()) throw new LatexParseError(`unexpected ${p.peek()}`);
  if (items.length === 0) throw new LatexParseError('empty');
  return items.length === 1 ? items[0]! : { t: 'set', a: items };
}

export function numberNode(s: string): Node {
  if (/^-?\d+$/.test(s)) return INT(BigInt(s));
  const v = Number(s);
  if (!Number.isFinite(v)) throw new LatexParseError(`bad number ${s}`);
  return { t: 'float', v };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tok: string[],
    private readonly plain: boolean,
  ) {}

  done(): boolean {
    return this.i >= this.tok.length;
  }
  peek(k = 0): string | undefined {
    return this.tok[this.i + k];
  }
  private eat(t: string): boolean {
    if (this.tok[this.i] === t) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(t: string): void {
    if (!this.eat(t)) throw new LatexParseError(`expected ${t}, got ${this.peek() ?? 'end'}`);
  }

  /** Comma-separated relations up to `close` (not consumed). */
  list(close: string | null): Node[] {
    const items: Node[] = [];
    if (this.done() || this.peek() === close) return items;
    items.push(this.relation());
    while (this.eat(',')) items.push(this.relation());
    return items;
  }

  relation(): Node {
    let result: Node = this.expr();
    let last: Node = result;
    for (;;) {
      const t = this.peek() ?? '';
      const op = RELS[t];
      if (op) {
        this.i++;
        const right = this.expr();
        // a chain `a < b < c` is And(a < b, b < c), each relation on the previous right side
        const rel: Node = { t: 'rel', op, l: last, r: right };
        result = result.t === 'rel' ? { t: 'and', a: [result, rel] } : result.t === 'and' ? { t: 'and', a: [...result.a, rel] } : rel;
        last = right;
      } else if (t === '\\approx') {
        // latex2sympy keeps the exact side: the value of `x \approx 3`, the left of `1/3 \approx 0.33`
        this.i++;
        const right = this.expr();
        result = onlySymbols(result) ? right : result;
        last = result;
      } else if (t === '\\in') {
        // `x \in S` is read as Eq(x, S)
        this.i++;
        const right = this.expr();
        result = { t: 'rel', op: '=', l: result, r: right };
        last = right;
      } else return result;
    }
  }

  expr(): Node {
    const terms: Node[] = [this.term()];
    for (;;) {
      if (this.eat('+')) terms.push(this.term());
      else if (this.eat('-')) terms.push(neg(this.term()));
      else if (this.eat('\\pm')) {
        // `a \pm b`: the two values
        const left: Node = terms.length === 1 ? terms[0]! : { t: 'add', a: terms };
        const right = this.expr();
        return {
          t: 'set',
          a: [
            { t: 'add', a: [left, neg(right)] },
            { t: 'add', a: [left, right] },
          ],
        };
      } else break;
    }
    return terms.length === 1 ? terms[0]! : { t: 'add', a: terms };
  }

  term(): Node {
    let factors: Node[] = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (t === '*' || t === '\\cdot' || t === '\\times') {
        this.i++;
        factors.push(this.unary());
      } else if (t === '/' || t === '\\div') {
        this.i++;
        factors.push({ t: 'pow', b: this.unary(), e: INT(-1n) });
      } else if (t !== undefined && this.startsFactor(t)) {
        const next = this.postfix();
        const prev = factors[factors.length - 1]!;
        // a mixed number: 2\frac{1}{2} is 5/2
        if (factors.length === 1 && prev.t === 'int' && next.t === 'rat' && next.p > 0n) {
          const sign = prev.v < 0n ? -1n : 1n;
          factors = [{ t: 'rat', p: prev.v * next.q + sign * next.p, q: next.q }];
        } else factors.push(next);
      } else break;
    }
    return factors.length === 1 ? factors[0]! : { t: 'mul', a: factors };
  }

  private startsFactor(t: string): boolean {
    if (
      t === '.' ||
      t === '\\approx' ||
      t === '\\in' ||
      t === '\\pm' ||
      t === ',' ||
      t === ')' ||
      t === ']' ||
      t === '}' ||
      t === '|' ||
      t === '&' ||
      t === '\\\\' ||
      t === '\\}' ||
      t === '+' ||
      t === '-'
    )
      return false;
    if (RELS[t] || t === '*' || t === '/' || t === '^' || t === '_' || t === '!' || t === '\\end') return false;
    return true;
  }

  unary(): Node {
    if (this.eat('\\pm')) {
      const x = this.unary();
      return { t: 'set', a: [neg(x), x] };
    }
    if (this.eat('-')) return neg(this.unary());
    if (this.eat('+')) return this.unary();
    return this.postfix();
  }

  postfix(): Node {
    let base = this.primary();
    for (;;) {
      if (this.peek() === '^') {
        this.i++;
        if (this.eat('\\circ')) continue;
        if (this.peek() === '{' && this.peek(1) === '\\circ' && this.peek(2) === '}') {
          this.i += 3;
          continue;
        }
        base = { t: 'pow', b: base, e: this.argument() };
      } else if (this.eat('!')) base = { t: 'fn', name: 'fact', a: [base] };
      else if (this.eat('\\%') || this.eat('%')) base = { t: 'pct', a: base };
      else if (this.eat("'")) continue;
      else return base;
    }
  }

  /** A braced group or one token's worth (`x^2`, `\frac12`). */
  private argument(): Node {
    if (this.eat('{')) {
      const inner = this.relation();
      this.expect('}');
      return inner;
    }
    const t = this.peek();
    if (!this.plain && t !== undefined && /^\d+$/.test(t) && t.length > 1) {
      // `x^23` is x^2·3 in TeX: one digit only
      this.tok.splice(this.i, 1, t[0]!, t.slice(1));
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.peek();
    if (t === undefined) throw new LatexParseError('unexpected end');
    this.i++;
    if (/^\d|^\.\d/.test(t)) {
      // Python reads `3.` as the float 3.0 (in parse_expr); in LaTeX a stray `.` is an error
      if (this.plain && this.peek() === '.' && /^\d+$/.test(t)) {
        this.i++;
        return { t: 'float', v: Number(t) };
      }
      return numberNode(t.startsWith('.') ? `0${t}` : t);
    }
    if (/^[A-Za-z]$/.test(t)) return this.subscripted(t.toLowerCase());
    switch (t) {
      case '{': {
        // a group, or `{1, 3}` read as a set
        const items = this.list('}');
        this.expect('}');
        if (items.length === 0) throw new LatexParseError('empty group');
        return items.length === 1 ? items[0]! : { t: 'set', a: items };
      }
      case '(':
      case '[':
        return this.bracketed(t);
      case '\\{': {
        const items = this.list('\\}');
        this.expect('\\}');
        return { t: 'set', a: items };
      }
      case '|': {
        const inner = this.expr();
        this.expect('|');
        return { t: 'fn', name: 'abs', a: [inner] };
      }
      case '\\frac':
      case '\\dfrac':
      case '\\tfrac': {
        const num = this.argument();
        const den = this.argument();
        if (num.t === 'int' && den.t === 'int' && den.v !== 0n) return { t: 'rat', p: num.v, q: den.v };
        return { t: 'mul', a: [num, { t: 'pow', b: den, e: INT(-1n) }] };
      }
      case '\\sqrt': {
        if (this.eat('[')) {
          const n = this.expr();
          this.expect(']');
          return { t: 'fn', name: 'root', a: [this.argument(), n] };
        }
        return { t: 'pow', b: this.argument(), e: { t: 'rat', p: 1n, q: 2n } };
      }
      case '\\pi':
        return { t: 'const', name: 'pi' };
      case '\\infty':
        return { t: 'const', name: 'oo' };
      case '\\begin':
        return this.matrix();
    }
    const name = t.slice(1);
    if (TEXT.has(name)) {
      this.expect('{');
      let depth = 1;
      let text = '';
      while (!this.done()) {
        const u = this.tok[this.i++]!;
        if (u === '{') depth++;
        else if (u === '}' && --depth === 0) break;
        text += u;
      }
      if (depth !== 0) throw new LatexParseError('unclosed text');
      const word = text.replace(/[\s()]/g, '');
      if (!word) throw new LatexParseError('empty text');
      if (/^-?\d+(?:\.\d+)?$/.test(word)) return numberNode(word);
      return this.subscripted(word.toLowerCase());
    }
    if (GREEK.has(name)) return this.subscripted(name.toLowerCase());
    if (FUNCTIONS.has(name)) {
      let arg: Node;
      if (this.peek() === '^') {
        this.i++;
        const power = this.argument();
        arg = this.peek() === '(' ? (this.i++, this.closeParen()) : this.postfix();
        return { t: 'pow', b: { t: 'fn', name, a: [arg] }, e: power };
      }
      arg = this.peek() === '(' ? (this.i++, this.closeParen()) : this.postfix();
      return { t: 'fn', name, a: [arg] };
    }
    throw new LatexParseError(`unsupported ${t}`);
  }

  private closeParen(): Node {
    const inner = this.relation();
    this.expect(')');
    return inner;
  }

  private subscripted(name: string): Node {
    if (this.peek() !== '_') return { t: 'sym', name };
    this.i++;
    let sub = '';
    if (this.eat('{')) {
      let depth = 1;
      while (!this.done()) {
        const u = this.tok[this.i++]!;
        if (u === '{') depth++;
        else if (u === '}' && --depth === 0) break;
        sub += u;
      }
    } else {
      const u = this.tok[this.i++] ?? '';
      sub = /^\d+$/.test(u) ? u[0]! : u;
      if (u.length > 1 && /^\d+$/.test(u)) this.tok.splice(this.i, 0, u.slice(1));
    }
    return { t: 'sym', name: sub.length > 1 ? `${name}_{${sub.toLowerCase()}}` : `${name}_${sub.toLowerCase()}` };
  }

  /** `(x)`, `(a, b)` open interval, `[a, b]` closed, mixed brackets, `(a, b, c)` tuple. */
  private bracketed(open: string): Node {
    const items = this.list(null);
    const close = this.peek();
    if (close !== ')' && close !== ']') throw new LatexParseError('unclosed bracket');
    this.i++;
    if (items.length === 1 && open === '(' && close === ')') return items[0]!;
    if (items.length === 1 && open === '[' && close === ']') return items[0]!;
    if (items.length === 2) return { t: 'interval', lo: items[0]!, hi: items[1]!, lopen: open === '(', ropen: close === ')' };
    if (items.length > 2 && open === '(' && close === ')') return { t: 'tuple', a: items };
    throw new LatexParseError('bracketed list');
  }

  private matrix(): Node {
    this.expect('{');
    const env = this.tok[this.i++] ?? '';
    let name = env;
    while (this.peek() !== '}' && !this.done()) name += this.tok[this.i++];
    this.expect('}');
    if (!MATRICES.has(name)) throw new LatexParseError(`environment ${name}`);
    if (name === 'array' && this.eat('{')) while (!this.done() && !this.eat('}')) this.i++;
    const rows: Node[][] = [[]];
    for (;;) {
      if (this.eat('\\end')) {
        this.expect('{');
        while (!this.done() && !this.eat('}')) this.i++;
        break;
      }
      if (this.done()) throw new LatexParseError('unclosed matrix');
      rows[rows.length - 1]!.push(this.relation());
      if (this.eat('&')) continue;
      if (this.eat('\\\\')) rows.push([]);
    }
    const full = rows.filter((r) => r.length > 0);
    if (full.length === 0 || full.some((r) => r.length !== full[0]!.length)) throw new LatexParseError('ragged matrix');
    return { t: 'matrix', rows: full };
  }
}
