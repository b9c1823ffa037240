// Builders for trainer events, run folders and fake trainer programs used by the runs tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeLine, type TrainerEvent } from '../../../src/protocol/trainer-messages';

export const ev = {
  hello: (pid = 4242): TrainerEvent => ({ v: 1, type: 'hello', pid, version: '0.1.0', device: { ep: 'cpu', threads: 2 }, config: { sft: { steps: 3 }, rl: { steps: 2 } } }),
  phase: (phase: 'sft' | 'rl' | 'eval', step: number, totalSteps: number): TrainerEvent => ({ v: 1, type: 'phase', phase, step, totalSteps }),
  metrics: (step: number, phase: 'sft' | 'rl' | 'eval', values: Record<string, number>): TrainerEvent => ({ v: 1, type: 'metrics', step, phase, values }),
  rollouts: (step: number, padding = 0): TrainerEvent => ({
    v: 1,
    type: 'rollouts',
    step,
    groups: [{ promptId: `p${step}`, prompt: 'How many?'.padEnd(padding, '.'), reference: { answer: '7', keySteps: [] }, samples: [] }],
  }),
  checkpoint: (step: number, dir = '/runs/x'): TrainerEvent => ({ v: 1, type: 'checkpoint', step, path: path.join(dir, 'checkpoints', `step-${String(step).padStart(6, '0')}`) }),
  error: (message: string, fatal = true): TrainerEvent => ({ v: 1, type: 'error', message, fatal }),
  done: (status: 'completed' | 'stopped' | 'failed', summary: Record<string, unknown> = {}): TrainerEvent => ({ v: 1, type: 'done', status, summary }),
};

/** The event stream of a small run: SFT steps, then RL steps with a reward, checkpoints, and an optional end. */
export function runEvents(
  options: { sft?: number; rl?: number; rewards?: number[]; end?: 'completed' | 'stopped' | 'failed' | null; pid?: number; rolloutPadding?: number } = {},
): TrainerEvent[] {
  const sft = options.sft ?? 3;
  const rl = options.rl ?? 2;
  const total = sft + rl;
  const out: TrainerEvent[] = [ev.hello(options.pid), ev.phase('sft', 0, total)];
  for (let s = 1; s <= sft; s++) out.push(ev.metrics(s, 'sft', { loss: 6 - s / 10 }));
  out.push(ev.checkpoint(sft), ev.phase('rl', sft, total));
  for (let s = sft + 1; s <= total; s++) {
    out.push(ev.rollouts(s, options.rolloutPadding ?? 0));
    out.push(ev.metrics(s, 'rl', { reward: options.rewards?.[s - sft - 1] ?? s / 10, kl: 0 }));
    out.push(ev.checkpoint(s));
  }
  const end = options.end === undefined ? 'completed' : options.end;
  if (end) {
    out.push(ev.metrics(total, 'eval', { 'eval/reward': 0.5 }));
    out.push(ev.done(end, { status: end, steps: total }));
  }
  return out;
}

export function tempDir(prefix = 'stepgrpo-runs-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A run folder as the trainer writes it (config.json, events.ndjson), plus optional extra text. */
export function writeRunDir(root: string, id: string, options: { events?: TrainerEvent[]; config?: unknown; trainerLog?: string; tornTail?: string; mtime?: Date } = {}): string {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  if (options.config !== null) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(options.config ?? { sft: { steps: 3 }, rl: { steps: 2 } }));
  if (options.events) fs.writeFileSync(path.join(dir, 'events.ndjson'), options.events.map(encodeLine).join('') + (options.tornTail ?? ''));
  if (options.trainerLog !== undefined) fs.writeFileSync(path.join(dir, 'trainer.log'), options.trainerLog);
  if (options.mtime) for (const f of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, f), options.mtime, options.mtime);
  return dir;
}

export interface FakeTrainerScript {
  /** Lines written to stdout before the step loop (events are encoded; strings go as they are). */
  preamble?: (TrainerEvent | string)[];
  /** Steps emitted (one metrics event every `stepMs`) until `stop` arrives or they run out. */
  steps?: number;
  stepMs?: number;
  /** Ignore `stop`, SIGTERM and stdin closing (only SIGKILL ends it). */
  stubborn?: boolean;
  stderr?: string[];
  exitCode?: number;
  /** Emit `done` at the end (completed, or stopped after a `stop`). */
  done?: boolean;
  /** Say `hello` after the preamble (default); false: a trainer that failed before it began (its preamble says why). */
  hello?: boolean;
}

/** Numbers the fake trainers so several can share one folder. */
let fakeTrainers = 0;

/** Writes a tiny Node program that speaks the trainer protocol as told; returns its path. */
export function fakeTrainer(dir: string, script: FakeTrainerScript): string {
  const file = path.join(dir, `fake-trainer-${process.pid}-${++fakeTrainers}.cjs`);
  const preamble = (script.preamble ?? []).map((l) => (typeof l === 'string' ? `${l}\n` : encodeLine(l)));
  const source = `
const spec = ${JSON.stringify({ ...script, preamble })};
const flag = process.argv.includes('--resume') ? '--resume' : '--out';
const out = process.argv[process.argv.indexOf(flag) + 1];
let paused = false;
const write = (e) => process.stdout.write(JSON.stringify({ v: 1, ...e }) + '\\n');
let stopping = false;
process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    const cmd = JSON.parse(buf.slice(0, i));
    if (cmd.type === 'stop' && !spec.stubborn) stopping = true;
    if (cmd.type === 'ping') write({ type: 'log', level: 'debug', message: 'pong' });
    if (cmd.type === 'pause' && !paused) { paused = true; write({ type: 'paused', step }); }
    if (cmd.type === 'resume' && paused) { paused = false; write({ type: 'resumed', step }); }
    if (cmd.type === 'checkpoint') write({ type: 'checkpoint', step, path: out + '/checkpoints/step-' + String(step).padStart(6, '0') });
  }
});
process.stdin.on('end', () => { if (!spec.stubborn) stopping = true; });
process.on('SIGTERM', () => { if (!spec.stubborn) stopping = true; });
for (const line of spec.preamble) process.stdout.write(line);
for (const line of spec.stderr ?? []) process.stderr.write(line + '\\n');
if (spec.hello !== false) write({ type: 'hello', pid: process.pid, version: 'fake', device: { ep: 'cpu', threads: 1 }, config: { out, resumed: flag === '--resume', argv: process.argv.slice(2) } });
const total = spec.steps ?? 0;
write({ type: 'phase', phase: 'rl', step: 0, totalSteps: total });
let step = 0;
const finish = (status) => {
  if (spec.done) write({ type: 'done', status, summary: { steps: step } });
  process.exitCode = spec.exitCode ?? 0;
  process.stdin.destroy();
};
const tick = () => {
  if (stopping) return finish('stopped');
  if (step >= total && !spec.stubborn) return finish('completed');
  if (paused) return setTimeout(tick, spec.stepMs ?? 5);
  if (step < total) { step++; write({ type: 'metrics', step, phase: 'rl', values: { reward: step / 10 } }); }
  setTimeout(tick, spec.stepMs ?? 5);
};
tick();
`;
  fs.writeFileSync(file, source);
  return file;
}
