// Every command of the extension, registered here and nowhere else (DESIGN §9).
import * as vscode from 'vscode';
import type { AnnotationController } from './annotations/annotation-controller';
import { formatSummary, formatTotal } from './annotations/summary';
import type { RunArg, RunCommands, StartRunArgs } from './runs/run-commands';
import type { RunConfigs } from './runs/run-configs';
import { SERVER_ACTIONS_COMMAND, type RewardServerController } from './server/reward-server-controller';
import type { ImportArg } from './import/import-command';
import type { CompareArg, MetricsStepArg } from './metrics/metrics-view';
import type { ViewerArg } from './viewer/viewer-commands';

export const COMMANDS = {
  startRun: 'stepgrpo.startRun',
  stopRun: 'stepgrpo.stopRun',
  pauseRun: 'stepgrpo.pauseRun',
  unpauseRun: 'stepgrpo.unpauseRun',
  checkpointNow: 'stepgrpo.checkpointNow',
  resumeRun: 'stepgrpo.resumeRun',
  branchRun: 'stepgrpo.branchRun',
  newRunConfig: 'stepgrpo.newRunConfig',
  openRolloutViewer: 'stepgrpo.openRolloutViewer',
  showViewerStep: 'stepgrpo.viewer.showStep',
  compareInViewer: 'stepgrpo.viewer.compareWith',
  scoreChain: 'stepgrpo.scoreChain',
  startRewardServer: 'stepgrpo.startRewardServer',
  stopRewardServer: 'stepgrpo.stopRewardServer',
  importRollouts: 'stepgrpo.importRollouts',
  openRunFolder: 'stepgrpo.openRunFolder',
  showLog: 'stepgrpo.showLog',
  compareInMetrics: 'stepgrpo.compareInMetrics',
  metricsShowStep: 'stepgrpo.metrics.showStep',
  openCliTerminal: 'stepgrpo.openCliTerminal',
} as const;

export interface ScoreResult {
  uri: string;
  kind: 'chain' | 'jsonl';
  summaries: string[];
}

/** What the commands act on; each piece stays the owner of its behaviour. */
export interface CommandTargets {
  controller: AnnotationController;
  runs: RunCommands;
  runConfigs: RunConfigs;
  rewardServer: RewardServerController;
  log: vscode.LogOutputChannel;
  openViewer: (arg?: ViewerArg) => Promise<unknown>;
  showViewerStep: (arg: unknown) => Promise<unknown>;
  compareInViewer: (arg?: ViewerArg) => Promise<unknown>;
  importRollouts: (arg?: ImportArg) => Promise<unknown>;
  compareInMetrics: (arg?: CompareArg) => Promise<unknown>;
  metricsShowStep: (arg: MetricsStepArg | undefined) => Promise<unknown>;
  openCliTerminal: () => unknown;
}

export function registerCommands(targets: CommandTargets): vscode.Disposable[] {
  const { controller, runs, runConfigs, rewardServer, log, openViewer, showViewerStep, importRollouts, compareInMetrics } = targets;
  return [
    vscode.commands.registerCommand(COMMANDS.startRun, (args?: StartRunArgs) => runs.startRun(args)),
    vscode.commands.registerCommand(COMMANDS.stopRun, (arg?: RunArg) => runs.stopRun(arg)),
    vscode.commands.registerCommand(COMMANDS.pauseRun, (arg?: RunArg) => runs.control('pause', arg)),
    vscode.commands.registerCommand(COMMANDS.unpauseRun, (arg?: RunArg) => runs.control('resume', arg)),
    vscode.commands.registerCommand(COMMANDS.checkpointNow, (arg?: RunArg) => runs.control('checkpoint', arg)),
    vscode.commands.registerCommand(COMMANDS.newRunConfig, (args?: Parameters<RunConfigs['create']>[0]) => runConfigs.create(args)),
    vscode.commands.registerCommand(COMMANDS.resumeRun, (arg?: RunArg) => runs.resumeRun(arg)),
    vscode.commands.registerCommand(COMMANDS.branchRun, (arg?: RunArg, checkpoint?: string) => runs.branchRun(arg, typeof checkpoint === 'string' ? checkpoint : undefined)),
    vscode.commands.registerCommand(COMMANDS.openRunFolder, (arg?: RunArg) => runs.openRunFolder(arg)),
    vscode.commands.registerCommand(COMMANDS.importRollouts, (arg?: ImportArg) => importRollouts(arg)),
    vscode.commands.registerCommand(COMMANDS.openRolloutViewer, (arg?: ViewerArg) => openViewer(arg)),
    vscode.commands.registerCommand(COMMANDS.showViewerStep, (arg: unknown) => showViewerStep(arg)),
    vscode.commands.registerCommand(COMMANDS.compareInViewer, (arg?: ViewerArg) => targets.compareInViewer(arg)),
    vscode.commands.registerCommand(COMMANDS.scoreChain, (uri?: vscode.Uri) => scoreInEditor(controller, log, uri)),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    vscode.commands.registerCommand(COMMANDS.startRewardServer, () => rewardServer.start()),
    vscode.commands.registerCommand(COMMANDS.stopRewardServer, () => rewardServer.stop()),
    vscode.commands.registerCommand(SERVER_ACTIONS_COMMAND, () => rewardServer.showActions()),
    // From the Runs view a multi-selection arrives as the second argument.
    vscode.commands.registerCommand(COMMANDS.compareInMetrics, (arg?: CompareArg, many?: CompareArg) => compareInMetrics(many ?? arg)),
    vscode.commands.registerCommand(COMMANDS.metricsShowStep, (arg?: MetricsStepArg) => targets.metricsShowStep(arg)),
    vscode.commands.registerCommand(COMMANDS.openCliTerminal, () => targets.openCliTerminal()),
  ];
}

async function scoreInEditor(controller: AnnotationController, log: vscode.LogOutputChannel, uri?: vscode.Uri): Promise<ScoreResult | undefined> {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showWarningMessage('StepGRPO: open a reasoning chain (Markdown, text or rollout .jsonl) to score it.');
    return undefined;
  }
  const state = await controller.analyseNow(doc);
  if (!state) return undefined;
  const summaries = state.chains.map((c) => formatSummary(c.scored.breakdown, c.scored.reference));
  const name = vscode.workspace.asRelativePath(doc.uri);
  for (const c of state.chains) log.info(`${name}${c.line === null ? '' : `:${c.line + 1}`} ${JSON.stringify(c.scored.breakdown)}`);
  let message: string;
  if (state.chains.length === 0) {
    const notScored = state.diagnostics.find((d) => d.code === 'NOT_SCORED');
    message = notScored ? `StepGRPO: ${notScored.message}` : `StepGRPO: no reasoning chain in ${name} (no Image Description / Rationales / Step / Final answer headers).`;
  } else if (state.kind === 'chain') {
    message = `StepGRPO: ${summaries[0]}`;
  } else {
    const totals = state.chains.map((c) => c.scored.breakdown.total);
    const valid = state.chains.filter((c) => c.scored.breakdown.validity === 1).length;
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    message = `StepGRPO: ${state.chains.length} chains in ${name}: mean total ${formatTotal(mean)}, StepRVR valid ${valid}/${state.chains.length}.`;
  }
  void vscode.window.showInformationMessage(message);
  return { uri: doc.uri.toString(), kind: state.kind, summaries };
}
