// `stepgrpo generate --model M --prompt TEXT`: text from a Hugging Face model, a PEFT adapter, or a
// run's checkpoint, with the trainer's own sampler (a quick look at what training did).
import { generateWith, openHfModel } from '../../trainer/hf-generate';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, intOption, numberOption, parseArgs, stringOption } from '../args';

const USAGE = `usage: stepgrpo generate --model MODEL --prompt TEXT [options]

  --model MODEL         a Hugging Face model folder, a cached model id (org/name[@revision]),
                        a PEFT adapter folder (adapter_config.json names the base model), a run's
                        checkpoint folder (its base model + trained adapter or weights), or a run
                        directory (its latest checkpoint)
  --prompt TEXT         the user's message (or the plain text with --no-chat)
  --max-new-tokens N    at most N generated tokens (default 256)
  --temperature T       0 = greedy (default: generation_config.json's, else 1)
  --top-p P             nucleus sampling, in (0, 1] (default: generation_config.json's, else 1)
  --top-k K             sample from the K most probable tokens only, 0 = off (default:
                        generation_config.json's, else 0)
  --repetition-penalty R  divide (multiply, if negative) the logits of tokens already in the text
                        by R, > 0, 1 = off (default: generation_config.json's, else 1)
  --seed S              sampling seed (default 0): the same seed gives the same text
  --chat / --no-chat    wrap the prompt in the model's chat template (default: on when the model has
                        one; a checkpoint's run setting)
  --system TEXT         a system turn before the prompt (default: none; a checkpoint's run setting)
  --json                print {"text", "tokens"} (the generated ids) instead of the text
`;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'generate text from an HF model, a PEFT adapter or a run checkpoint',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, {
      model: stringOption,
      prompt: stringOption,
      'max-new-tokens': intOption(1),
      temperature: numberOption,
      'top-p': numberOption,
      'top-k': intOption(0),
      'repetition-penalty': numberOption,
      seed: intOption(0, 2 ** 31 - 1),
      chat: booleanOption,
      'no-chat': booleanOption,
      system: stringOption,
      json: booleanOption,
    });
    if (!values.model) throw new UsageError('--model is required');
    if (values.prompt === undefined) throw new UsageError('--prompt is required');
    if (values.chat && values['no-chat']) throw new UsageError('--chat and --no-chat contradict each other');
    if (values.temperature !== undefined && values.temperature < 0) throw new UsageError(`--temperature: must be ≥ 0, got ${values.temperature}`);
    const topP = values['top-p'];
    if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new UsageError(`--top-p: must be in (0, 1], got ${topP}`);
    const repetitionPenalty = values['repetition-penalty'];
    if (repetitionPenalty !== undefined && !(repetitionPenalty > 0 && Number.isFinite(repetitionPenalty)))
      throw new UsageError(`--repetition-penalty: must be a number > 0, got ${repetitionPenalty}`);
    const model = openHfModel(values.model, io.env);
    const r = await generateWith(model, {
      prompt: values.prompt,
      maxNewTokens: values['max-new-tokens'] ?? 256,
      ...(values.temperature !== undefined ? { temperature: values.temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(values['top-k'] !== undefined ? { topK: values['top-k'] } : {}),
      ...(repetitionPenalty !== undefined ? { repetitionPenalty } : {}),
      seed: values.seed ?? 0,
      ...(values.chat ? { chat: true } : values['no-chat'] ? { chat: false } : {}),
      ...(values.system !== undefined ? { system: values.system } : {}),
    });
    io.stdout.write(values.json ? `${JSON.stringify({ text: r.text, tokens: r.tokens })}\n` : `${r.text}\n`);
    return 0;
  },
};
