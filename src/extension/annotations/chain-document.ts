// A Markdown or plain-text document holding one chain, with its reference in YAML front matter
// or in an HTML comment block (`<!-- stepgrpo: {...} -->`, JSON or YAML inside).
import YAML from 'yaml';
import type { RewardReference } from '../../core/reward-types';
import { describe, readReferenceFields } from '../../core/record-fields';

export interface SpanProblem {
  message: string;
  start: number;
  end: number;
}

export interface ChainDocument {
  /**
   * The document with the reference blocks blanked to spaces (newlines kept), so chain offsets are
   * document offsets and the blocks never count as chain content.
   */
  chainText: string;
  reference: RewardReference;
  /** Where the reference came from, for the hover; null when the document has none. */
  referenceSource: 'front matter' | 'comment' | null;
  /**
   * `reward_config` as written (a preset name or the settings of a run's config.json `reward`):
   * a chain opened from a run is scored with that run's reward, not the editor's setting.
   */
  rewardConfig?: { value: unknown; start: number; end: number };
  problems: SpanProblem[];
}

const FRONT_MATTER_OPEN = /^\ufeff?---[ \t]*\r?\n/;
const FRONT_MATTER_CLOSE = /^(?:---|\.\.\.)[ \t]*$/m;
const COMMENT_BLOCK = /<!--\s*stepgrpo\b\s*:?([\s\S]*?)-->/g;

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

interface Block {
  start: number;
  end: number;
  bodyStart: number;
  body: string;
  where: 'front matter' | 'comment';
}

function findFrontMatter(text: string, problems: SpanProblem[]): Block | undefined {
  const open = FRONT_MATTER_OPEN.exec(text);
  if (!open) return undefined;
  const bodyStart = open[0].length;
  const close = FRONT_MATTER_CLOSE.exec(text.slice(bodyStart));
  if (!close) {
    problems.push({ message: 'Front matter opens with `---` on line 1 but is never closed with `---`; the reference in it is ignored.', start: 0, end: open[0].trimEnd().length });
    return undefined;
  }
  const bodyEnd = bodyStart + close.index;
  return { start: 0, end: bodyEnd + close[0].length, bodyStart, body: text.slice(bodyStart, bodyEnd), where: 'front matter' };
}

function findComments(text: string): Block[] {
  const blocks: Block[] = [];
  for (const m of text.matchAll(COMMENT_BLOCK)) {
    const body = m[1] ?? '';
    const bodyStart = m.index + m[0].length - 3 - body.length;
    blocks.push({ start: m.index, end: m.index + m[0].length, bodyStart, body, where: 'comment' });
  }
  return blocks;
}

function readBlock(block: Block, problems: SpanProblem[]): { reference: RewardReference; rewardConfig: unknown } | undefined {
  const where = block.where === 'front matter' ? 'Front matter' : 'stepgrpo comment';
  let value: unknown;
  try {
    value = YAML.parse(block.body, { prettyErrors: false });
  } catch (err) {
    const pos = (err as { pos?: [number, number] }).pos;
    const start = pos ? block.bodyStart + pos[0] : block.start;
    const end = pos ? Math.max(start + 1, block.bodyStart + pos[1]) : block.end;
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    problems.push({ message: `${where} is not valid YAML: ${reason}. The reference in it is ignored.`, start, end: Math.min(end, block.end) });
    return undefined;
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ message: `${where} must be a mapping with \`answer\` and/or \`key_steps\`, not ${describe(value)}.`, start: block.start, end: block.end });
    return undefined;
  }
  const { reference, problems: fieldProblems } = readReferenceFields(value as Record<string, unknown>, where);
  for (const p of fieldProblems) {
    const at = fieldPosition(block, p.field);
    problems.push({ message: p.message, start: at.start, end: at.end });
  }
  return { reference, rewardConfig: (value as Record<string, unknown>)['reward_config'] };
}

/** The line of `field:` inside the block, or the whole block when it cannot be found. */
function fieldPosition(block: Block, field: string): { start: number; end: number } {
  const name = field.replace(/^reference\./, '');
  const m = new RegExp(`(^|[\\s{,"'])${name}["']?\\s*:`, 'm').exec(block.body);
  if (!m) return { start: block.start, end: block.end };
  const start = block.bodyStart + m.index + m[1]!.length;
  const lineEnd = block.body.indexOf('\n', m.index + m[0].length);
  return { start, end: lineEnd === -1 ? block.bodyStart + block.body.length : block.bodyStart + lineEnd };
}

export function readChainDocument(text: string): ChainDocument {
  const problems: SpanProblem[] = [];
  let chainText = text;
  const reference: RewardReference = {};
  let referenceSource: ChainDocument['referenceSource'] = null;

  let rewardConfig: ChainDocument['rewardConfig'];
  const blocks: Block[] = [];
  const front = findFrontMatter(text, problems);
  if (front) blocks.push(front);
  blocks.push(...findComments(text));

  for (const block of blocks) {
    chainText = blank(chainText, block.start, block.end);
    const read = readBlock(block, problems);
    if (!read) continue;
    Object.assign(reference, read.reference);
    if (Object.keys(read.reference).length > 0) referenceSource ??= block.where;
    if (read.rewardConfig !== undefined && read.rewardConfig !== null) rewardConfig ??= { value: read.rewardConfig, ...fieldPosition(block, 'reward_config') };
  }
  return { chainText, reference, referenceSource, ...(rewardConfig ? { rewardConfig } : {}), problems };
}
