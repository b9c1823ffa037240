// The text a tokenizer is fitted on: every prompt and reference solution of the training split
// (never the held-out split, so evaluation text stays unseen), without loading any image.
import { writeFileSync } from 'node:fs';
import type { TaskSource } from './example';

export function* corpusDocuments(source: TaskSource): Generator<string> {
  for (let i = 0; i < source.trainSize; i++) {
    const { prompt, solution } = source.trainTextAt(i);
    yield prompt;
    yield solution;
  }
}

/** Writes the corpus as JSON Lines, `{"text": …}` per document (texts may hold newlines); returns the document count. */
export function writeCorpus(source: TaskSource, file: string): number {
  const lines: string[] = [];
  for (const text of corpusDocuments(source)) lines.push(JSON.stringify({ text }));
  writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
