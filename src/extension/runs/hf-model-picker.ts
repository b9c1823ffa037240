// "A Hugging Face model…" in Start StepGRPO Run: pick a model from the local Hugging Face cache (as
// `stepgrpo models --json` lists it, so the extension host never parses model files) or browse for
// a folder, then write a run config for it that the user can see and edit.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { HF_STARTER_CONFIG } from '../../protocol/run-presets';

interface CachedModel {
  id: string;
  revision: string;
  dir: string;
  architecture: string;
  problem: string | null;
}

/** The cache listing from the CLI; an empty list (logged) when it cannot run. */
function cachedModels(cliJs: string, log: vscode.LogOutputChannel): Promise<CachedModel[]> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliJs, 'models', '--json'], { timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout) => {
      if (err) {
        log.warn(`could not list the Hugging Face cache: ${err.message}`);
        resolve([]);
        return;
      }
      try {
        resolve(JSON.parse(stdout) as CachedModel[]);
      } catch (e) {
        log.warn(`stepgrpo models --json printed no JSON: ${(e as Error).message}`);
        resolve([]);
      }
    });
  });
}

/** Asks for a model; returns `model.hf` (a cache id or a folder) or undefined when cancelled. */
export async function pickHfModel(cliJs: string, log: vscode.LogOutputChannel): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { spec?: string };
  const models = await cachedModels(cliJs, log);
  const items: Item[] = [
    ...models.map((m) => ({
      label: `$(database) ${m.id}${m.revision === 'main' ? '' : `@${m.revision}`}`,
      description: m.problem ? `cannot load: ${m.problem}` : m.architecture,
      detail: m.dir,
      ...(m.problem ? {} : { spec: m.revision === 'main' ? m.id : `${m.id}@${m.revision}` }),
    })),
    ...(models.length ? [{ label: '', kind: vscode.QuickPickItemKind.Separator }] : []),
    { label: '$(folder-opened) Browse for a model folder…', detail: 'A folder with config.json, *.safetensors and tokenizer.json (Llama, Qwen2, Qwen3, SmolLM2).' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Start StepGRPO Run: a Hugging Face model',
    placeHolder: models.length ? 'A model from the Hugging Face cache, or a folder' : 'No model in the Hugging Face cache: browse for a folder',
  });
  if (!picked) return undefined;
  if (picked.spec) return picked.spec;
  if (picked.description?.startsWith('cannot load')) {
    void vscode.window.showErrorMessage(`StepGRPO: ${picked.label.replace('$(database) ', '')} ${picked.description}.`);
    return undefined;
  }
  const chosen = await vscode.window.showOpenDialog({ title: 'Hugging Face model folder', canSelectFiles: false, canSelectFolders: true, canSelectMany: false });
  return chosen?.[0]?.fsPath;
}

/**
 * Writes `<root>/.stepgrpo/configs/<model>.stepgrpo.json` (a new name when one exists) and returns
 * its path. With `budget` false only the model and the task are written, and a preset sets the steps.
 */
export function writeHfRunConfig(root: string, spec: string, budget = true): string {
  const dir = path.join(root, '.stepgrpo', 'configs');
  fs.mkdirSync(dir, { recursive: true });
  const slug = path.basename(spec.replace(/@.*$/, '')).replace(/[^A-Za-z0-9._-]+/g, '-') || 'hf-model';
  let file = path.join(dir, `${slug}.stepgrpo.json`);
  for (let k = 2; fs.existsSync(file); k++) file = path.join(dir, `${slug}-${k}.stepgrpo.json`);
  const model = { hf: spec, ...HF_STARTER_CONFIG.model };
  const config = budget ? { ...HF_STARTER_CONFIG, model } : { model, data: HF_STARTER_CONFIG.data };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
