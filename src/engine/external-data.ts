// ONNX external data: a protobuf cannot exceed 2 GB, so big initializers leave the model and are
// referenced by TensorProto.external_data (location, offset, length). One file per tensor: the data
// stays a view of the caller's array (no copy of a multi-GB model) and no file outgrows a typed array.
import { onnx } from 'onnx-proto';

/** An external data file, shaped as onnxruntime's `externalData` session option takes it. */
export interface ExternalFile {
  path: string;
  data: Uint8Array;
}

/** A file name for a tensor: only [A-Za-z0-9._-], never hidden, unique among `taken`. */
function location(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
  let file = `${base}.bin`;
  for (let k = 2; taken.has(file); k++) file = `${base}.${k}.bin`;
  taken.add(file);
  return file;
}

/** Moves, in place, the raw data of every initializer of at least `thresholdBytes` (and not empty) out. */
export function externalizeInitializers(initializers: onnx.ITensorProto[], thresholdBytes: number): ExternalFile[] {
  const taken = new Set<string>();
  const files: ExternalFile[] = [];
  for (const t of initializers) {
    const data = t.rawData;
    if (!data || data.byteLength === 0 || data.byteLength < thresholdBytes) continue;
    const path = location(t.name ?? '', taken);
    t.rawData = undefined;
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: path },
      { key: 'offset', value: '0' },
      { key: 'length', value: String(data.byteLength) },
    ];
    files.push({ path, data });
  }
  return files;
}
