// The flag parser every subcommand uses: node:util.parseArgs (strict: unknown flags, missing values
// and values given to booleans are errors) plus typed option specs that convert and range-check
// values in one place, so `--rl-steps=` or `--port 1e3` cannot slip through as a number.
import { parseArgs as nodeParseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = { kind: 'string' } | { kind: 'boolean' } | { kind: 'int'; min: number; max: number } | { kind: 'number' };

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends { kind: 'boolean' } ? boolean : S extends { kind: 'string' } ? string : number;

/** What a command gets back: every option typed by its spec, absent when not given. */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]?: ValueOf<O[K]> };

export const stringOption = { kind: 'string' } as const;
export const booleanOption = { kind: 'boolean' } as const;
export const numberOption = { kind: 'number' } as const;
export const intOption = (min = 0, max = Number.MAX_SAFE_INTEGER) => ({ kind: 'int', min, max }) as const;

function convert(name: string, spec: OptionSpec, raw: string | boolean): string | number | boolean {
  if (spec.kind === 'boolean' || spec.kind === 'string') return raw;
  const text = String(raw);
  // Number('') is 0 and Number(' 7 ') is 7: only a plain decimal literal counts.
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (spec.kind === 'number') {
    if (!Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(text)}`);
    return n;
  }
  const range = spec.max === Number.MAX_SAFE_INTEGER ? `≥ ${spec.min}` : `in ${spec.min}..${spec.max}`;
  if (!/^[+-]?\d+$/.test(text) || n < spec.min || n > spec.max) throw new UsageError(`--${name}: expected an integer ${range}, got ${JSON.stringify(text)}`);
  return n;
}

/** node:util.parseArgs reports with codes and long sentences; a UsageError names the flag plainly. */
function usageErrorFrom(err: unknown): UsageError {
  const e = err as Error & { code?: string };
  if (typeof e.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS')) throw err;
  // "Unknown option '--x'. To specify a positional…" → "unknown option '--x'"; "Option '--out <value>' argument missing" → "--out <value> argument missing"
  const first = e.message.split('. ')[0]!.replace(/^Option '([^']*)'/, '$1');
  return new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
}

/**
 * Parses `argv` against `options`. `positionals` says whether bare arguments are accepted
 * (`compare RUN_DIR…`); otherwise the first one is an error.
 */
export function parseArgs<O extends OptionSpecs>(
  argv: readonly string[],
  options: O,
  { positionals: allowPositionals = false }: { positionals?: boolean } = {},
): { values: OptionValues<O>; positionals: string[] } {
  const config = Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageErrorFrom(err);
  }
  if (!allowPositionals && parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    if (raw !== undefined) values[name] = convert(name, options[name]!, raw);
  }
  return { values: values as OptionValues<O>, positionals: parsed.positionals };
}
