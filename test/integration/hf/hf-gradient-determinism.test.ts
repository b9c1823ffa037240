// A Hugging Face decoder's gradient graph gives the same bits every run on ORT's intra-op threads:
// a threaded kernel that races or sums in a scheduling-dependent order (ScatterND(add) in the
// embedding's gradient did, docs/engine.md "Determinism") shows up as other bits between runs of
// one session on the same feeds. The tiny policy's twin is model/train-step-determinism.test.ts;
// this covers the HF graphs (RMSNorm, rotary embedding, grouped-query attention, SwiGLU, a tied
// head, LoRA) under both objectives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import type { Objective } from '../../../src/model/graphs';
import type { HfDecoderConfig } from '../../../src/model/hf/config';
import { type HfGraphMode, buildHfGradGraph } from '../../../src/model/hf/graphs';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(4051);

// Few token ids over many positions: every embedding row is scattered into hundreds of times.
const CONFIG: HfDecoderConfig = {
  architecture: 'qwen2',
  vocabSize: 12,
  hiddenSize: 96,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 24,
  rmsNormEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: 64,
  tieWordEmbeddings: true,
  qkvBias: true,
  oBias: false,
  mlpBias: false,
  qkNorm: false,
  bosTokenId: null,
  eosTokenIds: [2],
};
const B = 64;
const T = 46;

const GRPO: Objective = { kind: 'grpo', loss: { beta: 0.04, epsLow: 0.2, epsHigh: 0.28, aggregation: 'sequence' }, advantage: 'sequence', onPolicy: false };

const uniform = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (testRng.next() * 2 - 1) * scale);

/** Every input of `session`: token batches, masks and loss inputs by name, parameters drawn small. */
function feedsFor(session: EngineSession, shapes: Map<string, readonly number[]>): Record<string, HostTensor> {
  const ids = BigInt64Array.from({ length: B * T }, () => BigInt(Math.floor(CONFIG.vocabSize * testRng.next() ** 2)));
  const targets = BigInt64Array.from({ length: B * T }, (_, i) => (i % T < T - 1 ? ids[i + 1]! : 2n));
  const loss: Record<string, HostTensor> = {
    ids: { dtype: 'int64', shape: [B, T], data: ids },
    targets: { dtype: 'int64', shape: [B, T, 1], data: targets },
    temperature: { dtype: 'float32', shape: [], data: Float32Array.of(1) },
    mask: { dtype: 'float32', shape: [B, T], data: Float32Array.from({ length: B * T }, (_, i) => (i % T >= 8 ? 1 : 0)) },
    advantages: { dtype: 'float32', shape: [B, 1], data: uniform(B, 1) },
    old_logp: { dtype: 'float32', shape: [B, T], data: Float32Array.from({ length: B * T }, () => -2 - testRng.next()) },
    ref_logp: { dtype: 'float32', shape: [B, T], data: Float32Array.from({ length: B * T }, () => -2 - testRng.next()) },
  };
  return Object.fromEntries(
    session.inputNames.map((name) => {
      if (loss[name]) return [name, loss[name]];
      const shape = shapes.get(name);
      assert.ok(shape, `no shape for input '${name}'`);
      return [
        name,
        {
          dtype: 'float32',
          shape,
          data: uniform(
            shape.reduce((a, b) => a * b, 1),
            name.includes('embed') ? 0.5 : 0.08,
          ),
        },
      ];
    }),
  );
}

const cases: { name: string; mode: HfGraphMode; objective: Objective }[] = [
  { name: 'full fine-tuning, tied head, SFT', mode: { train: 'full' }, objective: { kind: 'sft' } },
  { name: 'full fine-tuning, tied head, StepGRPO', mode: { train: 'full' }, objective: GRPO },
  {
    name: 'LoRA on every linear, StepGRPO',
    mode: { train: 'lora', lora: { rank: 4, alpha: 8, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] } },
    objective: GRPO,
  },
];

describe('HF gradient graph determinism on intra-op threads', () => {
  for (const { name, mode, objective } of cases) {
    it(`${name}: every output has the same bits in 5 runs (threads 2)`, async () => {
      const graph = buildHfGradGraph(CONFIG, mode, objective, 2);
      const shapes = new Map(graph.inputs.map((t) => [t.name, t.shape.map((d) => (typeof d === 'number' ? d : NaN))]));
      const session = await EngineSession.create(toOnnxBytes(graph), { threads: 2, label: 'hf-grads' });
      try {
        const feeds = feedsFor(session, shapes);
        let first: Record<string, HostTensor> | undefined;
        for (let run = 0; run < 5; run++) {
          const out = await session.run(feeds);
          if (!first) {
            first = out;
            continue;
          }
          const differ = Object.keys(first).filter((k) => !Buffer.from(out[k]!.data.buffer).equals(Buffer.from(first![k]!.data.buffer)));
          assert.deepEqual(differ, [], `run ${run}: outputs with other bits than run 0`);
        }
      } finally {
        await session.release();
      }
    });
  }
});
