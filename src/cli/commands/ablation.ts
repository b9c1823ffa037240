// `stepgrpo ablation`: the paper's ablation on the embedded task at equal compute, over seeds, with
// 95 % intervals; writes ablation.json and ablation.md into the output folder and prints the table.
import path from 'node:path';
import { ablationArms, ablationTable, runAblation } from '../../trainer/ablation';
import { presetConfig, resolveTrainConfig, TRAIN_PRESETS } from '../../trainer/config';
import { readRunConfigFile } from '../../trainer/resolve-run';
import { createProgressPrinter } from '../progress-printer';
import type { CliCommand, CliIO } from '../command';
import { UsageError, intOption, parseArgs, stringOption } from '../args';

const ARM_NAMES = ablationArms({}).map((a) => a.name);

const USAGE = `usage: stepgrpo ablation [--out DIR] [--seeds 0,1,2] [--arms NAME,…] [--preset NAME] [--config FILE]
                         [--rl-steps N] [--init-from SFT_CHECKPOINT]

One SFT warm-up (or --init-from an SFT checkpoint), then each RL arm for each seed from it with the
same steps, prompts and G; every run is evaluated greedily on the whole held-out split. Prints
mean ± 95 % interval (Student's t over seeds) of accuracy, key-step recall, validity and
faithfulness (correct answers whose chain holds every key step). Completed runs in DIR are reused,
interrupted ones resumed.

  --arms     ${ARM_NAMES.join(', ')} (default all)
  --preset   ${Object.keys(TRAIN_PRESETS).join(' | ')} (default demo)
`;

function intList(flag: string, raw: string): number[] {
  const xs = raw.split(',').map((x) => x.trim());
  if (xs.some((x) => !/^\d+$/.test(x))) throw new UsageError(`--${flag}: expected comma-separated integers ≥ 0, got "${raw}"`);
  return xs.map(Number);
}

export const ablationCommand: CliCommand = {
  name: 'ablation',
  summary: "the paper's ablation (SFT, outcome GRPO, StepGRPO, StepRAR only, StepRVR only, step credit) over seeds",
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, {
      out: stringOption,
      seeds: stringOption,
      arms: stringOption,
      preset: stringOption,
      config: stringOption,
      'rl-steps': intOption(0),
      'init-from': stringOption,
    });
    const seeds = intList('seeds', values.seeds ?? '0,1,2');
    const arms = values.arms?.split(',').map((a) => a.trim());
    for (const a of arms ?? []) if (!ARM_NAMES.includes(a)) throw new UsageError(`--arms: unknown arm "${a}" (expected ${ARM_NAMES.join(', ')})`);
    let base;
    try {
      base = presetConfig(values.preset ?? 'demo');
    } catch (err) {
      throw new UsageError(`--preset: ${(err as Error).message}`);
    }
    let config = values.config ? resolveTrainConfig(readRunConfigFile(values.config), base) : base;
    if (values['rl-steps'] !== undefined) config = resolveTrainConfig({ rl: { steps: values['rl-steps'] } }, config);
    const out = path.resolve(values.out ?? path.join(process.cwd(), '.stepgrpo', 'ablation'));
    const initFrom = values['init-from'];
    io.stderr.write(
      `StepGRPO ablation → ${out} (seeds ${seeds.join(', ')}; ${config.rl.steps} RL steps × ${config.rl.promptsPerStep} prompts × G ${config.rl.groupSize} per arm)\n`,
    );
    const printers = new Map<string, ReturnType<typeof createProgressPrinter>>();
    const results = await runAblation({
      outDir: out,
      base: config,
      seeds,
      arms,
      sftCheckpoint: initFrom ? path.resolve(initFrom) : undefined,
      onEvent: (run, event) => {
        if (!printers.has(run)) printers.set(run, createProgressPrinter({ sftEvery: 50, write: (l) => io.stderr.write(`[${run}] ${l}\n`) }));
        printers.get(run)!(event);
      },
    });
    io.stdout.write(`${ablationTable(results).join('\n')}\n\nwritten: ${path.join(out, 'ablation.md')}, ${path.join(out, 'ablation.json')}\n`);
    return 0;
  },
};
