// `stepgrpo train`: a headless run (SFT warm-up, then StepGRPO) into a run directory; `--resume`
// continues from its latest complete checkpoint.
import path from 'node:path';
import { TRAIN_PRESETS, presetConfig } from '../../trainer/config';
import { notAnInitSource } from '../../trainer/init-from';
import { resolveRun } from '../../trainer/resolve-run';
import { RunControl } from '../../trainer/run-control';
import { runTraining, type RunSummary } from '../../trainer/run';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, parseArgs, stringOption } from '../args';
import { createProgressPrinter } from '../progress-printer';

const USAGE = `usage: stepgrpo train [--out DIR] [--preset NAME] [--config FILE.json]
       stepgrpo train --resume DIR

  --out DIR        run directory (default: .stepgrpo/runs/<preset>-<timestamp>)
  --preset NAME    ${Object.keys(TRAIN_PRESETS).join(' | ')} (default: demo)
  --config FILE    JSON overrides of the preset (unknown or mistyped fields are errors)
  --init-from CKPT start from a checkpoint's parameters and tokenizer (e.g. another run's SFT
                   checkpoint, to compare RL variants from one starting point), or from a PEFT LoRA
                   adapter folder (a model.hf run with the adapter's model.lora); SFT steps default to 0
  --resume DIR     continue a run from its latest complete checkpoint (SFT or RL), or restart
                   in place, from step 0 with its config.json, a run killed before its first one
  --quiet          print only the summary

A run whose SFT warm-up would be the one that made the shipped checkpoint (media/sft-demo) starts
from it, as the same preset does from Start StepGRPO Run; --init-from or sft.steps 0 opt out.
Ctrl-C, SIGTERM or SIGHUP finishes the current step, writes a checkpoint and exits; --resume picks
it up. A run folder has one writer at a time: a second --resume of a live run fails at once.
`;

export function defaultRunDir(cwd: string, label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.join(cwd, '.stepgrpo', 'runs', `${label}-${stamp}`);
}

/** What a scheduler or terminal sends to end a job: `timeout`, Docker, Slurm and Kubernetes send SIGTERM, a closed terminal SIGHUP. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs in-process with progress on stderr; a stop signal stops after the current step with a checkpoint, a second one aborts. */
export async function trainWithProgress(options: { out: string; config?: unknown; resume?: boolean; quiet?: boolean }, io: CliIO): Promise<RunSummary> {
  const control = new RunControl();
  const onSignal = (signal: NodeJS.Signals): void => {
    io.stderr.write(`\n${signal}: stopping after the current step with a checkpoint (send it again to abort)…\n`);
    // The next signal meets Node's default handler: the process ends at once.
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    control.stop();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const print = createProgressPrinter({ sftEvery: 25, write: (l) => io.stderr.write(`${l}\n`) });
  try {
    return await runTraining({ outDir: options.out, config: options.config, resume: options.resume, control, onEvent: options.quiet ? undefined : print });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'run SFT + StepGRPO headless into a run directory (or --resume one)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, { out: stringOption, preset: stringOption, config: stringOption, resume: stringOption, 'init-from': stringOption, quiet: booleanOption });
    const { resume, quiet } = values;
    if (resume) {
      if (values.out !== undefined || values.config !== undefined || values.preset !== undefined || values['init-from'] !== undefined)
        throw new UsageError('--resume takes the config from the run directory; drop --out/--preset/--config/--init-from');
      const summary = await trainWithProgress({ out: resume, resume: true, quiet }, io);
      io.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    const presetName = values.preset ?? 'demo';
    try {
      presetConfig(presetName);
    } catch (err) {
      throw new UsageError(`--preset: ${(err as Error).message}`);
    }
    const initFrom = values['init-from'];
    const notOne = initFrom ? notAnInitSource(initFrom) : null;
    if (notOne) throw new UsageError(`--init-from: ${notOne}`);
    // The resolution the trainer child of Start StepGRPO Run does: the same preset is the same run.
    const { config, note } = await resolveRun({ preset: presetName, configFile: values.config, initFrom });
    if (note && !quiet) io.stderr.write(`${note}\n`);
    const out = values.out ?? defaultRunDir(process.cwd(), presetName);
    const summary = await trainWithProgress({ out, config, quiet }, io);
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  },
};
