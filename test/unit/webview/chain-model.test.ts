import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scoreChain } from '../../../src/core/reward';
import { buildChainModel, segmentRange, type Segment } from '../../../webview/rollout-viewer/chain-model';
import { fixtureChain, HOSTILE_TEXT, problemOf, referenceOf } from '../../support/rollout-fixtures';

const joined = (segs: Segment[]) => segs.map((s) => s.text).join('');
const scored = (kind: Parameters<typeof fixtureChain>[0]) => {
  const p = problemOf(5);
  const text = fixtureChain(kind, p);
  return { text, rewards: scoreChain(text, referenceOf(p), 'stepgrpo') };
};

describe('chain render model', () => {
  it('renders every section of the parsed chain, in order, with the exact text', () => {
    const { text, rewards } = scored('correct');
    const model = buildChainModel(text, rewards);
    assert.deepEqual(
      model.sections.map((s) => s.kind),
      ['description', 'rationale', 'think', 'step', 'step', 'answer'],
    );
    for (const s of model.sections) {
      const header = s.header[0]!;
      assert.equal(joined(s.header), text.slice(header.start, s.header.at(-1)!.end));
    }
    const { a, b } = problemOf(5);
    assert.equal(joined(model.sections[4]!.body), `Not red: ${a} - ${b} = ${a - b}.`);
  });

  it('marks exactly the key-step spans of the reward breakdown', () => {
    const { text, rewards } = scored('correct');
    const model = buildChainModel(text, rewards);
    const marked = model.sections.flatMap((s) => [...s.header, ...s.body]).filter((seg) => seg.keySteps.length);
    const expected = rewards.key_steps.flatMap((k) => k.spans.map(([a, b]) => text.slice(a, b))).sort();
    assert.ok(expected.length >= 2);
    assert.deepEqual(marked.map((m) => m.text).sort(), expected);
    assert.deepEqual(model.missingKeySteps, []);
  });

  it('underlines a step-gap violation inside the step header and lists missing key steps of a wrong chain', () => {
    const gap = scored('step-gap');
    const model = buildChainModel(gap.text, gap.rewards);
    const v = gap.rewards.violations.findIndex((x) => x.code === 'STEP_GAP');
    assert.ok(v >= 0);
    const under = model.sections.flatMap((s) => s.header).filter((seg) => seg.violations.includes(v));
    assert.equal(under.map((s) => s.text).join(''), gap.text.slice(gap.rewards.violations[v]!.start, gap.rewards.violations[v]!.end));
    const wrong = scored('wrong-answer');
    assert.ok(buildChainModel(wrong.text, wrong.rewards).missingKeySteps.length >= 1);
  });

  it('keeps a point violation (zero width) as an empty marker segment, or lists it when outside all text', () => {
    const segs = segmentRange('abcdef', 0, 6, [
      { start: 3, end: 3, kind: 'violation', index: 0 },
      { start: 1, end: 4, kind: 'key', index: 0 },
    ]);
    assert.deepEqual(
      segs.map((s) => [s.text, s.keySteps, s.violations]),
      [
        ['a', [], []],
        ['bc', [0], []],
        ['', [], [0]],
        ['d', [0], []],
        ['ef', [], []],
      ],
    );
    const text = 'no sections here';
    const model = buildChainModel(text, { ...scoreChain(text, {}, 'stepgrpo'), violations: [{ code: 'ORDER', message: 'm', start: 999, end: 999 }] });
    assert.deepEqual(model.unplacedViolations, [0]);
  });

  it('keeps hostile markup as plain segment text (the DOM layer turns it into text nodes)', () => {
    const { text, rewards } = scored('hostile');
    const model = buildChainModel(text, rewards);
    const all = model.sections.map((s) => joined(s.body)).join('\n');
    assert.ok(all.includes(HOSTILE_TEXT));
  });

  it('segments always reassemble the range and marks cover exactly their spans (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(45), fc.nat(10), fc.boolean()), { maxLength: 6 }), (text, raw) => {
        const marks = raw.map(([s, len, key], index) => ({
          start: Math.min(s, text.length),
          end: Math.min(s + (key ? len : len % 3), text.length),
          kind: key ? ('key' as const) : ('violation' as const),
          index,
        }));
        const segs = segmentRange(text, 0, text.length, marks);
        assert.equal(joined(segs), text);
        for (const seg of segs) {
          for (const m of marks) {
            if (m.start === m.end || seg.start === seg.end) continue;
            const covers = m.start <= seg.start && m.end >= seg.end;
            const list = m.kind === 'key' ? seg.keySteps : seg.violations;
            assert.equal(list.includes(m.index), covers);
          }
        }
      }),
    );
  });
});
