import { HfPolicy } from '../src/model/hf/hf-policy';
import { hfParamSpecs } from '../src/model/hf/config';
import { Rng } from '../src/model/rng';
import { SMOLLM2_135M, benchConfig } from '../test/bench/hf-shapes';
async function main() {
  const c = benchConfig(SMOLLM2_135M);
  const rng = new Rng(1);
  const base = new Map(
    hfParamSpecs(c).map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (s.name.endsWith('norm.weight') ? 1 : 0.02 * (rng.next() - 0.5)))]),
  );
  const policy = new HfPolicy(c, { base, training: 'lora', lora: { rank: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'] }, maxTextLen: 512, tokens: { pad: 2, eos: [2] } });
  for (const N of [1, 16]) {
    const prompts = Array.from({ length: N }, (_, i) => Array.from({ length: 40 }, (_, k) => 100 + ((i * 7 + k) % 1000)));
    let t = performance.now();
    await policy.sample({ prompts, seeds: prompts.map((_, i) => i), temperature: 1, maxNewTokens: 4, stopAtEos: false });
    const warm = performance.now() - t;
    t = performance.now();
    const n = 32;
    await policy.sample({ prompts, seeds: prompts.map((_, i) => i), temperature: 1, maxNewTokens: n, stopAtEos: false });
    const s = (performance.now() - t) / 1000;
    console.log(`N=${N}: warm ${warm.toFixed(0)} ms; ${((N * n) / s).toFixed(1)} tok/s (${((1000 * s) / n).toFixed(1)} ms/step)`);
  }
  console.log('rss', (process.memoryUsage().rss / 2 ** 20).toFixed(0), 'MiB');
  await policy.release();
}
main();
