// A run on a Hugging Face model end to end: a tiny Qwen3-shaped checkpoint folder (real Qwen3
// tokenizer and chat template), the text form of the synthetic task, SFT then StepGRPO with LoRA,
// the run directory, the PEFT adapter in each checkpoint, and resume = uninterrupted run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';
import { TRAIN_DEFAULTS, TRAIN_PRESETS } from '../../../src/trainer/config';
import { readPeftAdapter } from '../../../src/trainer/peft-adapter';
import { RunControl } from '../../../src/trainer/run-control';
import { runTraining } from '../../../src/trainer/run';
import { writeTinyHfCheckpoint } from '../../hf/tiny-checkpoint';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-hf-train-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'model');
writeTinyHfCheckpoint(model, { architecture: 'qwen3', hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 5 });

const smoke = TRAIN_PRESETS.smoke!(TRAIN_DEFAULTS);
const config = {
  ...smoke,
  data: { kind: 'synthetic', trainSize: 32, evalSize: 4, sceneInPrompt: true },
  model: { hf: model, lora: { rank: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'] }, maxTextLen: 256 },
  rl: { ...smoke.rl, maxNewTokens: 12 },
};

describe('training a Hugging Face model (tiny Qwen3-shaped, LoRA)', () => {
  it('runs SFT and StepGRPO into a run directory with PEFT adapters in its checkpoints', async () => {
    const out = path.join(tmp, 'run');
    const events: TrainerEvent[] = [];
    const summary = await runTraining({ outDir: out, config, onEvent: (e) => events.push(e) });
    assert.equal(summary.status, 'completed');
    assert.equal(summary.steps, smoke.sft.steps + smoke.rl.steps);
    const rollouts = events.filter((e) => e.type === 'rollouts');
    assert.equal(rollouts.length, smoke.rl.steps);
    const sample = rollouts[0]!.type === 'rollouts' ? rollouts[0]!.groups[0]!.samples[0]! : undefined;
    assert.ok(sample && sample.tokens > 0 && typeof sample.text === 'string');
    assert.ok(!sample.text.includes('<|im_end|>'), 'end-of-turn markers are not part of the chain');
    const ended = rollouts.flatMap((r) => (r.type === 'rollouts' ? r.groups.flatMap((g) => g.samples) : [])).filter((s) => s.raw?.endsWith('<|im_end|>'));
    // What the viewer's Open in Editor keeps: the chain as written, special tokens and all.
    for (const s of ended) assert.equal(s.raw!.replace(/<\|[a-z_]+\|>/g, ''), s.text.replace(/<\|[a-z_]+\|>/g, ''));
    const latest = fs.readFileSync(path.join(out, 'checkpoints/latest'), 'utf8').trim();
    const adapter = readPeftAdapter(path.join(out, 'checkpoints', latest, 'adapter'));
    assert.equal(adapter.lora.rank, 4);
    assert.ok([...adapter.values.keys()].some((k) => k.includes('down_proj.lora_B')));
    assert.ok(!fs.existsSync(path.join(out, 'policy.onnx')), 'the ONNX export is the tiny policy’s');
    const log = events.find((e) => e.type === 'log' && /qwen3 32d × 2 layers/.test(e.message));
    assert.ok(log, 'the run log names the model');
  });

  it('stop + resume equals the uninterrupted run', async () => {
    const straight = path.join(tmp, 'straight');
    await runTraining({ outDir: straight, config });
    const split = path.join(tmp, 'split');
    const control = new RunControl();
    let seen = 0;
    await runTraining({
      outDir: split,
      config,
      control,
      onEvent: (e) => {
        if (e.type === 'metrics' && e.phase === 'rl' && ++seen === 1) control.stop();
      },
    });
    await runTraining({ outDir: split, resume: true });
    const last = (dir: string): string => fs.readFileSync(path.join(dir, 'checkpoints/latest'), 'utf8').trim();
    assert.equal(last(split), last(straight));
    const a = fs.readFileSync(path.join(straight, 'checkpoints', last(straight), 'adapter/adapter_model.safetensors'));
    const b = fs.readFileSync(path.join(split, 'checkpoints', last(split), 'adapter/adapter_model.safetensors'));
    assert.ok(a.equals(b), 'the resumed run ends with the same adapter bytes');
  });
});
