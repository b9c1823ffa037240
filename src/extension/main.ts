// Extension entry. Activation only wires light objects; the reward engine and YAML are loaded on
// the first document that needs scoring (annotations/engine.ts, a lazily imported module).
import * as vscode from 'vscode';
import { AnnotationController } from './annotations/annotation-controller';
import type { AnnotationSnapshot } from './annotations/document-state';
import { AnnotationProviders } from './annotations/providers';
import { registerCommands } from './commands';
import { Disposable } from './disposable';

/** What `activate` returns; the integration tests read it through `extension.exports`. */
export interface StepGrpoApi {
  /** Wall time of `activate`, in milliseconds. */
  readonly activationMs: number;
  annotations(uri: vscode.Uri): AnnotationSnapshot | undefined;
  /** Resolves once the document's pending annotation run has been published. */
  whenAnnotated(uri: vscode.Uri): Promise<void>;
}

class StepGrpoExtension extends Disposable {
  readonly log = this._register(vscode.window.createOutputChannel('StepGRPO', { log: true }));
  readonly annotations: AnnotationController;

  constructor(context: vscode.ExtensionContext) {
    super();
    this.annotations = this._register(new AnnotationController(this.log));
    const preset = () => vscode.workspace.getConfiguration('stepgrpo').get<string>('reward.preset', 'stepgrpo');
    this._register(new AnnotationProviders(this.annotations, preset));
    const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '');
    for (const d of registerCommands(this.annotations, this.log, version)) this._register(d);
  }
}

export function activate(context: vscode.ExtensionContext): StepGrpoApi {
  const started = performance.now();
  const extension = new StepGrpoExtension(context);
  context.subscriptions.push(extension);
  const activationMs = performance.now() - started;
  extension.log.info(`StepGRPO Studio activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    annotations: (uri) => extension.annotations.snapshot(uri),
    whenAnnotated: (uri) => extension.annotations.whenAnalysed(uri),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
