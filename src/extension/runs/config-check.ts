// Checks a run config file against media/run-config.schema.json before a trainer is spawned, so a
// wrong field fails at once with the field named, in the editor, instead of minutes later in a
// child's stderr. Pure: a small JSON parser that keeps where each value and key is, and a
// validator for the subset of JSON Schema the generated schema uses (src/trainer/config-schema.ts).

export type JsonSchema = { [key: string]: unknown };

/** Errors as data: the dotted path, the message, and the text range to underline. */
export interface ConfigIssue {
  path: string;
  message: string;
  start: number;
  end: number;
}

interface Located {
  value: unknown;
  start: number;
  end: number;
  /** Object members: the key's range, then the value. */
  members?: Map<string, { keyStart: number; keyEnd: number; node: Located }>;
  items?: Located[];
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** JSON.parse with positions. Throws JsonSyntaxError with the offset of the problem. */
export function parseLocated(text: string): Located {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(i >= text.length ? `unexpected end of the file (expected ${what})` : `expected ${what}, found ${JSON.stringify(text[i])}`, Math.min(i, text.length));
  };
  const str = (): string => {
    const start = i;
    if (text[i] !== '"') fail('a string');
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('a closing quote');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Located => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, { keyStart: number; keyEnd: number; node: Located }>();
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          const keyStart = i;
          const key = str();
          const keyEnd = i;
          ws();
          if (text[i] !== ':') fail('":"');
          i++;
          const node = value();
          members.set(key, { keyStart, keyEnd, node });
          out[key] = node.value;
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail('"," or "}"');
        }
      return { value: out, start, end: i, members };
    }
    if (c === '[') {
      i++;
      const items: Located[] = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          items.push(value());
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail('"," or "]"');
        }
      return { value: items.map((n) => n.value), start, end: i, items };
    }
    if (c === '"') return { value: str(), start, end: i };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail('a value');
    i += m![0].length;
    return { value: JSON.parse(m![0]) as unknown, start, end: i };
  };
  const root = value();
  ws();
  if (i < text.length) fail('the end of the file');
  return root;
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function typeMatches(type: string, v: unknown): boolean {
  if (type === 'number') return typeof v === 'number';
  if (type === 'integer') return Number.isInteger(v);
  if (type === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
  if (type === 'array') return Array.isArray(v);
  if (type === 'null') return v === null;
  return typeof v === type;
}

function validate(node: Located, schema: JsonSchema, at: string, out: ConfigIssue[]): void {
  const here = (message: string, start = node.start, end = node.end): void => void out.push({ path: at, message, start, end });
  const v = node.value;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (!branches) continue;
    const tries = branches.map((b) => {
      const issues: ConfigIssue[] = [];
      validate(node, b, at, issues);
      return issues;
    });
    if (tries.some((t) => t.length === 0)) return;
    // The branch the value meant (its `kind` matched, else the one with the fewest problems) explains best.
    const meant = branches.findIndex((b) =>
      Object.entries((b.properties ?? {}) as Record<string, JsonSchema>).some(([k, p]) => 'const' in p && node.members?.get(k)?.node.value === p.const),
    );
    out.push(...(meant >= 0 ? tries[meant]! : tries.reduce((best, t) => (t.length < best.length ? t : best))));
    return;
  }
  if ('const' in schema && v !== schema.const) return here(`expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(v)}`);
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types.length && !types.some((t) => typeMatches(t, v)))
    return here(`expected ${types.map((t) => (t === 'integer' ? 'an integer' : `a ${t}`)).join(' or ')}, got ${JSON.stringify(v) ?? kindOf(v)}`);
  const allowed = schema.enum as unknown[] | undefined;
  if (allowed && !allowed.includes(v)) return here(`expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`);
  if (typeof v === 'number') {
    const bound = (k: string, ok: (b: number) => boolean, says: string): void => {
      const b = schema[k];
      if (typeof b === 'number' && !ok(b)) here(`expected a number ${says} ${b}, got ${v}`);
    };
    bound('minimum', (b) => v >= b, '≥');
    bound('maximum', (b) => v <= b, '≤');
    bound('exclusiveMinimum', (b) => v > b, '>');
    bound('exclusiveMaximum', (b) => v < b, '<');
  }
  if (node.items && schema.items) node.items.forEach((item, k) => validate(item, schema.items as JsonSchema, `${at}[${k}]`, out));
  if (node.members) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!node.members.has(name)) here(`missing the required field "${name}"`, node.start, node.start + 1);
    for (const [name, m] of node.members) {
      const field = at ? `${at}.${name}` : name;
      const sub = props[name];
      const free = schema.additionalProperties;
      if (sub) validate(m.node, sub, field, out);
      else if (typeof free === 'object' && free !== null) validate(m.node, free as JsonSchema, field, out);
      else if (free === false) {
        const known = Object.keys(props);
        const near = known.find((k) => k.toLowerCase() === name.toLowerCase() || editDistance(k, name) <= 2);
        out.push({
          path: field,
          message: `unknown field "${name}"${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${known.join(', ')}`,
          start: m.keyStart,
          end: m.keyEnd,
        });
      }
    }
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Every problem of a config file's text against the schema; none means the trainer gets it. */
export function checkRunConfig(text: string, schema: JsonSchema): ConfigIssue[] {
  let root: Located;
  try {
    root = parseLocated(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return [{ path: '', message: `not valid JSON: ${err.message}`, start: err.at, end: Math.min(err.at + 1, text.length) }];
  }
  const out: ConfigIssue[] = [];
  validate(root, schema, '', out);
  return out;
}
