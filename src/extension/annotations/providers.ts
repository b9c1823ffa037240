// CodeLens, hover and quick fixes, all reading the controller's last published state (no scoring
// happens here, so they are instant).
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { AnnotationController } from './annotation-controller';
import type { AnnotatedChain } from './document-state';
import { formatBreakdownMarkdown, formatSummary, missingReference, unmatchedKeySteps } from './summary';

const RENUMBER_CODES = new Set(['STEP_GAP', 'STEP_DUPLICATE', 'STEP_START']);
const SELECTOR: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'plaintext' }, { language: 'jsonl' }, { pattern: '**/*.jsonl' }];

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class AnnotationProviders extends Disposable implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.CodeActionProvider {
  private readonly lensesChanged = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(
    private readonly controller: AnnotationController,
    private readonly preset: () => string,
  ) {
    super();
    this._register(controller.onDidChange(() => this.lensesChanged.fire()));
    this._register(vscode.languages.registerCodeLensProvider(SELECTOR, this));
    this._register(vscode.languages.registerHoverProvider(SELECTOR, this));
    this._register(vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const state = this.controller.state(doc.uri);
    if (!state || state.kind !== 'chain') return [];
    const lenses: vscode.CodeLens[] = [];
    for (const chain of state.chains) {
      const at = new vscode.Range(this.controller.summaryLine(chain), 0, this.controller.summaryLine(chain), 0);
      const b = chain.scored.breakdown;
      lenses.push(
        new vscode.CodeLens(at, {
          title: `StepGRPO: ${formatSummary(b, chain.scored.reference)}`,
          command: 'stepgrpo.scoreChain',
          arguments: [doc.uri],
          tooltip: 'Score again and show the breakdown',
        }),
      );
      const unmatched = unmatchedKeySteps(b);
      if (unmatched.length)
        lenses.push(new vscode.CodeLens(at, { title: truncate(`unmatched key steps: ${unmatched.join(' · ')}`, 160), command: '', tooltip: unmatched.join('\n') }));
      const missing = missingReference(chain.scored.reference, false);
      if (missing) lenses.push(new vscode.CodeLens(at, { title: truncate(missing.replace(/`/g, ''), 160), command: '' }));
    }
    return lenses;
  }

  private chainAt(doc: vscode.TextDocument, position: vscode.Position): AnnotatedChain | undefined {
    return this.controller.state(doc.uri)?.chains.find((c) => c.range.contains(position));
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const chain = this.chainAt(doc, position);
    if (!chain) return undefined;
    let range: vscode.Range | undefined;
    if (chain.line !== null) {
      range = chain.range;
    } else {
      // In a chain document, hover on a section header or a key-step match, not on every word.
      const spans = [...chain.scored.sections.map((s) => [s.header.start, s.header.end] as const), ...chain.scored.breakdown.key_steps.flatMap((k) => k.spans)];
      range = spans.map(([s, e]) => chain.toRange(s, e)).find((r) => r.contains(position));
    }
    if (!range) return undefined;
    const markdown = formatBreakdownMarkdown(chain.scored.breakdown, {
      preset: this.preset(),
      referenceSource: chain.scored.referenceSource,
      reference: chain.scored.reference,
      jsonl: chain.line !== null,
    });
    return new vscode.Hover(new vscode.MarkdownString(markdown), range);
  }

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === 'StepGRPO' && RENUMBER_CODES.has(String(d.code)));
    if (!ours.length) return [];
    const chain = this.chainAt(doc, range.start);
    if (!chain || chain.scored.renumber.length === 0) return [];
    const n = chain.scored.sections.filter((s) => s.kind === 'step').length;
    const action = new vscode.CodeAction(`Renumber steps 1…${n}`, vscode.CodeActionKind.QuickFix);
    action.diagnostics = ours;
    action.isPreferred = true;
    action.edit = new vscode.WorkspaceEdit();
    for (const e of chain.scored.renumber) action.edit.replace(doc.uri, chain.toRange(e.start, e.end), e.text);
    return [action];
  }
}
