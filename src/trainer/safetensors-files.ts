// A Hugging Face safetensors model on disk, single file or sharded (engine/safetensors-shards.ts
// does the parsing and planning). Files are read a range at a time, because Node 20 caps
// readFileSync at 2 GiB and a typed array at 4 GiB, while HF shards reach 5 GB.
import fs from 'node:fs';
import path from 'node:path';
import {
  type ByteSource,
  INDEX_FILE,
  SINGLE_FILE,
  type SafeTensorInput,
  type SafetensorsLayout,
  type SafetensorsModel,
  parseShardIndex,
  planSafetensorsWrite,
  readSafetensors,
  readShardedModel,
  singleFileModel,
} from '../engine';

// Below the 2 GiB a single read or write call accepts.
const IO_CHUNK = 1 << 30;

function fileSource(file: string): ByteSource {
  return {
    size: fs.statSync(file).size,
    read(offset, length) {
      const out = new Uint8Array(length);
      const fd = fs.openSync(file, 'r');
      try {
        for (let done = 0; done < length;) {
          const n = fs.readSync(fd, out, done, Math.min(IO_CHUNK, length - done), offset + done);
          if (n === 0) throw new Error(`${file}: ended at byte ${offset + done}, expected ${length - done} more`);
          done += n;
        }
      } finally {
        fs.closeSync(fd);
      }
      return out;
    },
  };
}

function readSharded(indexFile: string): SafetensorsModel {
  const index = parseShardIndex(fs.readFileSync(indexFile, 'utf8'), indexFile);
  const folder = path.dirname(indexFile);
  return readShardedModel(index, indexFile, (file) => {
    const shard = path.join(folder, file);
    return fs.existsSync(shard) ? fileSource(shard) : undefined;
  });
}

/**
 * Tensors (F16/BF16 as raw bits) and the layout they came in, from a folder holding
 * model.safetensors or model.safetensors.index.json (the single file first, as transformers does),
 * or from either kind of file named directly.
 */
export function readSafetensorsModel(dirOrFile: string): SafetensorsModel {
  if (!fs.existsSync(dirOrFile)) throw new Error(`${dirOrFile}: no such file or folder`);
  if (fs.statSync(dirOrFile).isDirectory()) {
    const single = path.join(dirOrFile, SINGLE_FILE);
    if (fs.existsSync(single)) return singleFileModel(SINGLE_FILE, readSafetensors(fileSource(single), single));
    const index = path.join(dirOrFile, INDEX_FILE);
    if (fs.existsSync(index)) return readSharded(index);
    throw new Error(`${dirOrFile}: holds neither ${SINGLE_FILE} nor ${INDEX_FILE}`);
  }
  if (dirOrFile.endsWith('.index.json')) return readSharded(dirOrFile);
  return singleFileModel(path.basename(dirOrFile), readSafetensors(fileSource(dirOrFile), dirOrFile));
}

function writeAtomically(file: string, parts: readonly Uint8Array[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const part of parts) {
        for (let done = 0; done < part.length;) done += fs.writeSync(fd, part, done, Math.min(IO_CHUNK, part.length - done));
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes `tensors` into `dir` in `layout` (as read by readSafetensorsModel), each file through a
 * temp file and a rename, the index last: no file is ever seen half-written, and an index only
 * after its shards.
 */
export function writeSafetensorsModel(dir: string, tensors: ReadonlyMap<string, SafeTensorInput>, layout: SafetensorsLayout): void {
  const files = planSafetensorsWrite(tensors, layout);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, parts] of files) writeAtomically(path.join(dir, name), parts);
}
