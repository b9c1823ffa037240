// The rollouts of one run, by RL step, as its folder's events (and a live trainer's) bring them.
// Free of `vscode` so it is unit-tested directly.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RolloutGroup } from '../../protocol/trainer-messages';

const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

/** A prompt of the run: its id, its text, and the steps that sampled it. */
export interface PromptEntry {
  promptId: string;
  prompt: string;
  steps: number;
}

export class RolloutStore {
  private readonly byStep = new Map<number, RolloutGroup[]>();
  /** Every group of a prompt, by promptId, in the order added: a prompt's history without a scan. */
  private readonly byPrompt = new Map<string, { step: number; group: RolloutGroup }[]>();

  /** Steps with rollouts, ascending. */
  steps(): number[] {
    return [...this.byStep.keys()].sort((a, b) => a - b);
  }

  latest(): number | undefined {
    return this.steps().at(-1);
  }

  groups(step: number): RolloutGroup[] {
    return this.byStep.get(step) ?? [];
  }

  chainCount(step: number): number {
    return this.groups(step).reduce((a, g) => a + g.samples.length, 0);
  }

  /**
   * Adds one `rollouts` event. A step already present is kept as it is: the trainer emits one
   * event per step, and a live event may also have been read back from the folder. A `partial`
   * event (a recording reward server's) adds its samples to the step's groups instead.
   */
  add(step: number, groups: RolloutGroup[], partial = false): boolean {
    const existing = this.byStep.get(step);
    if (existing && !partial) return false;
    if (!existing) {
      const added = partial ? groups.map((g) => ({ ...g, samples: [...g.samples] })) : groups;
      this.byStep.set(step, added);
      for (const g of added) this.index(step, g);
      return true;
    }
    for (const g of groups) {
      const same = existing.find((e) => e.promptId === g.promptId);
      if (same) same.samples.push(...g.samples);
      else {
        const copy = { ...g, samples: [...g.samples] };
        existing.push(copy);
        this.index(step, copy);
      }
    }
    return true;
  }

  /** The groups of one prompt across every step, ascending by step, with their index in the step. */
  history(promptId: string): { step: number; index: number; group: RolloutGroup }[] {
    return [...(this.byPrompt.get(promptId) ?? [])].sort((a, b) => a.step - b.step).map(({ step, group }) => ({ step, index: this.groups(step).indexOf(group), group }));
  }

  /** Every prompt of the run, most sampled first. */
  prompts(): PromptEntry[] {
    return [...this.byPrompt.entries()]
      .map(([promptId, groups]) => ({ promptId, prompt: groups[0]!.group.prompt, steps: new Set(groups.map((g) => g.step)).size }))
      .sort((a, b) => b.steps - a.steps || a.promptId.localeCompare(b.promptId));
  }

  private index(step: number, group: RolloutGroup): void {
    const list = this.byPrompt.get(group.promptId);
    if (list) list.push({ step, group });
    else this.byPrompt.set(group.promptId, [{ step, group }]);
  }
}

/**
 * Groups whose image is a file path get it inlined as a data URI: the webview may only load from
 * the extension's dist/ folder. Relative paths are relative to the run folder; a missing, unknown
 * or oversized image is dropped (the group is still shown).
 */
export async function inlineImages(groups: RolloutGroup[], runDir: string, cache: Map<string, string | null>): Promise<RolloutGroup[]> {
  return Promise.all(
    groups.map(async (g) => {
      if (!g.image || !('path' in g.image)) return g;
      const file = path.resolve(runDir, g.image.path);
      if (!cache.has(file)) cache.set(file, await readImage(file));
      const dataUri = cache.get(file);
      const { image: _dropped, ...rest } = g;
      return dataUri ? { ...rest, image: { dataUri } } : rest;
    }),
  );
}

async function readImage(file: string): Promise<string | null> {
  const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
  if (!type) return null;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_IMAGE_BYTES) return null;
    return `data:${type};base64,${(await fs.readFile(file)).toString('base64')}`;
  } catch {
    return null;
  }
}
