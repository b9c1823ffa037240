// One trainer child process (DESIGN §1, §3): spawned without a shell, NDJSON events parsed line by
// line from stdout, commands written to stdin, stderr passed on as log lines. A bad line is a
// warning, never fatal. Stopping is graceful first (`stop`: finish the step, checkpoint, exit) and
// escalates to SIGTERM and SIGKILL only when asked to.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { describeIssue } from '../../protocol/schema';
import { encodeLine, parseTrainerEvent, type EventContext, type HostCommand, type HostCommandType, type TrainerEvent } from '../../protocol/trainer-messages';
import type { ExitInfo } from './run-state';

export interface TrainerLaunch {
  /** The Node binary; in VS Code this is the extension host's (ELECTRON_RUN_AS_NODE makes Electron act as Node). */
  node: string;
  trainerJs: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** What the guard checks each event against (the run's total steps, once known). */
  eventContext?: () => EventContext;
}

export interface TrainerHandlers {
  onEvent(event: TrainerEvent): void;
  /** A stdout line that is not a valid event (malformed, unknown type, wrong field). */
  onWarning(message: string): void;
  onStderr(line: string): void;
  onExit(exit: ExitInfo): void;
}

/** Keeps the last stderr lines so a crash can be explained in one message. */
const STDERR_TAIL = 20;

export class TrainerProcess {
  readonly exited: Promise<ExitInfo>;
  readonly stderrTail: string[] = [];
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private exit: ExitInfo | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(launch: TrainerLaunch, handlers: TrainerHandlers, signal?: AbortSignal) {
    this.child = spawn(launch.node, [launch.trainerJs, ...launch.args], {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    // Writing to a trainer that just exited raises EPIPE on the stream; the exit is reported anyway.
    this.child.stdin.on('error', () => undefined);

    const stdout = readline.createInterface({ input: this.child.stdout, crlfDelay: Infinity });
    stdout.on('line', (line) => this.onStdoutLine(line, handlers, launch.eventContext?.() ?? {}));
    const stderr = readline.createInterface({ input: this.child.stderr, crlfDelay: Infinity });
    stderr.on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
      handlers.onStderr(line);
    });

    // 'close' fires after stdout and stderr are drained, so every event is delivered before onExit.
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (exit: ExitInfo): void => {
        if (this.exit) return;
        this.exit = exit;
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        signal?.removeEventListener('abort', onAbort);
        handlers.onExit(exit);
        resolve(exit);
      };
      this.child.on('error', (err) => {
        // Only a failed spawn leaves no 'close' behind; later errors come with one.
        if (this.child.pid === undefined) finish({ code: null, signal: null, spawnError: err.message });
      });
      this.child.on('close', (code, sig) => finish({ code, signal: sig }));
    });

    const onAbort = (): void => {
      this.send('stop');
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Writes one command line; false when the trainer's stdin is already closed. */
  send(type: HostCommandType): boolean {
    if (this.exit || !this.child.stdin.writable) return false;
    this.child.stdin.write(encodeLine({ v: 1, type } as HostCommand));
    return true;
  }

  /**
   * Asks the trainer to stop; with `escalateAfterMs`, sends SIGTERM if it is still running after
   * that long and SIGKILL after as long again. Resolves when the process has exited.
   */
  stop(escalateAfterMs?: number): Promise<ExitInfo> {
    if (this.exit) return this.exited;
    this.send('stop');
    if (escalateAfterMs !== undefined) {
      this.after(escalateAfterMs, () => {
        this.signal('SIGTERM');
        this.after(escalateAfterMs, () => this.signal('SIGKILL'));
      });
    }
    return this.exited;
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.exit) return;
    try {
      this.child.kill(sig);
    } catch {
      // Already gone.
    }
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onStdoutLine(line: string, handlers: TrainerHandlers, context: EventContext): void {
    if (!line.trim()) return;
    const parsed = parseLine(line, context);
    if (parsed.ok) handlers.onEvent(parsed.message);
    else handlers.onWarning(parsed.error);
  }
}

/** A valid event, or the warning to log for a line that is not one. */
function parseLine(line: string, context: EventContext): { ok: true; message: TrainerEvent } | { ok: false; error: string } {
  const parsed = parseTrainerEvent(line, context);
  if (parsed.ok) return { ok: true, message: parsed.value };
  const excerpt = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  return {
    ok: false as const,
    error: parsed.unknownType ? `ignored trainer event of unknown type "${parsed.unknownType}"` : `ignored malformed trainer line (${describeIssue(parsed.issue)}): ${excerpt}`,
  };
}
