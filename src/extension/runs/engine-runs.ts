// Start StepGRPO Run on a config with `engine` (src/protocol/engine-config.ts): a reward server on
// a free loopback port, with a token, recording into a new run folder (the recorder of Start Reward
// Server), and the user's command in a VS Code terminal with the environment that points the
// engine's reward function at the server. The Runs view, the Rollout viewer and the Metrics view
// follow the folder as they follow any run; the Runs view shows it live with Stop (stoppable-runs.ts),
// `stopping` until it has ended. Stop (or closing the terminal) stops the command's
// process group, then the server; an engine that exits on its own ends the recording with its
// outcome. The engine's output also goes to the run's trainer.log.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RewardServer } from '../../server/reward-server';
import type { RunRecorder } from '../../server/run-recorder';
import { engineEnvironment, expandVariables, type EngineConfig, type EngineVariable } from '../../protocol/engine-config';
import { RUN_FILES } from '../../rundir/run-files';
import { Disposable } from '../disposable';
import { readSettings } from '../annotations/annotation-controller';
import { createRunDirectory } from './run-id';
import { EngineProcess, describeEngineExit, type EngineExit } from './engine-process';
import type { StoppableRuns } from './stoppable-runs';

export interface EngineRunsOptions {
  log: vscode.LogOutputChannel;
  version: string;
  runsRoot: () => string;
  /** StepGRPO's Python integrations, when this install has them. */
  integrations: string | undefined;
  /** A run began, ended a step or ended: the run list should be read again. */
  onRunsChanged: () => void;
  /** Stop's grace before SIGKILL, in ms. */
  stopGraceMs: () => number;
  /** Where the Runs view learns that a launched run can be stopped, and that it is stopping. */
  stoppable: StoppableRuns;
}

export interface EngineRunStarted {
  runId: string;
  dir: string;
  url: string;
  terminal: string;
}

interface LiveEngineRun {
  process: EngineProcess;
  server: RewardServer;
  terminal: vscode.Terminal;
  ended: Promise<EngineExit>;
}

/** The Python integrations beside the extension: there in a checkout; a packaged install does not ship them yet. */
export function integrationsFolder(extensionRoot: string): string | undefined {
  const dir = path.join(extensionRoot, 'src', 'server', 'integrations');
  return fs.existsSync(path.join(dir, 'stepgrpo_reward.py')) ? dir : undefined;
}

export class EngineRuns extends Disposable {
  private readonly live = new Map<string, LiveEngineRun>();

  constructor(private readonly options: EngineRunsOptions) {
    super();
    this._register({ dispose: () => this.live.forEach((_, id) => void this.stop(id)) });
  }

  /** Resolves with how the engine ended (tests; Stop waits on it too). */
  whenEnded(id: string): Promise<EngineExit> | undefined {
    return this.live.get(id)?.ended;
  }

