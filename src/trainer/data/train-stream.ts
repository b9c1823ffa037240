// The epoch-shuffled training stream shared by every task source, and its resumable cursor.
import type { DataCursor, Example, TaskSource, TrainStream } from './example';
import { Rng, hashSeed } from '../../model/rng';

/** The order of epoch `epoch`: a permutation of 0..size-1 fixed by the source fingerprint and the epoch. */
export function epochOrder(fingerprint: string, epoch: number, size: number): Uint32Array {
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  const rng = Rng.fromState(hashSeed(fingerprint, 'epoch', epoch));
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export function isDataCursor(value: unknown): value is DataCursor {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.source === 'string' && Number.isSafeInteger(c.epoch) && (c.epoch as number) >= 0 && Number.isSafeInteger(c.index) && (c.index as number) >= 0;
}

export function createTrainStream(source: TaskSource, from?: DataCursor): TrainStream {
  if (source.trainSize === 0) throw new Error(`data source ${source.fingerprint} has an empty training split`);
  if (from !== undefined) {
    if (!isDataCursor(from)) throw new TypeError(`invalid data cursor: ${JSON.stringify(from)}`);
    if (from.source !== source.fingerprint) {
      throw new Error(`data cursor belongs to "${from.source}", not to this run's data "${source.fingerprint}"`);
    }
    if (from.index > source.trainSize) {
      throw new RangeError(`data cursor index ${from.index} is past the training split (${source.trainSize} examples)`);
    }
  }
  let epoch = from?.epoch ?? 0;
  let index = from?.index ?? 0;
  let order = epochOrder(source.fingerprint, epoch, source.trainSize);

  const next = (): Example => {
    if (index >= order.length) {
      epoch += 1;
      index = 0;
      order = epochOrder(source.fingerprint, epoch, source.trainSize);
    }
    return source.trainAt(order[index++]!);
  };
  return {
    next,
    take: (n) => Array.from({ length: n }, next),
    cursor: () => ({ source: source.fingerprint, epoch, index }),
  };
}

export function* iterateSplit(size: number, at: (i: number) => Example): IterableIterator<Example> {
  for (let i = 0; i < size; i++) yield at(i);
}
