// The 4-gram searcher must find exactly what indexOf finds; and the case that was super-linear
// (thousands of key steps over one huge step) stays well under the released code's 2.7 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { searcherFor } from '../../../src/core/substring-search';
import { scoreChain } from '../../../src/core/reward';
import { superLinearCase } from '../../fixtures/long-chain-corpus';

describe('substring search', () => {
  it('the indexed search agrees with indexOf (forced index)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', ' ', '=', '1');
    fc.assert(
      fc.property(
        fc.array(alphabet, { minLength: 20000, maxLength: 20000 }).map((a) => a.join('')),
        fc.array(
          fc.array(alphabet, { minLength: 1, maxLength: 9 }).map((a) => a.join('')),
          { minLength: 1, maxLength: 30 },
        ),
        fc.nat(20000),
        (text, needles, from) => {
          const s = searcherFor(text, 1e6);
          for (const n of needles) {
            assert.equal(s.indexOf(n, 0), text.indexOf(n, 0), n);
            assert.equal(s.indexOf(n, from), text.indexOf(n, from), `${n} from ${from}`);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('14,000 key steps over a 700 KB step: both modes in well under 2.7 s of CPU', () => {
    const { text, keySteps: keys } = superLinearCase();
    for (const preset of ['stepgrpo', 'r1vl-official'] as const) {
      const t0 = process.cpuUsage();
      const r = scoreChain(text, { answer: '5', keySteps: keys }, preset);
      const u = process.cpuUsage(t0);
      const seconds = (u.user + u.system) / 1e6;
      assert.ok(r.key_step_ratio > 0 && r.key_step_ratio < 0.01, preset);
      assert.ok(seconds < 1.5, `${preset}: ${seconds.toFixed(2)} s`);
    }
  });
});
