// `stepgrpo score` end to end on temp files, in process through main(argv, io).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildChain } from '../fixtures/chain-builder';

import { runCli as cli } from '../support/cli-harness';

let dir: string;
const writeJsonl = (name: string, lines: string[]): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-cli-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('stepgrpo score', async () => {
  it('writes every record back with a RewardBreakdown and prints the summary on stderr', async () => {
    const input = writeJsonl('ok.jsonl', [
      JSON.stringify({ id: 1, completion: buildChain(), answer: '7', key_steps: { Steps: ['3 squares', ['4 circles', 'four circles']] } }),
      JSON.stringify({ id: 2, completion: buildChain({ rationale: null, answer: '8' }), solution: buildChain() }),
      JSON.stringify({ id: 3, output: buildChain(), gts: '7' }),
      JSON.stringify({ id: 4, output: buildChain(), gts: { answer: '7', key_steps: ['hexagon'] } }),
    ]);
    const out = path.join(dir, 'ok.out.jsonl');
    const r = await cli(['score', '--in', input, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = readJsonl(out);
    assert.deepEqual(
      rows.map((x) => x.id),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      Object.keys(rows[0].rewards).sort(),
      ['answer', 'answer_correct', 'key_step_ratio', 'key_steps', 'mode', 'r_acc', 'r_val', 'total', 'validity', 'violations'].sort(),
    );
    assert.equal(rows[0].rewards.total, 2.1);
    assert.equal(rows[1].rewards.answer_correct, false);
    assert.equal(rows[1].rewards.violations[0].code, 'MISSING_SECTION');
    assert.equal(rows[2].rewards.answer_correct, true);
    assert.equal(rows[3].rewards.key_step_ratio, 0);
    assert.match(r.stderr, /records scored\s+4/);
    assert.match(r.stderr, /validity rate\s+0\.7500/);
    assert.match(r.stderr, /answer accuracy\s+0\.7500/);
    assert.match(r.stderr, /key-step recall\s+0\.5000/);
    assert.match(r.stderr, /violations MISSING_SECTION\s+1/);
  });

  it('reports bad records with line and field, keeps going, exits 1', async () => {
    const input = writeJsonl('bad.jsonl', [
      JSON.stringify({ completion: buildChain(), answer: '7' }),
      '{not json',
      JSON.stringify({ answer: '7' }),
      '',
      JSON.stringify({ completion: buildChain(), key_steps: { Steps: ['a', ['b', 3]] } }),
      JSON.stringify({ completion: 42 }),
      JSON.stringify({ completion: buildChain(), answer: '7' }),
    ]);
    const out = path.join(dir, 'bad.out.jsonl');
    const r = await cli(['score', '--in', input, '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.jsonl:2: not valid JSON/);
    assert.match(r.stderr, /bad\.jsonl:3: missing field "completion"/);
    assert.match(r.stderr, /bad\.jsonl:5: key_steps\.Steps\[1\]\[1\]: expected a string, got number/);
    assert.match(r.stderr, /bad\.jsonl:6: completion: expected a string, got number/);
    assert.match(r.stderr, /records scored\s+2/);
    assert.match(r.stderr, /records failed\s+4/);
    const rows = readJsonl(out);
    assert.equal(rows.length, 5); // the unparseable line cannot be written back
    assert.equal(rows[1].rewards, null);
    assert.match(rows[1].error, /line 3/);
    assert.equal(rows[4].rewards.answer_correct, true);
  });

  it('--strict stops at the first bad record', async () => {
    const input = writeJsonl('strict.jsonl', [JSON.stringify({ completion: buildChain() }), '[1]', JSON.stringify({ completion: buildChain() })]);
    const r = await cli(['score', '--in', input, '--strict']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, /strict\.jsonl:2: expected a JSON object, got array/);
    assert.match(r.stderr, /--strict/);
  });

  it('presets and modes change the reward', async () => {
    const input = writeJsonl('modes.jsonl', [JSON.stringify({ completion: buildChain({ headerStyle: 'bold' }), answer: '7' })]);
    const robust = JSON.parse((await cli(['score', '--in', input])).stdout);
    const official = JSON.parse((await cli(['score', '--in', input, '--preset', 'r1vl-official'])).stdout);
    const outcome = JSON.parse((await cli(['score', '--in', input, '--preset', 'grpo-outcome'])).stdout);
    assert.equal(robust.rewards.validity, 1);
    assert.equal(official.rewards.mode, 'r1vl');
    assert.equal(official.rewards.validity, 0);
    assert.equal(outcome.rewards.total, 1); // answer only
    assert.equal(robust.rewards.total, 2);
  });

  it('usage errors exit 2 and name the flag', async () => {
    const r = await cli(['score', '--in', 'x.jsonl', '--preset', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--preset: unknown preset "nope"/);
    assert.equal((await cli(['score'])).code, 2);
    assert.match((await cli(['score', '--bogus'])).stderr, /unknown option '--bogus'/);
    assert.match((await cli(['score', '--in', 'x', '--alpha', 'abc'])).stderr, /--alpha: expected a number, got "abc"/);
  });

  it('a missing input file is an error naming the file', async () => {
    const r = await cli(['score', '--in', path.join(dir, 'absent.jsonl')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /absent\.jsonl/);
  });
});

describe('stepgrpo score: input hygiene', () => {
  const record = (id: number) => JSON.stringify({ id, completion: buildChain(), answer: '7' });
  const writeBytes = (name: string, bytes: Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  it('a UTF-8 byte-order mark is skipped: the first record is scored', async () => {
    const input = writeBytes('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${record(1)}\n${record(2)}\n`)]));
    const out = path.join(dir, 'bom.out.jsonl');
    const r = await cli(['score', '--in', input, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      readJsonl(out).map((x) => x.id),
      [1, 2],
    );
  });

  it('invalid UTF-8 in a line is reported with its line, not read with replacement characters', async () => {
    const bad = Buffer.concat([Buffer.from('{"id": 2, "completion": "caf'), Buffer.from([0xe9]), Buffer.from('", "answer": "7"}')]);
    const input = writeBytes('latin1.jsonl', Buffer.concat([Buffer.from(`${record(1)}\n`), bad, Buffer.from(`\n${record(3)}\n`)]));
    const out = path.join(dir, 'latin1.out.jsonl');
    const r = await cli(['score', '--in', input, '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /latin1\.jsonl:2: invalid UTF-8 \(byte 0xe9 at byte 29 of the line\)/);
    assert.deepEqual(
      readJsonl(out).map((x) => x.id),
      [1, 3],
    );
  });

  it('a JSON array file gets one clear error, pretty-printed or on one line', async () => {
    const pretty = writeJsonl('array.json', [JSON.stringify([{ completion: buildChain(), answer: '7' }], null, 2)]);
    const r = await cli(['score', '--in', pretty]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /array\.json:1: expected JSON Lines; this looks like a JSON array — use --json-array or convert/);
    assert.doesNotMatch(r.stderr, /records scored/);
    const oneLine = writeJsonl('array1.json', [JSON.stringify([{ completion: buildChain(), answer: '7' }])]);
    assert.match((await cli(['score', '--in', oneLine])).stderr, /looks like a JSON array/);
  });

  it('--json-array scores the elements of an array file, naming bad ones by index', async () => {
    const input = writeJsonl('array2.json', [JSON.stringify([{ id: 1, completion: buildChain(), answer: '7' }, { id: 2 }], null, 2)]);
    const out = path.join(dir, 'array2.out.jsonl');
    const r = await cli(['score', '--json-array', '--in', input, '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /array2\.json:\[1\]: missing field "completion"/);
    const rows = readJsonl(out);
    assert.equal(rows[0].rewards.answer_correct, true);
    assert.equal(rows[1].error, 'record [1]: missing field "completion" (or "output" as in verl dumps)');
  });

  it('control characters of bad input are escaped in messages', async () => {
    const input = writeJsonl('ctrl.jsonl', ['{"a": 1, \u001b[31mred\u0007}', record(2)]);
    const r = await cli(['score', '--in', input]);
    assert.equal(r.code, 1);
    // eslint-disable-next-line no-control-regex -- the raw control characters must not reach stderr
    assert.doesNotMatch(r.stderr, /[\u001b\u0007]/);
    assert.match(r.stderr, /ctrl\.jsonl:1: not valid JSON \(.*\): \{"a": 1, \\x1b\[31mred\\x07\}/);
  });
});

describe('stepgrpo --help', async () => {
  it('lists the commands and each command has usage', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /score\s+score a JSONL file/);
    assert.match(r.stdout, /extract-keysteps/);
    assert.match((await cli(['score', '--help'])).stdout, /--strict/);
    assert.equal((await cli(['frobnicate'])).code, 2);
  });
});
