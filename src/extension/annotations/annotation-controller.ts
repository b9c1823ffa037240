// Keeps the annotations of every open chain document up to date: debounced after edits, bounded
// (size guards, JSONL work in time slices that yield to the extension host), cancelled when a
// newer edit arrives. The reward engine is loaded on first use, never at activation.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RewardConfig } from '../../core/reward-types';
import { RUN_FILES } from '../../rundir/run-files';
import { Disposable } from '../disposable';
import { AnnotationDecorations } from './decorations';
import type { AnnotatedChain, AnnotationSnapshot, DocumentState } from './document-state';
import type { DocumentProblem } from './engine';
import { DEFAULT_ANNOTATION_SETTINGS, type AnnotationSettings, type PresetName } from './settings';
import { formatSummary, unmatchedKeySteps } from './summary';

type Engine = typeof import('./engine');

const SLICE_MS = 12;
const PRESETS: readonly PresetName[] = ['stepgrpo', 'grpo-outcome', 'r1vl-official'];
const SOURCE = 'StepGRPO';

export function readSettings(): AnnotationSettings & { enabled: boolean; debounceMs: number; languages: string[] } {
  const c = vscode.workspace.getConfiguration('stepgrpo');
  const mode = c.get<string>('reward.mode', 'preset');
  const scope = c.get<string>('reward.scope', 'preset');
  return {
    enabled: c.get<boolean>('annotations.enabled', true),
    debounceMs: Math.max(0, c.get<number>('annotations.debounceMs', 300)),
    languages: c.get<string[]>('annotations.languages', ['markdown', 'plaintext', 'jsonl']),
    preset: PRESETS.find((p) => p === c.get<string>('reward.preset')) ?? DEFAULT_ANNOTATION_SETTINGS.preset,
    mode: mode === 'robust' || mode === 'r1vl' ? mode : undefined,
    scope: scope === 'steps' || scope === 'chain' ? scope : undefined,
    maxChainLength: Math.max(1000, c.get<number>('annotations.maxChainLength', DEFAULT_ANNOTATION_SETTINGS.maxChainLength)),
  };
}

/**
 * The reward of the run a file belongs to (`rollouts.jsonl` beside the run's config.json): its chains
 * are scored as the run scored them, whatever the editor's stepgrpo.reward settings say.
 */
function runRewardConfig(engine: Engine, doc: vscode.TextDocument): RewardConfig | undefined {
  if (doc.uri.scheme !== 'file' || path.basename(doc.uri.fsPath) !== RUN_FILES.rollouts) return undefined;
  let reward: unknown;
  try {
    reward = (JSON.parse(fs.readFileSync(path.join(path.dirname(doc.uri.fsPath), RUN_FILES.config), 'utf8')) as { reward?: unknown }).reward;
  } catch {
    return undefined;
  }
  if (reward === undefined) return undefined;
  const own = engine.documentRewardConfig(reward);
  return 'config' in own ? own.config : undefined;
}

export function isJsonl(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'jsonl' || /\.jsonl$/i.test(doc.uri.path);
}

