// `stepgrpo models`: the Hugging Face models in the local cache that the trainer can load (offline,
// nothing is downloaded). The extension's "a Hugging Face model…" picker reads its --json output.
import { hfHubCache, listCachedHfModels } from '../../trainer/hf-folder';
import type { CliCommand, CliIO } from '../command';
import { booleanOption, parseArgs } from '../args';

const USAGE = `usage: stepgrpo models [--json]

Lists the models in the Hugging Face cache (HF_HUB_CACHE, else HF_HOME/hub, else
~/.cache/huggingface/hub) with their architecture, or why the trainer cannot load them.
  --json   one JSON array: [{id, revision, dir, architecture, problem}]
`;

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list the Hugging Face models in the local cache that the trainer can load',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, { json: booleanOption });
    const models = listCachedHfModels(io.env);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(models)}\n`);
      return 0;
    }
    const cache = hfHubCache(io.env);
    if (models.length === 0) {
      io.stdout.write(`no models in the Hugging Face cache at ${cache.dir} (${cache.from})\n`);
      return 0;
    }
    for (const m of models) io.stdout.write(`${m.id}${m.revision !== 'main' ? `@${m.revision}` : ''}  ${m.problem ? `cannot load: ${m.problem}` : m.architecture}\n  ${m.dir}\n`);
    return 0;
  },
};
