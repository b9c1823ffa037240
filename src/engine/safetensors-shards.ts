// Hugging Face checkpoint layout: one model.safetensors, or shards listed by
// model.safetensors.index.json ({"metadata": {"total_size": N}, "weight_map": {tensor: shard file}}).
// Reading remembers each tensor's file and dtype, so a trained model writes back in the layout read.
// Pure: the caller opens files (ByteSource) and writes the planned ones.
import {
  type ByteSource,
  type SafeDType,
  type SafeTensor,
  type SafeTensorInput,
  type SafetensorsFile,
  SAFE_DTYPE_BYTES,
  encodeSafetensorsParts,
  readSafetensors,
} from './safetensors';
import { numel } from './tensor';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface ShardIndex {
  /** The index's metadata without total_size, which a write recomputes. */
  metadata: Record<string, unknown>;
  /** Tensor name → shard file name (in the index's folder). */
  weightMap: Map<string, string>;
}

export interface SafetensorsLayout {
  /** Present when the model is sharded: the index's file name and its metadata (total_size aside). */
  index?: { file: string; metadata: Record<string, unknown> };
  /** Per tensor: the file that holds it and the dtype it is stored in. */
  tensors: Map<string, { file: string; dtype: SafeDType }>;
  /** Each file's __metadata__, written back unchanged. */
  fileMetadata: Map<string, Record<string, string>>;
}

export interface SafetensorsModel {
  tensors: Map<string, SafeTensor>;
  layout: SafetensorsLayout;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Shard names come from a downloaded file and are joined to a folder: plain names only.
const isPlainFileName = (f: unknown): f is string => typeof f === 'string' && f !== '' && f !== '.' && f !== '..' && !/[/\\]/.test(f);

/** Validates an index file's text; `source` (its path) names it in errors. */
export function parseShardIndex(text: string, source: string): ShardIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw)) throw new Error(`${source}: expected a JSON object with 'weight_map'`);
  if (!isRecord(raw.weight_map)) throw new Error(`${source}: field 'weight_map' is missing or not an object ({tensor name: shard file})`);
  if (raw.metadata !== undefined && !isRecord(raw.metadata)) throw new Error(`${source}: field 'metadata' is not an object`);
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(raw.weight_map)) {
    if (!isPlainFileName(file)) throw new Error(`${source}: weight_map['${name}'] is ${JSON.stringify(file)}, not a file name in the index's folder`);
    weightMap.set(name, file);
  }
  if (!weightMap.size) throw new Error(`${source}: field 'weight_map' lists no tensors`);
  const { total_size: _total, ...metadata } = (raw.metadata ?? {}) as Record<string, unknown>;
  return { metadata, weightMap };
}

/**
 * Reads every shard of `index` and checks it against the index both ways. `openShard` returns
 * undefined for a file that is not there; `source` is the index's path, shard paths are taken as
 * siblings of it in messages.
 */
export function readShardedModel(index: ShardIndex, source: string, openShard: (file: string) => ByteSource | undefined): SafetensorsModel {
  const folder = source.replace(/[^/\\]*$/, '');
  const fileName = source.slice(folder.length);
  const listed = new Map<string, string[]>();
  for (const [name, file] of index.weightMap) {
    const names = listed.get(file) ?? [];
    names.push(name);
    listed.set(file, names);
  }
  const model: SafetensorsModel = { tensors: new Map(), layout: { index: { file: fileName, metadata: index.metadata }, tensors: new Map(), fileMetadata: new Map() } };
  // Every shard is opened before any is read: a missing one fails before gigabytes are decoded.
  const shards = [...listed]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([file, names]) => {
      const shardFile = openShard(file);
      const others = names.length > 1 ? ` and ${names.length - 1} more` : '';
      if (!shardFile) throw new Error(`${source}: tensor '${names[0]}'${others} is in shard '${file}', which is missing`);
      return { file, names, shardFile };
    });
  for (const { file, names, shardFile } of shards) {
    const shardSource = folder + file;
    const shard = readSafetensors(shardFile, shardSource);
    for (const name of names) {
      if (!shard.tensors.has(name)) throw new Error(`${source}: tensor '${name}' is listed in shard '${file}', which does not hold it`);
    }
    for (const [name, t] of shard.tensors) {
      const expected = index.weightMap.get(name);
      if (expected === undefined) throw new Error(`${shardSource}: tensor '${name}' is not listed in ${source}`);
      if (expected !== file) throw new Error(`${shardSource}: tensor '${name}' is listed in ${source} under shard '${expected}'`);
      model.tensors.set(name, t);
      model.layout.tensors.set(name, { file, dtype: t.dtype });
    }
    model.layout.fileMetadata.set(file, shard.metadata);
  }
  return model;
}

/** The layout of an unsharded file, so it writes back as one file under the same name. */
export function singleFileModel(file: string, decoded: SafetensorsFile<SafeTensor>): SafetensorsModel {
  const tensors = new Map([...decoded.tensors].map(([name, t]) => [name, { file, dtype: t.dtype }]));
  return { tensors: decoded.tensors, layout: { tensors, fileMetadata: new Map([[file, decoded.metadata]]) } };
}

/**
 * The files that store `tensors` in `layout`: each shard as pieces (see encodeSafetensorsParts),
 * then the index (total_size = the sum of tensor bytes, as HF writes it). Float32 data narrows to a
 * layout's F16/BF16; raw 16-bit data must say which of the two it is. The index comes last, so a
 * caller writing in order never publishes an index before its shards.
 */
export function planSafetensorsWrite(tensors: ReadonlyMap<string, SafeTensorInput>, layout: SafetensorsLayout): Map<string, Uint8Array[]> {
  const where = layout.index?.file ?? [...layout.fileMetadata.keys()].join(', ');
  const byFile = new Map<string, Map<string, SafeTensorInput>>();
  let totalSize = 0;
  for (const [name, t] of tensors) {
    const place = layout.tensors.get(name);
    if (!place) throw new Error(`${where}: tensor '${name}' has no place in the layout it is written with`);
    if (t.data instanceof Uint16Array && t.dtype !== place.dtype)
      throw new Error(`${where}: tensor '${name}' holds raw ${t.dtype ?? '16-bit'} data, the layout stores it as ${place.dtype}`);
    const group = byFile.get(place.file) ?? new Map<string, SafeTensorInput>();
    group.set(name, { shape: t.shape, data: t.data, dtype: place.dtype });
    byFile.set(place.file, group);
    totalSize += numel(t.shape) * SAFE_DTYPE_BYTES[place.dtype];
  }
  for (const name of layout.tensors.keys()) {
    if (!tensors.has(name)) throw new Error(`${where}: tensor '${name}' of the layout is missing from the tensors to write`);
  }
  const files = new Map<string, Uint8Array[]>();
  for (const [file, group] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) files.set(file, encodeSafetensorsParts(group, layout.fileMetadata.get(file)));
  if (layout.index) {
    const weightMap = Object.fromEntries([...layout.tensors].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, p]) => [name, p.file]));
    const text = `${JSON.stringify({ metadata: { ...layout.index.metadata, total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`;
    files.set(layout.index.file, [new TextEncoder().encode(text)]);
  }
  return files;
}