  async start(configFile: string, engine: EngineConfig): Promise<EngineRunStarted> {
    const [{ RewardServer }, { RunRecorder: Recorder }, { rewardConfig }] = await Promise.all([
      import('../../server/reward-server'),
      import('../../server/run-recorder'),
      import('../annotations/engine'),
    ]);
    const { log } = this.options;
    const config = rewardConfig(readSettings());
    const { id, dir } = createRunDirectory(this.options.runsRoot(), path.basename(configFile).replace(/\.stepgrpo\.json$/i, ''), new Date());
    const recorder: RunRecorder = Recorder.create(dir, {
      config: { reward: config, engine, server: { startedFrom: 'vscode-engine', configFile } },
      version: this.options.version,
      log: (line) => log.warn(`[${id}] ${line}`),
      onStepEnd: () => this.options.onRunsChanged(),
    });
    const token = randomBytes(24).toString('hex');
    const server = new RewardServer({ port: 0, config, version: this.options.version, token, recorder, log: (line) => log.info(`[${id}] ${line}`) });
    let command: string[];
    let cwd: string;
    let env: Record<string, string>;
    try {
      await server.listen();
      const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(configFile);
      const values: Partial<Record<EngineVariable, string>> = { runDir: dir, rewardUrl: server.url, rewardToken: token, workspaceFolder, integrations: this.options.integrations };
      const expand = (field: string, text: string): string => {
        try {
          return expandVariables(text, values);
        } catch (err) {
          throw new Error(`engine.${field}: ${(err as Error).message}`);
        }
      };
      command = engine.command.map((arg, i) => expand(`command[${i}]`, arg));
      cwd = engine.cwd === undefined ? workspaceFolder : path.resolve(path.dirname(configFile), expand('cwd', engine.cwd));
      env = Object.fromEntries(Object.entries(engine.env ?? {}).map(([k, v]) => [k, expand(`env.${k}`, v)]));
      if (!fs.existsSync(cwd)) throw new Error(`engine.cwd: no folder ${cwd}`);
    } catch (err) {
      recorder.close('failed');
      await server.close(0);
      this.options.onRunsChanged();
      throw err;
    }

    const output = fs.createWriteStream(path.join(dir, RUN_FILES.log), { flags: 'a' });
    output.on('error', (err) => log.warn(`[${id}] ${RUN_FILES.log}: ${err.message}`));
    const terminalText = new TerminalText();
    const child = new EngineProcess(command, {
      cwd,
      env: { ...process.env, ...engineEnvironment(server.url, token, dir), ...env },
      onOutput: (text) => {
        output.write(text);
        terminalText.write(text);
      },
    });
    log.info(`[${id}] ${engine.kind} engine started (pid ${child.pid ?? '?'}): ${command.join(' ')} in ${cwd}; reward server ${server.url}, recording into ${dir}`);
    terminalText.write(
      `StepGRPO: ${engine.kind} run ${id}\nreward server ${server.url} (STEPGRPO_REWARD_URL, STEPGRPO_REWARD_TOKEN), recording into ${dir}\n$ ${command.join(' ')}\n\n`,
    );
    const terminal = vscode.window.createTerminal({
      name: `StepGRPO ${engine.kind}: ${id}`,
      iconPath: new vscode.ThemeIcon('server-process'),
      pty: {
        onDidWrite: terminalText.onDidWrite,
        open: () => terminalText.open(),
        // Closing the terminal stops the run, as Stop does.
        close: () => void this.stop(id),
      },
    });
    terminal.show(true);
    const stoppable = this.options.stoppable.add(dir, () => this.stop(id));
    const ended = child.exited.then(async (exit) => {
      const how = describeEngineExit(exit);
      terminalText.write(`\nStepGRPO: ${how}.\n`);
      terminalText.dispose();
      output.end(`\n${how}\n`);
      recorder.close(exit.stopped ? 'stopped' : exit.code === 0 ? 'completed' : 'failed');
      await server.close(2000);
      this.live.delete(id);
      stoppable.dispose();
      this.options.onRunsChanged();
      (exit.code === 0 || exit.stopped ? log.info : log.error).call(log, `[${id}] ${how}`);
      if (!exit.stopped && exit.code !== 0) void vscode.window.showErrorMessage(`StepGRPO: ${id}: ${how}. Its output is in the terminal and in ${RUN_FILES.log}.`);
      return exit;
    });
    this.live.set(id, { process: child, server, terminal, ended });
    this.options.onRunsChanged();
    return { runId: id, dir, url: server.url, terminal: terminal.name };
  }

  /** Stops the engine's process group (SIGTERM, then SIGKILL after the grace), then the server. False when it is not running here. */
  async stop(id: string): Promise<boolean> {
    const run = this.live.get(id);
    if (!run) return false;
    this.options.log.info(`[${id}] stop requested: stopping the engine, then the reward server`);
    await run.process.stop(this.options.stopGraceMs());
    await run.ended;
    return true;
  }
}

/** A pseudoterminal's text: written before the terminal opens, it is held until then (VS Code drops earlier writes). */
class TerminalText {
  private readonly emitter = new vscode.EventEmitter<string>();
  private held: string[] | undefined = [];
  readonly onDidWrite = this.emitter.event;

  open(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const text of held) this.emitter.fire(text);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  write(text: string): void {
    const crlf = text.replace(/\r?\n/g, '\r\n');
    if (this.held) this.held.push(crlf);
    else this.emitter.fire(crlf);
  }
}
