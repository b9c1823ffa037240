import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { array, describeIssue, nullable, number, object, oneOf, optional, parse, record, step, string, union } from '../../../src/protocol/schema';

describe('schema combinators: errors as data', () => {
  const item = object({ name: string(), tags: optional(array(string())), size: number({ min: 0, max: 10 }) }, { strict: true });

  it('passes the same value through, typed', () => {
    const value = { name: 'a', size: 3 };
    const r = parse(item, value);
    assert.ok(r.ok);
    assert.equal(r.value, value);
  });

  it('names the first bad field by path, with what was expected and what came', () => {
    assert.deepEqual(
      parse(array(item), [
        { name: 'a', size: 1 },
        { name: 'b', size: 1, tags: ['x', 7] },
      ]),
      { ok: false, issue: { path: '[1].tags[1]', message: 'expected a string, got number' } },
    );
    assert.deepEqual(parse(item, { size: 1 }), { ok: false, issue: { path: 'name', message: 'missing' } });
    assert.deepEqual(parse(item, { name: 'a', size: 11 }), { ok: false, issue: { path: 'size', message: 'expected a number in 0..10, got 11' } });
    assert.match(
      describeIssue((parse(item, { name: 'a', size: 1, colour: 'red' }) as { issue: { path: string; message: string } }).issue),
      /^colour: unknown field \(expected name, tags, size\)$/,
    );
  });

  it('prefix starts every path; rootName names the value itself', () => {
    assert.deepEqual(parse(item, { name: 1, size: 1 }, 'items[2]'), { ok: false, issue: { path: 'items[2].name', message: 'expected a string, got number' } });
    assert.deepEqual(parse(item, [], '', 'body'), { ok: false, issue: { path: 'body', message: 'expected an object, got array' } });
  });

  it('steps are integers ≥ 0; oneOf, nullable, union and record', () => {
    for (const bad of [-1, 0.5, Number.NaN, '1']) assert.equal(parse(step(), bad).ok, false, String(bad));
    assert.equal(parse(oneOf(['a', 'b'] as const), 'c').ok, false);
    assert.equal(parse(nullable(string()), null).ok, true);
    assert.equal(parse(union('a string or a list', string(), array(string())), ['x']).ok, true);
    assert.deepEqual(parse(record(number()), { a: 1, b: 'x' }), { ok: false, issue: { path: 'b', message: 'expected a number, got string' } });
  });
});
