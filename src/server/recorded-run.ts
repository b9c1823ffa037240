// Checks a recorded run directory the way a reader sees it after any stop, kill -9 included: every
// complete line of rollouts.jsonl must be a valid event; only the last line may be incomplete (a
// write cut by the kill), and it is skipped with a note. Counts the chains recorded.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describeIssue } from '../protocol/schema';
import { parseTrainerEvent } from '../protocol/trainer-messages';
import { RECORDING_FILES } from './run-recorder';

export interface RecordedRunCheck {
  chains: number;
  steps: number[];
  /** Complete lines that are not valid events, as `rollouts.jsonl:LINE: why`. */
  invalid: string[];
  /** Bytes after the last newline (an incomplete last line), 0 when none. */
  tornBytes: number;
  note?: string;
}

export async function checkRecordedRun(dir: string): Promise<RecordedRunCheck> {
  const text = await fs.readFile(path.join(dir, RECORDING_FILES.rollouts), 'utf8');
  const end = text.lastIndexOf('\n');
  const complete = end < 0 ? [] : text.slice(0, end).split('\n');
  const tornBytes = Buffer.byteLength(text.slice(end + 1));
  const check: RecordedRunCheck = { chains: 0, steps: [], invalid: [], tornBytes };
  const steps = new Set<number>();
  complete.forEach((line, i) => {
    if (!line.trim()) return;
    const parsed = parseTrainerEvent(line);
    if (!parsed.ok) check.invalid.push(`${RECORDING_FILES.rollouts}:${i + 1}: ${describeIssue(parsed.issue)}`);
    else if (parsed.value.type === 'rollouts') {
      steps.add(parsed.value.step);
      for (const g of parsed.value.groups) check.chains += g.samples.length;
    }
  });
  check.steps = [...steps].sort((a, b) => a - b);
  if (tornBytes) check.note = `${RECORDING_FILES.rollouts}:${complete.length + 1}: the last line is incomplete (${tornBytes} bytes, cut off by a killed process); skipped`;
  return check;
}
