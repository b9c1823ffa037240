// `stepgrpo`: a small dispatcher over one file per subcommand (src/cli/commands/<name>.ts).
import type { CliCommand, CliIO } from './command';
import { UsageError } from './args';
import { scoreCommand } from './commands/score';
import { extractKeyStepsCommand } from './commands/extract-keysteps';
import { trainCommand } from './commands/train';
import { demoCommand } from './commands/demo';
import { compareCommand } from './commands/compare';
import { serveCommand } from './commands/serve';
import { importCommand } from './commands/import';
import { ablationCommand } from './commands/ablation';
import { modelsCommand } from './commands/models';
import { exportCommand } from './commands/export';
import { generateCommand } from './commands/generate';

export const COMMANDS: CliCommand[] = [
  demoCommand,
  trainCommand,
  compareCommand,
  ablationCommand,
  exportCommand,
  modelsCommand,
  generateCommand,
  scoreCommand,
  extractKeyStepsCommand,
  serveCommand,
  importCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: stepgrpo <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `stepgrpo <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`stepgrpo: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`stepgrpo ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    io.stderr.write(`stepgrpo ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`stepgrpo: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
