// The annotation decoration types, created once for the extension's lifetime. Colours are theme
// colours declared in package.json `contributes.colors`.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';

export class AnnotationDecorations extends Disposable {
  readonly keyStepMatch = this._register(
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('stepgrpo.keyStepMatchBackground'),
      border: '1px solid',
      borderColor: new vscode.ThemeColor('stepgrpo.keyStepMatchBorder'),
      borderRadius: '2px',
      overviewRulerColor: new vscode.ThemeColor('stepgrpo.keyStepMatchBorder'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );

  readonly answerCorrect = this._register(
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('stepgrpo.answerCorrectBackground'),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );

  readonly answerIncorrect = this._register(
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('stepgrpo.answerIncorrectBackground'),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );

  /** End-of-line reward summary on JSONL lines; each range carries its own text. */
  readonly lineSummary = this._register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('stepgrpo.summaryForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
    }),
  );
}
