// Content-derived identity: an example's promptId and its split both come from a hash of a canonical
// key (scene + question for the synthetic task, image + problem for datasets), never from its index,
// so the same content always lands in the same split whatever the seed, order or size of the set.
import { createHash } from 'node:crypto';

export type Split = 'train' | 'eval';

/** Default salt of the split hash; changing it reshuffles which content is held out. */
export const DEFAULT_SPLIT_SALT = 'stepgrpo-split-v1';

export function contentHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `prefix-` followed by 16 hex digits (64 bits) of the key's hash. */
export function promptIdOf(prefix: string, key: string): string {
  return `${prefix}-${contentHash(key).slice(0, 16)}`;
}

/** Held out when the salted hash, read as a fraction of 2^32, falls below evalFraction. */
export function splitOf(key: string, evalFraction: number, salt = DEFAULT_SPLIT_SALT): Split {
  const bucket = Number.parseInt(contentHash(`${salt}\n${key}`).slice(0, 8), 16) / 2 ** 32;
  return bucket < evalFraction ? 'eval' : 'train';
}
