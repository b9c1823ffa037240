// What a subcommand is: the dispatcher in main.ts knows nothing else about it. Other subcommands
// (`demo`, `train`) plug in by adding a file under commands/ and one line to the table in main.ts.

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  /** One line for `stepgrpo --help`. */
  summary: string;
  /** Full usage text for `stepgrpo <name> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}
