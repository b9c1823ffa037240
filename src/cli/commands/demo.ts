// `stepgrpo demo`: the main job on the embedded default — synthetic multimodal task, tiny policy,
// SFT warm-up, then StepGRPO — followed by a short report of what changed and one scored chain.
import path from 'node:path';
import { readRunEvents } from '../../rundir/event-log-reader';
import type { RolloutSample, TrainerEvent } from '../../protocol/trainer-messages';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, intOption, parseArgs, stringOption } from '../args';
import { defaultRunDir, trainWithProgress } from './train';
import { resolveRun } from '../../trainer/resolve-run';
import { measureRlGain } from '../../trainer/rl-gain';
import { rlGainLines } from '../rl-gain-report';

const USAGE = `usage: stepgrpo demo [--out DIR] [--rl-steps N] [--from-scratch [--sft-steps N]]

StepGRPO on the embedded default, on the CPU: a seeded synthetic task (images of coloured shapes,
counting and arithmetic questions, chains in the R1-VL format; half of the SFT demonstrations
answer directly, without steps) and a ~1.5M-parameter multimodal policy. Starts from the SFT
checkpoint shipped in media/sft-demo (also the KL reference) and runs StepGRPO with StepRAR + StepRVR rewards; --from-scratch runs the SFT warm-up first, as
the shipped checkpoint was made. Writes a run directory (default .stepgrpo/runs/demo-<timestamp>)
and prints held-out accuracy (whole held-out split, with its standard error) before and after RL,
and RL's gain paired over the same prompts against both SFT figures: greedy, and greedy with the
full chain forced (the first header after the image description set to "### Rationales:").
`;

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)}%`.padStart(6));

function evalTable(before: Record<string, number>, after: Record<string, number>): string[] {
  const rows: [string, string][] = [
    ['full chain forced', 'eval/accuracy_full_chain'],
    ['StepRVR validity', 'eval/validity_rate'],
    ['key-step recall', 'eval/key_step_recall'],
    ['faithfulness', 'eval/faithfulness'],
  ];
  const se = (m: Record<string, number>): string => `± ${(100 * (m['eval/accuracy_se'] ?? NaN)).toFixed(1)}`;
  return [
    '                      after SFT        after StepGRPO',
    `  ${'answer accuracy'.padEnd(18)}  ${pct(before['eval/accuracy'])} ${se(before)}   ${pct(after['eval/accuracy'])} ${se(after)}`,
    ...rows.map(([label, key]) => `  ${label.padEnd(18)}  ${pct(before[key])}            ${pct(after[key])}`),
    `  ${'mean reward'.padEnd(18)}  ${(before['eval/reward'] ?? 0).toFixed(3).padStart(6)}            ${(after['eval/reward'] ?? 0).toFixed(3).padStart(6)}`,
  ];
}

/** Mean of the first k vs the last k RL steps: what the rollouts did while StepGRPO trained. */
function rolloutTrend(rl: Extract<TrainerEvent, { type: 'metrics' }>[], sampling: string): string[] {
  if (rl.length < 2) return [];
  const k = Math.max(1, Math.min(5, Math.floor(rl.length / 2)));
  const avg = (xs: typeof rl, key: string): number => xs.reduce((a, e) => a + (e.values[key] ?? 0), 0) / xs.length;
  const head = rl.slice(0, k);
  const tail = rl.slice(-k);
  const rows = [
    ['reward', 'reward'],
    ['StepRVR validity', 'validity_rate'],
    ['answer accuracy', 'rewards/answer/mean'],
    ['key-step recall', 'key_step_recall'],
    ['KL to SFT', 'kl'],
  ] as const;
  return [
    '',
    `── StepGRPO rollouts (${sampling}): first ${k} steps → last ${k} steps`,
    ...rows.map(([label, key]) => `  ${label.padEnd(18)}  ${avg(head, key).toFixed(3).padStart(6)}  →  ${avg(tail, key).toFixed(3).padStart(6)}`),
  ];
}

/** One sampled chain with what the rewards saw in it. */
function describeSample(prompt: string, sample: RolloutSample): string[] {
  const r = sample.rewards;
  const lines = [`prompt: ${prompt}`, '', ...sample.text.split('\n').map((l) => `  │ ${l}`), ''];
  lines.push(
    `  answer ${r.answer_correct ? '✓' : '✗'} (${JSON.stringify(r.answer)})   StepRVR ${r.validity ? '✓' : '✗'}   key steps ${r.key_steps.filter((k) => k.matched).length}/${r.key_steps.length}   total ${r.total.toFixed(2)}   advantage ${sample.advantage.toFixed(2)}`,
  );
  for (const k of r.key_steps) lines.push(`    ${k.matched ? '✓' : '✗'} ${k.text}`);
  for (const v of r.violations) lines.push(`    ${v.code}: ${v.message}`);
  return lines;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'train the embedded default end to end (synthetic task, SFT, StepGRPO) and report',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, { out: stringOption, 'rl-steps': intOption(0), 'sft-steps': intOption(0), 'from-scratch': booleanOption });
    const overrides: { rl?: { steps: number }; sft?: { steps: number } } = {};
    if (values['rl-steps'] !== undefined) overrides.rl = { steps: values['rl-steps'] };
    if (values['sft-steps'] !== undefined) overrides.sft = { steps: values['sft-steps'] };
    const fromScratch = values['from-scratch'] === true;
    if (overrides.sft && !fromScratch) throw new UsageError('--sft-steps needs --from-scratch (otherwise RL starts from the shipped SFT checkpoint)');
    const out = path.resolve(values.out ?? defaultRunDir(process.cwd(), 'demo'));
    io.stderr.write(`StepGRPO demo → ${out}\n`);
    const { config, note } = await resolveRun({ preset: 'demo', overrides, fromScratch });
    if (!fromScratch) io.stderr.write(`${note ?? 'no shipped SFT checkpoint found: running the SFT warm-up first'}\n`);
    const summary = await trainWithProgress({ out, config }, io);

    const { events } = await readRunEvents(out);
    const evals = events.filter((e): e is Extract<TrainerEvent, { type: 'metrics' }> => e.type === 'metrics' && e.phase === 'eval');
    const lastRollouts = events.filter((e): e is Extract<TrainerEvent, { type: 'rollouts' }> => e.type === 'rollouts').at(-1);
    const prompts = evals[0]?.values['eval/prompts'] ?? config.eval.prompts;
    const report = ['', `── held-out evaluation (${prompts} held-out prompts, greedy; ± is the standard error)`];
    if (evals.length >= 1) report.push(...evalTable(evals[0]!.values, evals.at(-1)!.values));
    const started = performance.now();
    const gain = await measureRlGain(out);
    if (gain) report.push('', ...rlGainLines(gain, 'after StepGRPO'), `  (both checkpoints re-evaluated in ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    const rl = events.filter((e): e is Extract<TrainerEvent, { type: 'metrics' }> => e.type === 'metrics' && e.phase === 'rl');
    report.push(...rolloutTrend(rl, `T = ${config.rl.temperature}, G = ${config.rl.groupSize}`));
    if (lastRollouts) {
      const group = lastRollouts.groups[0]!;
      const best = [...group.samples].sort((a, b) => b.rewards.total - a.rewards.total)[0]!;
      report.push('', `── best of the last group (step ${lastRollouts.step}, G = ${group.samples.length})`, ...describeSample(group.prompt, best));
    }
    report.push(
      '',
      `run directory: ${out}`,
      `  config.json · events.ndjson · metrics.jsonl · rollouts.jsonl · checkpoints/ · policy.onnx`,
      `status: ${summary.status} after ${summary.steps} steps`,
      '',
    );
    io.stdout.write(report.join('\n'));
    return 0;
  },
};
