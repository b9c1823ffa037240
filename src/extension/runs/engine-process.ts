// The engine command of a launched run (engine-runs.ts): spawned without a shell in its own
// process group, so that Stop reaches the workers an engine forks (Ray, torchrun) and not only its
// driver; output handed on as it comes. Free of `vscode` so it is tested with real processes.
import { spawn, type ChildProcess } from 'node:child_process';

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The command could not be started (ENOENT, EACCES …). */
  spawnError?: string;
  /** Stop was asked for before it exited. */
  stopped: boolean;
}

export interface EngineProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  onOutput: (text: string) => void;
}

export class EngineProcess {
  private readonly child: ChildProcess;
  private stopRequested = false;
  private done = false;
  readonly exited: Promise<EngineExit>;

  constructor(command: readonly string[], options: EngineProcessOptions) {
    this.child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    this.child.stdout!.setEncoding('utf8').on('data', options.onOutput);
    this.child.stderr!.setEncoding('utf8').on('data', options.onOutput);
    this.exited = new Promise<EngineExit>((resolve) => {
      this.child.once('error', (err) => {
        this.done = true;
        resolve({ code: null, signal: null, spawnError: err.message, stopped: this.stopRequested });
      });
      this.child.once('close', (code, signal) => {
        this.done = true;
        resolve({ code, signal, stopped: this.stopRequested });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.done;
  }

  /**
   * SIGTERM to the process group, SIGKILL to what is left of it after `graceMs` (a worker that
   * outlives its driver included); resolves when the driver has exited.
   */
  async stop(graceMs: number): Promise<EngineExit> {
    if (!this.done && !this.stopRequested) {
      this.stopRequested = true;
      this.signal('SIGTERM');
      setTimeout(() => this.signal('SIGKILL'), graceMs).unref();
    }
    return this.exited;
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child.kill(signal);
      else process.kill(-pid, signal);
    } catch {
      // the whole group is gone
    }
  }
}

/** One line for the terminal and the log: how the engine ended. */
export function describeEngineExit(exit: EngineExit): string {
  if (exit.spawnError) return `the engine command could not start: ${exit.spawnError}`;
  if (exit.stopped) return `the engine was stopped${exit.signal ? ` (${exit.signal})` : ''}`;
  return exit.signal ? `the engine was killed by ${exit.signal}` : `the engine exited with code ${exit.code}`;
}
