// Where a Hugging Face model lives on this machine, and what its folder says: a local folder, or a
// model id (`org/name`, `org/name@revision`) found in the Hugging Face cache that huggingface_hub
// fills (`models--org--name/refs/<rev>` → `snapshots/<sha>/`). Never touches the network: a model
// that is not here is an error that says how to get it. Weights are read elsewhere
// (safetensors-files.ts); this reads config.json, the tokenizer, the chat template and
// generation_config.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readChatTemplate, type ChatTemplateSpec } from '../model/hf/chat-template';
import { HF_ARCHITECTURES, parseHfConfig, type HfArchitecture, type HfDecoderConfig } from '../model/hf/config';
import { endOfSequenceIds, generationDefaults, parseGenerationConfig, type HfGenerationDefaults } from '../model/hf/generation-config';
import { HfTokenizer } from '../model/hf/tokenizer';

export class HfFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HfFolderError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const expandHome = (p: string, env: Env): string => (p === '~' || p.startsWith('~/') ? path.join(env.HOME || os.homedir(), p.slice(1)) : p);

/** The hub cache folder and the setting that chose it, as huggingface_hub picks it. */
export function hfHubCache(env: Env = process.env): { dir: string; from: string } {
  const set = (name: string): string | undefined => (env[name] ? expandHome(env[name]!, env) : undefined);
  if (set('HF_HUB_CACHE')) return { dir: set('HF_HUB_CACHE')!, from: 'HF_HUB_CACHE' };
  if (set('HUGGINGFACE_HUB_CACHE')) return { dir: set('HUGGINGFACE_HUB_CACHE')!, from: 'HUGGINGFACE_HUB_CACHE' };
  if (set('HF_HOME')) return { dir: path.join(set('HF_HOME')!, 'hub'), from: 'HF_HOME' };
  if (set('XDG_CACHE_HOME')) return { dir: path.join(set('XDG_CACHE_HOME')!, 'huggingface', 'hub'), from: 'XDG_CACHE_HOME' };
  return { dir: path.join(env.HOME || os.homedir(), '.cache', 'huggingface', 'hub'), from: 'the default' };
}

/** `org/name` or `org/name@revision` (a branch, tag or commit); null when `spec` is not shaped like a model id. */
export function parseModelId(spec: string): { id: string; revision: string } | null {
  const m = /^([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)(?:@([\w./-]+))?$/.exec(spec);
  return m ? { id: m[1]!, revision: m[2] ?? 'main' } : null;
}

const repoFolderName = (id: string): string => `models--${id.split('/').join('--')}`;
const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The snapshot folder of a cached model's revision (a commit sha, or a ref such as main). */
function cachedSnapshot(cache: string, id: string, revision: string): string {
  const repo = path.join(cache, repoFolderName(id));
  const download = `download it with \`huggingface-cli download ${id}${revision === 'main' ? '' : ` --revision ${revision}`}\` or pass a folder`;
  if (!isDir(repo)) throw new HfFolderError(`${id} is not in the Hugging Face cache at ${cache} (no ${repo}); ${download}`);
  let sha = revision;
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    const ref = path.join(repo, 'refs', revision);
    try {
      sha = fs.readFileSync(ref, 'utf8').trim();
    } catch {
      const refs = listRefs(path.join(repo, 'refs'));
      throw new HfFolderError(
        `${id} has no revision "${revision}" in the Hugging Face cache (no ${ref}${refs.length ? `; cached: ${refs.join(', ')}` : ''}); ${download}, or name a cached revision as ${id}@<revision>`,
      );
    }
  }
  const snapshot = path.join(repo, 'snapshots', sha);
  if (!isDir(snapshot)) throw new HfFolderError(`${id}@${revision}: the cache has no snapshot ${snapshot}; ${download}`);
  return snapshot;
}

