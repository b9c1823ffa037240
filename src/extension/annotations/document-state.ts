// What the controller keeps per annotated document: the scored chains with their offsets turned
// into document ranges, ready for diagnostics, decorations, CodeLens, hover and quick fixes.
import type * as vscode from 'vscode';
import type { ScoredChain } from './engine';

export interface AnnotatedChain {
  scored: ScoredChain;
  /** Maps a chain offset (already in line columns for JSONL) to a document position. */
  line: number | null;
  /** Document range covering the chain: the whole document, or the JSONL line. */
  range: vscode.Range;
  toRange(start: number, end: number): vscode.Range;
}

export interface DocumentState {
  uri: string;
  version: number;
  kind: 'chain' | 'jsonl';
  chains: AnnotatedChain[];
  diagnostics: vscode.Diagnostic[];
  /** Milliseconds the last analysis took (engine time, excluding yields). */
  analysisMs: number;
}

/** What the test API returns: plain data, so the e2e suite can compare it exactly. */
export interface AnnotationSnapshot {
  version: number;
  kind: 'chain' | 'jsonl';
  summaries: { line: number; text: string }[];
  diagnostics: { code: string; message: string; range: [number, number, number, number]; severity: string }[];
  decorations: Record<'keyStepMatch' | 'answerCorrect' | 'answerIncorrect' | 'lineSummary', [number, number, number, number][]>;
  unmatchedKeySteps: string[][];
}
