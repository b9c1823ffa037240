// The rollout folders verl and TRL write, built for tests: verl's `{step}.jsonl` as
// ray_trainer._dump_generations lays it out (input, output, gts, score, step, the
// reward_extra_info keys), and TRL's `completions/completions_{step:05d}.parquet` as
// log_completions writes it (step, prompt, completion, one column per reward function, the
// log_extra columns as trl_reward.py names them, advantage), written with hyparquet-writer.
import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Rng } from '../../src/model/rng';
import { CHAIN_KINDS, fixtureChain, problemOf, referenceOf } from './rollout-fixtures';
import { promptOf } from './import-fixtures';

/** One RL step as a verl/TRL client posts it to /score_batch: each prompt's group of the four fixture chain kinds. */
export function clientStepItems(step: number, prompts: number[]): Record<string, unknown>[] {
  return prompts.flatMap((i) =>
    CHAIN_KINDS.map((kind) => ({
      completion: fixtureChain(kind, problemOf(i)),
      answer: referenceOf(problemOf(i)).answer,
      key_steps: referenceOf(problemOf(i)).keySteps,
      prompt: promptOf(i),
      group: `uid-${i}`,
      step,
    })),
  );
}

/** One step: `prompts` problems × the four fixture chain kinds. */
export function engineRows(step: number, prompts: number): { prompt: string; completion: string; answer: string; keySteps: (string | string[])[] }[] {
  return Array.from({ length: prompts }, (_, p) => p + step * prompts).flatMap((i) =>
    CHAIN_KINDS.map((kind) => ({
      prompt: promptOf(i),
      completion: fixtureChain(kind, problemOf(i)),
      answer: referenceOf(problemOf(i)).answer,
      keySteps: referenceOf(problemOf(i)).keySteps,
    })),
  );
}

/** verl's dump of one step; the engine's score is a made-up number, to tell it from ours. */
export function writeVerlStep(dir: string, step: number, prompts = 2): string {
  fs.mkdirSync(dir, { recursive: true });
  const lines = engineRows(step, prompts).map((r, i) =>
    JSON.stringify({ input: r.prompt, output: r.completion, gts: { answer: r.answer, key_steps: r.keySteps }, score: 0.5 + i, step, acc: i % 2, request_id: `req-${step}-${i}` }),
  );
  const file = path.join(dir, `${step}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * The v1 trainer's dump of one step (v0.9's default, verl/trainer/ppo/v1/trainer_base.py): only
 * `input, output, gts, score, step, uid`, uid `{prompt uid}_{session}_{index}` with one session
 * per rollout of a prompt, rows sorted by uid.
 */
export function writeVerlV1Step(dir: string, step: number, prompts = 2): string {
  fs.mkdirSync(dir, { recursive: true });
  const rows = engineRows(step, prompts);
  const perPrompt = rows.length / prompts;
  const lines = rows.map((r, i) => {
    const uid = `${(0x1000 + step * 64 + Math.floor(i / perPrompt)).toString(16)}-prompt-uid_${i % perPrompt}_0`;
    return JSON.stringify({ input: r.prompt, output: r.completion, gts: { answer: r.answer, key_steps: r.keySteps }, score: i % 2, step, uid });
  });
  const file = path.join(dir, `${step}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** One verl dump row (v0.9 fields: input, output, gts, score, step, uid), `pad` characters of reasoning added. */
export function verlDumpRow(step: number, prompt: number, sample: number, pad = 0): string {
  const completion = fixtureChain(CHAIN_KINDS[sample % CHAIN_KINDS.length]!, problemOf(prompt));
  const reference = referenceOf(problemOf(prompt));
  const output = pad > 0 ? completion.replace("### Let's think", `${'Reasoning about the basket. '.repeat(Math.ceil(pad / 28)).slice(0, pad)}\n\n### Let's think`) : completion;
  return JSON.stringify({
    input: promptOf(prompt),
    output,
    gts: { answer: reference.answer, key_steps: reference.keySteps },
    score: sample % 2,
    step,
    uid: `uid-${step}-${prompt}`,
    acc: sample % 2,
  });
}

/**
 * A large verl step file: `rows` rows, `groupSize` per prompt, in a seeded shuffled order (verl's
 * balance_batch reorders the batch before the dump, so a prompt's rows are scattered), written in
 * chunks. Returns its size in bytes.
 */
export function writeVerlDump(file: string, rows: number, { step = 1, groupSize = 8, pad = 0, seed = 1 } = {}): number {
  const order = Array.from({ length: rows }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    for (let at = 0; at < rows; at += 4096) {
      const text = `${order
        .slice(at, at + 4096)
        .map((i) => verlDumpRow(step, Math.floor(i / groupSize), i % groupSize, pad))
        .join('\n')}\n`;
      bytes += fs.writeSync(fd, text);
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

export function writeTrlStep(outputDir: string, step: number, prompts = 2): string {
  const dir = path.join(outputDir, 'completions');
  fs.mkdirSync(dir, { recursive: true });
  const rows = engineRows(step, prompts);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'step', data: rows.map(() => BigInt(step)), type: 'INT64' },
      { name: 'prompt', data: rows.map((r) => r.prompt), type: 'STRING' },
      { name: 'completion', data: rows.map((r) => r.completion), type: 'STRING' },
      { name: 'stepgrpo_reward', data: rows.map((_, i) => 1 + i / 10), type: 'DOUBLE' },
      { name: 'stepgrpo/answer', data: rows.map((r) => r.answer), type: 'STRING' },
      { name: 'stepgrpo/key_steps', data: rows.map((r) => JSON.stringify(r.keySteps)), type: 'STRING' },
      { name: 'advantage', data: rows.map((_, i) => i - 1.5), type: 'DOUBLE' },
    ],
  });
  const file = path.join(dir, `completions_${String(step).padStart(5, '0')}.parquet`);
  fs.writeFileSync(file, Buffer.from(buffer));
  return file;
}
