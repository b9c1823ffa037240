import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, booleanOption, intOption, numberOption, parseArgs, stringOption } from '../../../src/cli/args';

const SPEC = { out: stringOption, 'rl-steps': intOption(0), port: intOption(0, 65535), alpha: numberOption, quiet: booleanOption } as const;
const fails = (argv: string[], message: RegExp): void =>
  assert.throws(
    () => parseArgs(argv, SPEC),
    (e: unknown) => e instanceof UsageError && message.test(e.message),
  );

test('typed values: strings, integers, numbers and booleans, both --a b and --a=b', () => {
  const { values } = parseArgs(['--out', 'x', '--rl-steps=3', '--port', '8080', '--alpha', '0.1', '--quiet'], SPEC);
  assert.deepEqual(values, { out: 'x', 'rl-steps': 3, port: 8080, alpha: 0.1, quiet: true });
  assert.deepEqual(parseArgs([], SPEC).values, {});
});

test('an empty or non-decimal integer is an error, never 0', () => {
  fails(['--rl-steps='], /--rl-steps: expected an integer ≥ 0, got ""/);
  fails(['--rl-steps', ' 7'], /expected an integer/);
  fails(['--rl-steps', '1e2'], /expected an integer/);
  fails(['--rl-steps', '2.5'], /expected an integer/);
  fails(['--rl-steps=-1'], /≥ 0/);
  fails(['--port', '70000'], /--port: expected an integer in 0\.\.65535, got "70000"/);
  fails(['--alpha', ''], /--alpha: expected a number, got ""/);
  fails(['--alpha', '0x10'], /expected a number/);
});

test('unknown flags, missing values, values on booleans and stray arguments are usage errors', () => {
  fails(['--nope'], /unknown option '--nope'/);
  fails(['--out'], /--out <value> argument missing/);
  fails(['--quiet=yes'], /--quiet/);
  fails(['stray'], /unexpected argument "stray"/);
  assert.deepEqual(parseArgs(['a', 'b'], SPEC, { positionals: true }).positionals, ['a', 'b']);
});

test('"-" is a value (stdin), not a flag', () => {
  assert.equal(parseArgs(['--out', '-'], SPEC).values.out, '-');
});

test('every command parses through the shared specs: `demo --rl-steps=` stops with a usage error', async () => {
  const { runCli } = await import('../../support/cli-harness');
  const r = await runCli(['demo', '--rl-steps=']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--rl-steps: expected an integer ≥ 0, got ""/);
  assert.match((await runCli(['serve', '--port', '99999'])).stderr, /--port: expected an integer in 0\.\.65535/);
  assert.match((await runCli(['compare', '--window', '0', 'x'])).stderr, /--window: expected an integer ≥ 1/);
});
