// `node --import tsx test/hf/write-tiny-model.ts DIR`: a tiny Qwen3-shaped HF model folder (random
// weights, the real Qwen3 tokenizer and chat template) for the real-VS-Code suite, which cannot
// build one inside the extension host.
import { writeTinyHfCheckpoint } from './tiny-checkpoint';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: write-tiny-model.ts DIR');
  process.exit(2);
}
writeTinyHfCheckpoint(dir, { architecture: 'qwen3', hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 11 });
