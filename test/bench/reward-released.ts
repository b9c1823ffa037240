// The default preset against the released R1-VL reward code, side by side in one run: the
// released `validity_reward` + `accuracy_reward` (Math-Verify 0.8.0, built as
// ../shared/reference/released-r1vl/README.md says) in a Python child, warm, and `scoreChain` with
// the `stepgrpo` preset here, passes interleaved over the same corpus (reward-long.ts
// `representativeCorpus`). Throughput is chains per second of each process's own CPU time (the
// machine is shared, so wall clock mostly measures the other jobs), wall clock beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { execFileSync, spawn } from 'node:child_process';
import type { BenchRow } from './bench-section';
import { median } from './bench-section';
import { scoreChain } from '../../src/core/reward';
import { clearKeyStepMemo } from '../../src/core/step-rar';
import type { LongChainItem } from '../fixtures/long-chain-corpus';

const ROUNDS = 3;
const SETUP = path.resolve(__dirname, '../../../shared/reference/released-r1vl/setup.sh');
const CHILD = path.join(__dirname, 'released-r1vl-child.py');

interface PassTime {
  wall_s: number;
  cpu_s: number;
}

/** PYTHONPATH and R1VL_GIT_DIR: from the environment, or built by setup.sh from R1VL_MIRRORS; the reason when neither works. */
function releasedEnv(): NodeJS.ProcessEnv | { error: string } {
  if (process.env.R1VL_GIT_DIR && process.env.PYTHONPATH) return process.env;
  const mirrors = process.env.R1VL_MIRRORS;
  if (!mirrors) return { error: 'set R1VL_MIRRORS (the fetched mirrors, see ../shared/reference/released-r1vl/README.md) or PYTHONPATH and R1VL_GIT_DIR' };
  try {
    const out = execFileSync('bash', [SETUP], { env: { ...process.env, MIRRORS: mirrors }, encoding: 'utf8' });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const m of out.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
    return env;
  } catch (err) {
    return { error: `setup.sh: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Our side of a pass: the default preset, key steps cold for every chain (each its own reference). */
function ourPass(corpus: readonly LongChainItem[]): PassTime & { totals: number[] } {
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const totals = corpus.map((c) => {
    clearKeyStepMemo();
    return scoreChain(c.text, { answer: c.answer, keySteps: c.keySteps }, 'stepgrpo').total;
  });
  const c = process.cpuUsage(c0);
  return { wall_s: (performance.now() - w0) / 1000, cpu_s: (c.user + c.system) / 1e6, totals };
}

export async function measureAgainstReleased(corpus: readonly LongChainItem[]): Promise<BenchRow[] | { error: string }> {
  const env = releasedEnv();
  if (typeof env.error === 'string') return { error: env.error };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-released-'));
  const file = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(file, corpus.map((c) => JSON.stringify({ text: c.text, solution: c.solution, keySteps: c.keySteps })).join('\n') + '\n');
  const child = spawn(process.env.PYTHON ?? 'python3', [CHILD, file], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const released = async (): Promise<PassTime & { rewards: number[] }> => {
    child.stdin.write('pass\n');
    const next = await lines.next();
    if (next.done) throw new Error(`released code exited: ${stderr.trim().split('\n').pop() ?? ''}`);
    return JSON.parse(next.value) as PassTime & { rewards: number[] };
  };
  try {
    const load = os.loadavg()[0]!;
    // warm-up: one pass each (JIT, Math-Verify's parsers)
    ourPass(corpus);
    const warm = await released();
    const ours: PassTime[] = [];
    const theirs: PassTime[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(ourPass(corpus));
      theirs.push(await released());
    }
    const rate = (ts: PassTime[], k: keyof PassTime): number => median(ts.map((t) => corpus.length / t[k]));
    const r1vl = corpus.map((c) => scoreChain(c.text, { solution: c.solution, keySteps: c.keySteps }, 'r1vl-official').total);
    const agree = r1vl.filter((t, i) => Math.abs(t - warm.rewards[i]!) < 1e-9).length;
    return [
      { key: 'reward.vs_released.loadavg_1m', value: load, note: `at the start of the side-by-side run, ${os.cpus().length} cores` },
      {
        key: 'reward.vs_released.stepgrpo_chains_per_cpu_s',
        value: Math.round(rate(ours, 'cpu_s')),
        note: `default preset, median of ${ROUNDS} passes interleaved with the released code's`,
      },
      {
        key: 'reward.vs_released.released_chains_per_cpu_s',
        value: Math.round(rate(theirs, 'cpu_s')),
        note: 'released validity_reward + accuracy_reward (Math-Verify 0.8.0), warm, same corpus',
      },
      { key: 'reward.vs_released.ratio', value: rate(ours, 'cpu_s') / rate(theirs, 'cpu_s'), note: 'chains per CPU second, ours ÷ released, side by side (target ≥ 10)' },
      { key: 'reward.vs_released.ratio_wall', value: rate(ours, 'wall_s') / rate(theirs, 'wall_s'), note: 'same by wall clock (noisy on a shared machine)' },
      {
        key: 'reward.vs_released.r1vl_total_agreement',
        value: agree / corpus.length,
        note: `${agree}/${corpus.length}: our r1vl-official total equals the released code's reward (validity + accuracy)`,
      },
    ];
  } finally {
    child.stdin.end('\n');
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