const SEVERITY: Record<DocumentProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export class AnnotationController extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('stepgrpo'));
  private readonly decorations = this._register(new AnnotationDecorations());
  private readonly states = new Map<string, DocumentState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bumped per document on every schedule; a run whose generation is stale stops at its next yield. */
  private readonly generations = new Map<string, number>();
  /** Previous JSONL results by line text, so an edit rescores only the lines it touched. */
  private readonly lineCache = new Map<string, Map<string, ReturnType<Engine['analyseJsonlLine']>>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  private readonly analysed = new Map<string, Array<() => void>>();
  private enginePromise: Promise<Engine> | undefined;
  private settings = readSettings();

  /** Fires after a document's annotations changed (CodeLens refresh, tests). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.schedule(e.document, this.settings.debounceMs)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)));
    this._register(vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.applyDecorations(e))));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('stepgrpo')) return;
        this.settings = readSettings();
        this.lineCache.clear();
        for (const doc of vscode.workspace.textDocuments) {
          this.forget(doc.uri);
          this.schedule(doc, 0);
        }
      }),
    );
    this._register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  private loadEngine(): Promise<Engine> {
    if (!this.enginePromise) {
      const started = performance.now();
      this.enginePromise = import('./engine').then((engine) => {
        this.log.info(`reward engine loaded in ${(performance.now() - started).toFixed(1)} ms`);
        return engine;
      });
    }
    return this.enginePromise;
  }

  wants(doc: vscode.TextDocument): boolean {
    if (!this.settings.enabled || doc.uri.scheme === 'output' || doc.uri.scheme === 'git') return false;
    return this.settings.languages.includes(doc.languageId) || isJsonl(doc);
  }

  state(uri: vscode.Uri): DocumentState | undefined {
    return this.states.get(uri.toString());
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.wants(doc)) return;
    const key = doc.uri.toString();
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, generation);
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.analyse(doc, generation).catch((err: unknown) => this.log.error(`annotating ${doc.uri.fsPath} failed`, err));
      }, delayMs),
    );
  }

  /** Scores a document now (the command), whatever its language, and resolves when done. */
  async analyseNow(doc: vscode.TextDocument): Promise<DocumentState | undefined> {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, generation);
    await this.analyse(doc, generation);
    return this.states.get(key);
  }

  /** Resolves once the document's pending analysis (if any) has been published. */
  whenAnalysed(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    if (!this.timers.has(key) && this.states.get(key)?.version === vscode.workspace.textDocuments.find((d) => d.uri.toString() === key)?.version) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiting = this.analysed.get(key) ?? [];
      waiting.push(resolve);
      this.analysed.set(key, waiting);
    });
  }

  private isCurrent(doc: vscode.TextDocument, generation: number, version: number): boolean {
    return !this.isDisposed && !doc.isClosed && doc.version === version && this.generations.get(doc.uri.toString()) === generation;
  }

  private async analyse(doc: vscode.TextDocument, generation: number): Promise<void> {
    const engine = await this.loadEngine();
    const version = doc.version;
    if (!this.isCurrent(doc, generation, version)) return;
    const started = performance.now();
    const state = isJsonl(doc) ? await this.analyseJsonl(engine, doc, generation, version) : this.analyseChain(engine, doc);
    if (!state || !this.isCurrent(doc, generation, version)) return;
    state.analysisMs = performance.now() - started;
    this.publish(doc, state);
  }

  private analyseChain(engine: Engine, doc: vscode.TextDocument): DocumentState {
    const result = engine.analyseChainDocument(doc.getText(), this.settings);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const toRange = (start: number, end: number) => new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    const chains: AnnotatedChain[] = result.chain ? [{ scored: result.chain, line: null, range: doc.validateRange(whole), toRange }] : [];
    const diagnostics = result.problems.map((p) => this.problemDiagnostic(p, toRange(p.start, p.end)));
    return this.withViolations({ uri: doc.uri.toString(), version: doc.version, kind: 'chain', chains, diagnostics, analysisMs: 0 });
  }

  private async analyseJsonl(engine: Engine, doc: vscode.TextDocument, generation: number, version: number): Promise<DocumentState | undefined> {
    const key = doc.uri.toString();
    const previous = this.lineCache.get(key) ?? new Map();
    const cache = new Map<string, ReturnType<Engine['analyseJsonlLine']>>();
    const config = runRewardConfig(engine, doc) ?? engine.rewardConfig(this.settings);
    const state: DocumentState = { uri: key, version, kind: 'jsonl', chains: [], diagnostics: [], analysisMs: 0 };
    let sliceStart = performance.now();
    for (let line = 0; line < doc.lineCount; line++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!this.isCurrent(doc, generation, version)) return undefined;
        sliceStart = performance.now();
      }
      const text = doc.lineAt(line).text;
      const result = cache.get(text) ?? previous.get(text) ?? engine.analyseJsonlLine(text, this.settings, config);
      cache.set(text, result);
      const toRange = (start: number, end: number) => new vscode.Range(line, start, line, end);
      for (const p of result.problems) state.diagnostics.push(this.problemDiagnostic(p, toRange(p.start, p.end)));
      if (result.chain) state.chains.push({ scored: result.chain, line, range: new vscode.Range(line, 0, line, text.length), toRange });
    }
    this.lineCache.set(key, cache);
    return this.withViolations(state);
  }

  private problemDiagnostic(p: DocumentProblem, range: vscode.Range): vscode.Diagnostic {
    const d = new vscode.Diagnostic(range, p.message, SEVERITY[p.severity]);
    d.source = SOURCE;
    d.code = p.code;
    return d;
  }

  private withViolations(state: DocumentState): DocumentState {
    for (const chain of state.chains) {
      for (const v of chain.scored.breakdown.violations) {
        const d = new vscode.Diagnostic(chain.toRange(v.start, v.end), v.message, vscode.DiagnosticSeverity.Warning);
        d.source = SOURCE;
        d.code = v.code;
        state.diagnostics.push(d);
      }
    }
    return state;
  }

  private publish(doc: vscode.TextDocument, state: DocumentState): void {
    const key = doc.uri.toString();
    this.states.set(key, state);
    this.diagnostics.set(doc.uri, state.diagnostics);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) this.applyDecorations(editor);
    this.log.debug(`annotated ${doc.uri.fsPath}: ${state.chains.length} chain(s), ${state.diagnostics.length} diagnostic(s) in ${state.analysisMs.toFixed(1)} ms`);
    this.changed.fire(doc.uri);
    const waiting = this.analysed.get(key);
    this.analysed.delete(key);
    waiting?.forEach((resolve) => resolve());
  }

  private decorationRanges(state: DocumentState) {
    const keyStepMatch: vscode.Range[] = [];
    const answerCorrect: vscode.Range[] = [];
    const answerIncorrect: vscode.Range[] = [];
    const lineSummary: vscode.DecorationOptions[] = [];
    for (const chain of state.chains) {
      const b = chain.scored.breakdown;
      for (const k of b.key_steps) for (const [s, e] of k.spans) keyStepMatch.push(chain.toRange(s, e));
      const answer = chain.scored.sections.find((s) => s.kind === 'answer');
      if (answer && chain.scored.reference.answer && answer.body.end > answer.body.start) {
        (b.answer_correct ? answerCorrect : answerIncorrect).push(chain.toRange(answer.body.start, answer.body.end));
      }
      if (chain.line !== null) {
        const end = chain.range.end;
        lineSummary.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `⟵ ${formatSummary(b, chain.scored.reference)}` } } });
      }
    }
    keyStepMatch.sort((a, b) => a.start.compareTo(b.start));
    return { keyStepMatch, answerCorrect, answerIncorrect, lineSummary };
  }

  private applyDecorations(editor: vscode.TextEditor): void {
    const state = this.states.get(editor.document.uri.toString());
    const r = state ? this.decorationRanges(state) : { keyStepMatch: [], answerCorrect: [], answerIncorrect: [], lineSummary: [] };
    editor.setDecorations(this.decorations.keyStepMatch, r.keyStepMatch);
    editor.setDecorations(this.decorations.answerCorrect, r.answerCorrect);
    editor.setDecorations(this.decorations.answerIncorrect, r.answerIncorrect);
    editor.setDecorations(this.decorations.lineSummary, r.lineSummary);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
    this.lineCache.delete(key);
    this.diagnostics.delete(uri);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** Plain-data view of a document's annotations, for the integration tests. */
  snapshot(uri: vscode.Uri): AnnotationSnapshot | undefined {
    const state = this.states.get(uri.toString());
    if (!state) return undefined;
    const tuple = (r: vscode.Range): [number, number, number, number] => [r.start.line, r.start.character, r.end.line, r.end.character];
    const r = this.decorationRanges(state);
    return {
      version: state.version,
      kind: state.kind,
      summaries: state.chains.map((c) => ({ line: c.line ?? this.summaryLine(c), text: formatSummary(c.scored.breakdown, c.scored.reference) })),
      diagnostics: state.diagnostics.map((d) => ({ code: String(d.code), message: d.message, range: tuple(d.range), severity: vscode.DiagnosticSeverity[d.severity] })),
      decorations: {
        keyStepMatch: r.keyStepMatch.map(tuple),
        answerCorrect: r.answerCorrect.map(tuple),
        answerIncorrect: r.answerIncorrect.map(tuple),
        lineSummary: r.lineSummary.map((o) => tuple(o.range)),
      },
      unmatchedKeySteps: state.chains.map((c) => unmatchedKeySteps(c.scored.breakdown)),
    };
  }

  /** The line the CodeLens sits on: the first section header, or the top. */
  summaryLine(chain: AnnotatedChain): number {
    const first = chain.scored.sections[0];
    return first ? chain.toRange(first.header.start, first.header.end).start.line : chain.range.start.line;
  }
}
