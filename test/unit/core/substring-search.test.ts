// The 4-gram searcher must find exactly what indexOf finds; and the case that was super-linear
// (thousands of key steps over one huge step) stays well under the released code's 2.7 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { searcherFor } from '../../../src/core/substring-search';
import { scoreChain } from '../../../src/core/reward';

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
    const words = ['the', 'angle', 'side', 'length', 'so', 'we', 'have', 'equals', 'total', 'value'];
    const parts: string[] = [];
    let size = 0;
    for (let k = 0; size < 700_000; k++) {
      const w = `${words[k % words.length]} ${k % 97 === 0 ? `x_${k} = ${k * 3} ` : ''}`;
      parts.push(w);
      size += w.length;
    }
    const text = `### Image Description:\nd\n### Rationales:\nr\n### Step 1:\n${parts.join('')}\n### The final answer is: 5`;
    const keys = Array.from({ length: 14000 }, (_, i) => (i % 2 ? `x_${i} = ${i * 3}` : `value ${i} apples`));
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
