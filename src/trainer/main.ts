// Trainer child-process entry (DESIGN §1, §3): NDJSON events on stdout, host commands on stdin,
// logs on stderr. Any program that speaks this protocol can stand in for it.
//   node dist/trainer.js --out <run-dir> [--config <file.json>] [--preset demo|smoke|grpo-outcome]
//   node dist/trainer.js --resume <run-dir>
//   --execution-provider cpu|cuda|webgpu overrides the config's runtime.executionProvider (a new run only)
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { encodeLine, parseHostCommand, type TrainerEvent } from '../protocol/trainer-messages';
import { describeIssue } from '../protocol/schema';
import { RunWriter } from '../rundir/run-writer';
import { RunControl } from './run-control';
import { runTraining } from './run';
import { resolveRun } from './resolve-run';

interface TrainerArgs {
  out?: string;
  resume?: string;
  config?: string;
  preset?: string;
  'execution-provider'?: string;
}

/** Strict: an unknown flag or a flag without its value is an error (reported like any early failure). */
function readArgs(argv: string[]): TrainerArgs {
  const string = { type: 'string' } as const;
  return parseArgs({
    args: argv,
    options: { out: string, resume: string, config: string, preset: string, 'execution-provider': string },
    strict: true,
    allowPositionals: false,
  }).values;
}

function write(event: TrainerEvent): void {
  process.stdout.write(encodeLine(event));
}

/**
 * A failure before the run directory exists (bad config file, unknown preset) is still written to
 * `<out>/events.ndjson`, so whoever opens the folder sees why the run never started.
 */
function recordEarlyFailure(argv: string[], events: TrainerEvent[]): void {
  let args: TrainerArgs;
  try {
    args = readArgs(argv);
  } catch {
    return; // the flags themselves are wrong: no folder to write to
  }
  const out = args.out;
  if (!out || args.resume) return;
  try {
    // Without a config: it is what failed. A folder that already holds a run is refused, left as it is.
    RunWriter.create(out, undefined).append(...events);
  } catch {
    // Not writable, or another run's folder: stdout and stderr still carry the error.
  }
}

async function main(argv: string[]): Promise<number> {
  const args = readArgs(argv);
  const resume = args.resume;
  const out = resume ?? args.out;
  if (!out) {
    process.stderr.write('trainer: --out <run-dir> or --resume <run-dir> is required\n');
    return 2;
  }
  const provider = args['execution-provider'];
  if (resume && provider) throw new Error('--execution-provider applies to a new run; a resumed run keeps the runtime of its config.json');
  // The resolution `stepgrpo train` does too: a preset is the same run from the palette and the terminal.
  const resolved = resume ? undefined : await resolveRun({ preset: args.preset, configFile: args.config, executionProvider: provider });
  if (resolved?.note) process.stderr.write(`trainer: ${resolved.note}\n`);
  const config = resolved?.config;

  const control = new RunControl();
  const commands = readline.createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (!line.trim()) return;
    const parsed = parseHostCommand(line);
    if (!parsed.ok) {
      write({ v: 1, type: 'log', level: 'warn', message: `ignored command: ${describeIssue(parsed.issue)}` });
      return;
    }
    const cmd = parsed.value;
    if (cmd.type === 'stop') control.stop();
    else if (cmd.type === 'pause') control.pause();
    else if (cmd.type === 'resume') control.resume();
    else if (cmd.type === 'checkpoint') control.requestCheckpoint();
    else write({ v: 1, type: 'log', level: 'debug', message: 'pong' });
  });
  // The host going away (stdin closed) or a signal means: finish the step, checkpoint, exit.
  commands.on('close', () => control.stop());
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => control.stop());

  try {
    const summary = await runTraining({ outDir: out, config, resume: Boolean(resume), control, onEvent: write });
    return summary.status === 'completed' || summary.status === 'stopped' ? 0 : 1;
  } finally {
    commands.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = (err as Error).message ?? String(err);
    if (!(err as { reported?: boolean }).reported) {
      const failure: TrainerEvent[] = [
        { v: 1, type: 'error', message, detail: (err as Error).stack, fatal: true },
        { v: 1, type: 'done', status: 'failed', summary: { error: message } },
      ];
      failure.forEach(write);
      recordEarlyFailure(process.argv.slice(2), failure);
    }
    process.stderr.write(`trainer: ${message}\n`);
    process.exit(1);
  },
);
