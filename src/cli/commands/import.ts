// `stepgrpo import SOURCE --out RUN_DIR`: the importer of Import Rollouts, headless (on the GPU node,
// next to the engine). SOURCE is a JSONL file of rollouts or chain records, or a verl
// rollout_data_dir / TRL output folder. A progress line per step file and every skipped row go to
// stderr, the summary to stdout. `--follow` keeps importing the step files the engine writes until
// SIGINT / SIGTERM; importing the same folder into the same RUN_DIR again goes on where the last
// import stopped (the cursor in RUN_DIR), without importing a chain twice.
import fs from 'node:fs';
import path from 'node:path';
import { REWARD_PRESETS, type RewardPresetName } from '../../core/reward';
import { EngineFolderImport, type ImportedStep } from '../../server/import/engine-folder-import';
import type { EngineKind } from '../../server/import/engine-rollouts';
import { readImportFile } from '../../server/import/import-file';
import { writeImportedRun } from '../../server/import/imported-run';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, intOption, parseArgs, stringOption } from '../args';

const PRESETS = Object.keys(REWARD_PRESETS).join(' | ');

const USAGE = `usage: stepgrpo import SOURCE --out RUN_DIR [--follow] [--preset P] [options]

Imports rollouts into a run directory that the extension's Runs view, Rollout viewer and Metrics
view open like a local run; every chain is rescored with the preset, the engine's numbers kept
beside ours. SOURCE is one of:
  - a JSONL file: rollouts.jsonl / events.ndjson lines, or chain records (\`stepgrpo score\` input
    or output, TRL / OpenRLHF / verl dumps);
  - verl's trainer.rollout_data_dir ({step}.jsonl), either trainer's dump;
  - TRL's output_dir or its completions/ folder (completions_NNNNN.parquet, log_completions=True).

  --out RUN_DIR      the run directory to write (new, or one that an import of the same folder left:
                     it goes on from where that import stopped)
  --follow           keep importing the step files the engine writes, until Ctrl-C / SIGTERM
  --preset P         ${PRESETS} (default stepgrpo)
  --kind K           verl | trl, for a folder with no step file yet
  --group-size N     JSONL records without a prompt field: N consecutive records per group (default 1)
  --poll S           --follow: seconds between looks at the folder (default 2)
`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a verl / TRL rollout folder (or a JSONL file) into a run directory; --follow tails it',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs(
      argv,
      { out: stringOption, follow: booleanOption, preset: stringOption, kind: stringOption, 'group-size': intOption(1, 1_000_000), poll: intOption(1, 3600) },
      { positionals: true },
    );
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the SOURCE to import' : `one SOURCE, got ${positionals.length}`);
    if (!values.out) throw new UsageError('--out RUN_DIR is required');
    const preset = values.preset ?? 'stepgrpo';
    if (!Object.prototype.hasOwnProperty.call(REWARD_PRESETS, preset)) throw new UsageError(`--preset: unknown preset "${preset}" (expected ${PRESETS})`);
    if (values.kind !== undefined && values.kind !== 'verl' && values.kind !== 'trl') throw new UsageError(`--kind: expected verl or trl, got "${values.kind}"`);
    const source = path.resolve(positionals[0]!);
    const out = path.resolve(values.out);
    if (!fs.existsSync(source)) throw new Error(`${source}: no such file or folder`);
    const options = { source, out, preset: preset as RewardPresetName, groupSize: values['group-size'], kind: values.kind as EngineKind | undefined };
    if (fs.statSync(source).isDirectory()) return importFolder({ ...options, follow: values.follow === true, pollMs: (values.poll ?? 2) * 1000 }, io);
    if (values.follow) throw new UsageError('--follow takes a verl or TRL folder, not a file');
    return importFile(options, io);
  },
};

interface ImportOptions {
  source: string;
  out: string;
  preset: RewardPresetName;
  groupSize: number | undefined;
  kind: EngineKind | undefined;
}

async function importFile({ source, out, preset, groupSize }: ImportOptions, io: CliIO): Promise<number> {
  if (fs.existsSync(path.join(out, 'config.json'))) throw new Error(`${out} already holds a run; pick another --out`);
  const result = await readImportFile(source, preset, groupSize);
  writeImportedRun(out, source, result);
  const name = path.basename(source);
  for (const s of result.skipped) io.stderr.write(`${name}:${s.line}: ${s.field}: ${s.message}; skipped\n`);
  io.stdout.write(
    `imported ${count(result.chains, 'chain')} (${count(result.records, 'record')}, ${count(result.events.length, 'step')}) from ${source} into ${out}` +
      `${result.skipped.length ? `; ${count(result.skipped.length, 'line')} skipped` : ''}\n`,
  );
  return 0;
}

async function importFolder(options: ImportOptions & { follow: boolean; pollMs: number }, io: CliIO): Promise<number> {
  const started = Date.now();
  let files = 0;
  let chains = 0;
  const progress = (steps: ImportedStep[]): void => {
    for (const s of steps) {
      files++;
      chains += s.chains;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.stderr.write(
        `${path.basename(s.file)}: step ${s.step}, ${count(s.chains, 'chain')}${s.skipped ? `, ${s.skipped} skipped` : ''} · ${count(chains, 'chain')} in ${seconds} s\n`,
      );
    }
  };
  const run: EngineFolderImport = await EngineFolderImport.create(
    {
      source: options.source,
      runDir: options.out,
      preset: options.preset,
      ...(options.kind ? { kind: options.kind } : {}),
      onNote: (note) => void io.stderr.write(`${note}\n`),
      onImported: progress,
    },
    options.follow,
  );
  // Before the first pass, which can be long: a Ctrl-C during it stops cleanly after it (the signal's
  // default action would leave the lock behind).
  const signalled = options.follow ? untilSignal(io) : undefined;
  if (run.resumed) io.stderr.write(`going on from the import cursor in ${options.out} (${count(run.resumed, 'step file')} read before)\n`);
  await run.poll();
  if (signalled) {
    io.stderr.write(`following ${options.source} (${run.kind}); Ctrl-C to stop\n`);
    run.start(options.pollMs);
    await signalled;
    await run.finish('stopped');
  } else await run.finish('completed');
  const { skipped } = run.totals;
  io.stdout.write(
    `imported ${count(chains, 'chain')} from ${count(files, 'step file')} (${run.kind}) of ${options.source} into ${options.out}${skipped ? `; ${count(skipped, 'row')} skipped` : ''}\n`,
  );
  if (run.coverage) io.stdout.write(`note: ${run.coverage}\n`);
  return 0;
}

function untilSignal(io: CliIO): Promise<void> {
  return new Promise((resolve) => {
    // The importer's poll timer is unref'd (it must not keep the extension host alive); this keeps the CLI alive.
    const alive = setInterval(() => {}, 60_000);
    const stop = (signal: string): void => {
      clearInterval(alive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write(`${signal}: stopping (the import cursor is saved; importing again into the same folder goes on from here)\n`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const count = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
