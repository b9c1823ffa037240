// The one guard layer of every channel (trainer stdio, webviews, reward server, importer): small
// schema combinators whose failures are data, `{path, message}`, e.g.
// `{path: 'groups[1].samples[0].rewards.total', message: 'expected a number, got string'}`.
// In-house rather than valibot/zod: the messages are part of the reward server's HTTP contract
// (the Python clients show `field`), the same code runs in the webview bundles, and ~150 lines
// cover every shape the protocol has (README, Dependencies).

export interface Issue {
  /** Where in the value: `''` for the value itself, `a.b[2].c` below it. */
  path: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issue: Issue };

/** A check that leaves the value as it is: guards validate, they never copy or coerce. */
export interface Schema<T> {
  check(value: unknown, path: string): Issue | null;
  /** Type carrier only (never set): lets `Infer` read T. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const A: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', object: 'an object', array: 'a list' };
export const issue = (path: string, message: string): Issue => ({ path, message });
const expected = (path: string, what: string, v: unknown): Issue => issue(path, `expected ${what}, got ${kindOf(v)}`);
const at = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** `a.b: message`, or the bare message at the root. */
export const describeIssue = (i: Issue): string => (i.path ? `${i.path}: ${i.message}` : i.message);

function schema<T>(check: (value: unknown, path: string) => Issue | null): Schema<T> {
  return { check };
}

export const unknown = (): Schema<unknown> => schema(() => null);
export const string = (): Schema<string> => schema((v, p) => (typeof v === 'string' ? null : expected(p, A.string!, v)));
export const boolean = (): Schema<boolean> => schema((v, p) => (typeof v === 'boolean' ? null : expected(p, A.boolean!, v)));

/** A finite number; `integer` and bounds narrow it (steps are integers ≥ 0). */
export function number(opts: { integer?: boolean; min?: number; max?: number } = {}): Schema<number> {
  const { integer = false, min = -Infinity, max = Infinity } = opts;
  const what = `${integer ? 'an integer' : 'a number'}${min > -Infinity && max < Infinity ? ` in ${min}..${max}` : min > -Infinity ? ` ≥ ${min}` : max < Infinity ? ` ≤ ${max}` : ''}`;
  return schema((v, p) => {
    if (typeof v !== 'number') return expected(p, what, v);
    if (!Number.isFinite(v)) return issue(p, `expected ${what}, got ${v}`);
    if ((integer && !Number.isInteger(v)) || v < min || v > max) return issue(p, `expected ${what}, got ${v}`);
    return null;
  });
}

/** A step number: the only steps a run has are integers ≥ 0. */
export const step = (): Schema<number> => number({ integer: true, min: 0 });

export function oneOf<const T extends readonly (string | number | boolean | null)[]>(values: T): Schema<T[number]> {
  return schema((v, p) =>
    values.includes(v as T[number]) ? null : issue(p, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v) ?? kindOf(v)}`),
  );
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  return schema((v, p) => {
    if (!Array.isArray(v)) return expected(p, A.array!, v);
    for (let i = 0; i < v.length; i++) {
      const bad = item.check(v[i], at(p, i));
      if (bad) return bad;
    }
    return null;
  });
}

/** An object whose every value matches `value` (metric values). */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return schema((v, p) => {
    if (!isObject(v)) return expected(p, A.object!, v);
    for (const [k, x] of Object.entries(v)) {
      const bad = value.check(x, at(p, k));
      if (bad) return bad;
    }
    return null;
  });
}

export const nullable = <T>(s: Schema<T>): Schema<T | null> => schema((v, p) => (v === null ? null : s.check(v, p)));

/** The first alternative that accepts wins; the message says what each would have taken. */
export function union<S extends Schema<unknown>[]>(what: string, ...alternatives: S): Schema<Infer<S[number]>> {
  return schema((v, p) => (alternatives.some((s) => s.check(v, p) === null) ? null : expected(p, what, v)));
}

type Optional<T> = Schema<T> & { readonly optional: true };
/** A field that may be absent (or undefined); when present it must match. */
export function optional<T>(s: Schema<T>): Optional<T | undefined> {
  return { check: (v: unknown, p: string) => (v === undefined ? null : s.check(v, p)), optional: true };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/**
 * An object with these fields (a missing required field says `missing`). `strict` makes any other
 * field an error (request bodies, where a typo must not be ignored); otherwise extra fields pass.
 */
export function object<S extends Shape>(shape: S, opts: { strict?: boolean } = {}): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return schema((v, p) => {
    if (!isObject(v)) return expected(p, A.object!, v);
    if (opts.strict) {
      for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) return issue(at(p, k), `unknown field (expected ${keys.join(', ')})`);
    }
    for (const k of keys) {
      const s = shape[k]!;
      if (!(k in v) && !('optional' in s)) return issue(at(p, k), 'missing');
      const bad = s.check(v[k], at(p, k));
      if (bad) return bad;
    }
    return null;
  });
}

/** A further rule over a value that already matches `s` (equal lengths, cross-field limits). */
export function refine<T>(s: Schema<T>, rule: (value: T, path: string) => Issue | null): Schema<T> {
  return schema((v, p) => s.check(v, p) ?? rule(v as T, p));
}

/**
 * Checks `value`; on success, the same value, typed. `prefix` starts every path (`items[3]`);
 * `rootName` names the value itself when it is the culprit (`body`).
 */
export function parse<T>(s: Schema<T>, value: unknown, prefix = '', rootName = prefix): Checked<T> {
  const bad = s.check(value, prefix);
  if (!bad) return { ok: true, value: value as T };
  return { ok: false, issue: bad.path === '' ? { ...bad, path: rootName } : bad };
}