function listRefs(dir: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listRefs(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}

/**
 * The folder of a model: `spec` as a folder when one exists there (or it looks like a path), else a
 * model id looked up in the Hugging Face cache. Offline; the error says where it looked and what to do.
 */
export function resolveHfModel(spec: string, env: Env = process.env): string {
  const trimmed = spec.trim();
  if (trimmed === '') throw new HfFolderError('no model given: pass a model folder or a Hugging Face model id such as Qwen/Qwen3-0.6B');
  const local = path.resolve(expandHome(trimmed, env));
  if (isDir(local)) return local;
  const parsed = parseModelId(trimmed);
  if (!parsed) {
    if (fs.existsSync(local)) throw new HfFolderError(`${local} is a file; pass the model's folder (the one holding config.json)`);
    throw new HfFolderError(`model folder ${local} does not exist (and ${JSON.stringify(trimmed)} is not a model id like org/name)`);
  }
  const { dir: cache, from } = hfHubCache(env);
  try {
    return cachedSnapshot(cache, parsed.id, parsed.revision);
  } catch (e) {
    if (!(e instanceof HfFolderError)) throw e;
    throw new HfFolderError(`${e.message} (cache chosen by ${from}; no folder ${local} either)`);
  }
}

export interface CachedHfModel {
  /** `org/name` as the hub names it. */
  id: string;
  /** The ref the snapshot came from (main), or the snapshot's sha when there is no ref. */
  revision: string;
  dir: string;
  architecture: HfArchitecture;
  /** Why this model cannot be trained here (parseHfConfig's refusal), or null. */
  problem: string | null;
}

/** Models in the Hugging Face cache whose config.json names a supported model_type, by id (for a picker). */
export function listCachedHfModels(env: Env = process.env): CachedHfModel[] {
  const { dir: cache } = hfHubCache(env);
  let repos: string[];
  try {
    repos = fs.readdirSync(cache).filter((n) => n.startsWith('models--'));
  } catch {
    return [];
  }
  const out: CachedHfModel[] = [];
  for (const name of repos) {
    const id = name.slice('models--'.length).split('--').join('/');
    const repo = path.join(cache, name);
    let revision = 'main';
    let dir: string;
    try {
      dir = cachedSnapshot(cache, id, 'main');
    } catch {
      // No refs/main (downloaded by commit): the newest snapshot.
      const snaps = readdirOrEmpty(path.join(repo, 'snapshots'))
        .map((s) => path.join(repo, 'snapshots', s))
        .filter(isDir)
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
      if (snaps.length === 0) continue;
      dir = snaps[0]!;
      revision = path.basename(dir);
    }
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    } catch {
      continue;
    }
    const type = (json as { model_type?: unknown } | null)?.model_type;
    if (!HF_ARCHITECTURES.includes(type as HfArchitecture)) continue;
    let problem: string | null = null;
    try {
      parseHfConfig(json, path.join(dir, 'config.json'));
    } catch (e) {
      problem = (e as Error).message;
    }
    out.push({ id, revision, dir, architecture: type as HfArchitecture, problem });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export interface HfFolder {
  dir: string;
  config: HfDecoderConfig;
  tokenizer: HfTokenizer;
  /** chat_template.jinja if the folder has one, else tokenizer_config.json's chat_template, else null. */
  chatTemplate: ChatTemplateSpec | null;
  /** The file the template came from (or would have): for renderChat's `source`. */
  chatTemplateSource: string;
  /** config.json's and generation_config.json's eos ids; the tokenizer's eos_token when neither has any. */
  eosTokenIds: number[];
  /** Sampling values generation_config.json recommends (empty without the file). */
  generation: HfGenerationDefaults;
}

/** The JSON of `file`; null when it is absent and optional. Errors name the file. */
function readJson(file: string, required: string | null): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && required === null) return null;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HfFolderError(`${file} is missing: ${required}`);
    throw new HfFolderError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HfFolderError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A model folder's config.json, checked, without the tokenizer's seconds-long parse. */
export function readHfConfig(dir: string): HfDecoderConfig {
  if (!isDir(dir)) throw new HfFolderError(`model folder ${dir} does not exist`);
  const file = path.join(dir, 'config.json');
  return parseHfConfig(readJson(file, 'a Hugging Face model folder has a config.json'), file);
}

/**
 * Everything but the weights of a model folder, checked. A missing or malformed file is an error
 * naming it: HfFolderError, or the parser's own (HfConfigError, HfTokenizerError, ChatTemplateError).
 * tokenizer_config.json and generation_config.json may be absent.
 */
export function loadHfFolder(dir: string): HfFolder {
  const config = readHfConfig(dir);
  const file = (name: string): string => path.join(dir, name);
  // The small files first: a mistake there is reported before the tokenizer's seconds-long parse.
  const genJson = readJson(file('generation_config.json'), null);
  const generation = genJson === null ? null : parseGenerationConfig(genJson, file('generation_config.json'));
  const tokenizerJson = readJson(
    file('tokenizer.json'),
    "the fast tokenizer's tokenizer.json is needed (folders with only tokenizer.model or vocab.json + merges.txt are not supported)",
  );
  const tokenizerConfig = readJson(file('tokenizer_config.json'), null) ?? {};
  let chatTemplate: ChatTemplateSpec | null;
  let chatTemplateSource = file('tokenizer_config.json');
  const jinja = file('chat_template.jinja');
  if (fs.existsSync(jinja)) {
    chatTemplate = fs.readFileSync(jinja, 'utf8');
    chatTemplateSource = jinja;
  } else {
    chatTemplate = readChatTemplate((tokenizerConfig as Record<string, unknown>).chat_template, file('tokenizer_config.json'));
  }

  const tokenizer = new HfTokenizer(tokenizerJson, tokenizerConfig, { tokenizer: file('tokenizer.json'), config: file('tokenizer_config.json') });
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new HfFolderError(
      `${file('tokenizer.json')} has ${tokenizer.vocabSize} tokens but ${file('config.json')} vocab_size is ${config.vocabSize}: they are not the same model's`,
    );
  }

  let eosTokenIds = endOfSequenceIds(config, generation);
  if (eosTokenIds.length === 0 && tokenizer.eos !== null) eosTokenIds = [tokenizer.eos];
  if (eosTokenIds.length === 0) {
    throw new HfFolderError(`${dir}: no end-of-sequence token: config.json and generation_config.json have no eos_token_id and tokenizer_config.json no eos_token`);
  }
  const outside = eosTokenIds.find((id) => id >= config.vocabSize);
  if (outside !== undefined) throw new HfFolderError(`${dir}: eos_token_id ${outside} is outside config.json's vocab_size ${config.vocabSize}`);
  return { dir, config, tokenizer, chatTemplate, chatTemplateSource, eosTokenIds, generation: generationDefaults(generation) };
}
