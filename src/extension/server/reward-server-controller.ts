// "Start Reward Server": the HTTP reward server inside the extension host, on loopback. Scoring
// costs microseconds per chain and long batches are scored in time slices (server/cooperative.ts),
// so the host stays responsive. Unless `stepgrpo.rewardServer.record` is off, it records into
// `<runs root>/serve-<stamp>/`, a run directory that the Runs view, the Rollout viewer and the
// Metrics view follow. A status-bar item shows the URL and offers Copy / Viewer / Metrics / Stop.
// The server module is loaded on first start, never at activation.
import path from 'node:path';
import * as vscode from 'vscode';
import type { RewardServer } from '../../server/reward-server';
import type { RunRecorder as RunRecorderType } from '../../server/run-recorder';
import { Disposable } from '../disposable';
import { readSettings } from '../annotations/annotation-controller';
import { createRunDirectory } from '../runs/run-id';

export const SERVER_ACTIONS_COMMAND = 'stepgrpo.rewardServerActions';

export type StartServerResult = { status: 'started' | 'already-running'; url: string; runDir?: string } | { status: 'failed'; message: string };
export type StopServerResult = { status: 'stopped' | 'not-running' };

export class RewardServerController extends Disposable {
  private server: RewardServer | undefined;
  private starting: Promise<StartServerResult> | undefined;
  private readonly statusItem = this._register(vscode.window.createStatusBarItem('stepgrpo.rewardServer', vscode.StatusBarAlignment.Left, 10));

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly version: string,
    /** Where recordings go (`<workspace>/.stepgrpo/runs`). */
    private readonly runsRoot: () => string,
    /** A recording began, ended a step or stopped: the run list should be read again. */
    private readonly onRunsChanged: () => void,
  ) {
    super();
    this.statusItem.name = 'StepGRPO Reward Server';
    this.statusItem.command = SERVER_ACTIONS_COMMAND;
    this._register({
      dispose: () => {
        void this.server?.close(500);
        // The window is closing: `done` is written now, before the host may be gone, so that the
        // recording reads as stopped rather than as a run whose writer died.
        this.recorder?.close('stopped');
      },
    });
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  /** The run directory being recorded into, when recording. */
  get runDir(): string | undefined {
    return this.recording;
  }

  private recorder: RunRecorderType | undefined;

  private get recording(): string | undefined {
    return this.recorder?.dir;
  }

  start(): Promise<StartServerResult> {
    if (this.server) {
      const url = this.server.url;
      void this.announce(`StepGRPO reward server is already running at ${url}`);
      return Promise.resolve({ status: 'already-running', url, ...(this.recording ? { runDir: this.recording } : {}) });
    }
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async stop(): Promise<StopServerResult> {
    const server = this.server;
    if (!server) return { status: 'not-running' };
    this.server = undefined;
    this.recorder = undefined;
    this.statusItem.hide();
    await server.close(2000);
    this.onRunsChanged();
    this.log.info(`reward server stopped (${server.metrics.requests} requests, ${server.metrics.chainsScored} chains scored)`);
    return { status: 'stopped' };
  }

  async showActions(): Promise<void> {
    const url = this.url;
    if (!url) return;
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(copy) Copy URL', detail: url, id: 'copy' },
        ...(this.recording ? [{ label: '$(list-unordered) Open Rollout Viewer', detail: this.recording, id: 'viewer' }] : []),
        { label: '$(graph) Open /metrics', detail: `${url}/metrics`, id: 'metrics' },
        { label: '$(debug-stop) Stop Reward Server', id: 'stop' },
      ],
      { title: `StepGRPO reward server at ${url}` },
    );
    if (pick?.id === 'copy') await vscode.env.clipboard.writeText(url);
    else if (pick?.id === 'viewer') await this.openViewer();
    else if (pick?.id === 'metrics') await vscode.env.openExternal(vscode.Uri.parse(`${url}/metrics`));
    else if (pick?.id === 'stop') await this.stop();
  }

  private async doStart(): Promise<StartServerResult> {
    const [{ RewardServer, DEFAULT_PORT }, { RunRecorder }, { rewardConfig }] = await Promise.all([
      import('../../server/reward-server'),
      import('../../server/run-recorder'),
      import('../annotations/engine'),
    ]);
    const config = rewardConfig(readSettings());
    const record = vscode.workspace.getConfiguration('stepgrpo').get<boolean>('rewardServer.record', true);
    let recorder: RunRecorderType | undefined;
    const make = (port: number) => new RewardServer({ port, config, version: this.version, log: (line) => this.log.info(line), ...(recorder ? { recorder } : {}) });
    let server: RewardServer | undefined;
    try {
      if (record) {
        const { dir } = createRunDirectory(this.runsRoot(), 'serve', new Date());
        recorder = RunRecorder.create(dir, {
          config: { reward: config, server: { startedFrom: 'vscode' } },
          version: this.version,
          log: (line) => this.log.warn(line),
          onStepEnd: () => this.onRunsChanged(),
        });
      }
      server = make(DEFAULT_PORT);
      try {
        await server.listen();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        this.log.warn(`port ${DEFAULT_PORT} is in use; the reward server takes a free port instead`);
        server = make(0);
        await server.listen();
      }
    } catch (err) {
      recorder?.close('failed');
      const message = `StepGRPO: the reward server could not start: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return { status: 'failed', message };
    }
    if (this.isDisposed) {
      void server.close(0);
      return { status: 'failed', message: 'the extension is shutting down' };
    }
    this.server = server;
    this.recorder = recorder;
    if (recorder) this.onRunsChanged();
    const url = server.url;
    this.statusItem.text = `$(server-process) Reward :${server.port}`;
    this.statusItem.tooltip = new vscode.MarkdownString(
      `StepGRPO reward server at \`${url}\` (mode ${config.mode}, loopback only)${recorder ? `, recording into \`${recorder.dir}\`` : ''}.\n\nClick to copy the URL, open the viewer or /metrics, or stop it.`,
    );
    this.statusItem.show();
    void this.announce(`StepGRPO reward server listening at ${url} (POST /score, /score_batch, /get_reward)${recorder ? `; recording into ${path.basename(recorder.dir)}` : ''}.`);
    return { status: 'started', url, ...(recorder ? { runDir: recorder.dir } : {}) };
  }

  private async announce(message: string): Promise<void> {
    const url = this.url;
    const actions = this.recording ? ['Open Rollout Viewer', 'Copy URL', 'Stop'] : ['Copy URL', 'Stop'];
    const choice = await vscode.window.showInformationMessage(message, ...actions);
    if (choice === 'Copy URL' && url) await vscode.env.clipboard.writeText(url);
    else if (choice === 'Open Rollout Viewer') await this.openViewer();
    else if (choice === 'Stop') await this.stop();
  }

  private async openViewer(): Promise<void> {
    if (this.recording) await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: this.recording });
  }
}
