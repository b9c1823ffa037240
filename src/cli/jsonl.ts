// Line-by-line JSONL reading with 1-based line numbers (blank lines skipped), from a file or stdin.
import fs from 'node:fs';
import readline from 'node:readline';

export interface JsonlLine {
  line: number;
  raw: string;
}

export async function* readJsonlLines(path: string): AsyncGenerator<JsonlLine> {
  const input = path === '-' ? process.stdin : fs.createReadStream(path, { encoding: 'utf8' });
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    if (raw.trim().length === 0) continue;
    yield { line, raw };
  }
}

/** Opens the output: a file (created or truncated) or stdout for `-` / absent. */
export function openOutput(path: string | undefined, stdout: NodeJS.WritableStream): { stream: NodeJS.WritableStream; close(): Promise<void> } {
  if (path === undefined || path === '-') return { stream: stdout, close: async () => {} };
  const stream = fs.createWriteStream(path, { encoding: 'utf8' });
  return {
    stream,
    close: () => new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
