// `stepgrpo export RUN_DIR --out DIR`: a Hugging Face run's checkpoint for tools outside StepGRPO:
// the LoRA adapter in PEFT's layout (PeftModel.from_pretrained), or with --merged the whole model in
// the HF layout (AutoModelForCausalLM.from_pretrained, llama.cpp's converter, vLLM …).
import { exportCheckpoint } from '../../trainer/hf-export';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, parseArgs, stringOption } from '../args';

const USAGE = `usage: stepgrpo export RUN_DIR --out DIR [--merged] [--checkpoint step-XXXXXX] [--dtype f32|bf16]

Exports a Hugging Face model run's checkpoint (the latest one unless --checkpoint names another;
RUN_DIR may also be a checkpoint folder itself).

  --out DIR          new folder to write (must not exist, or be empty)
  --merged           the whole model in the Hugging Face layout, adapters merged into the base
                     weights (W + alpha/r·B·A): config.json, generation_config.json, tokenizer
                     files and model.safetensors (sharded like the base model's). Without it: the
                     LoRA adapter in PEFT's layout (adapter_config.json, adapter_model.safetensors)
  --checkpoint NAME  a folder under RUN_DIR/checkpoints (default: the one checkpoints/latest names)
  --dtype f32|bf16   stored dtype of the merged weights (default f32: small adapter updates are
                     kept exactly; bf16 halves the size like most published models)

Runs of the built-in tiny policy have no HF export: their policy.onnx is the export.
`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: "export an HF run's checkpoint: its LoRA adapter (PEFT) or the merged model (HF layout)",
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs(argv, { out: stringOption, merged: booleanOption, checkpoint: stringOption, dtype: stringOption }, { positionals: true });
    if (positionals.length === 0) throw new UsageError('missing RUN_DIR');
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    if (!values.out) throw new UsageError('--out DIR is required');
    const dtype = values.dtype?.toLowerCase();
    if (dtype !== undefined && dtype !== 'f32' && dtype !== 'bf16') throw new UsageError(`--dtype: expected f32 or bf16, got ${JSON.stringify(values.dtype)}`);
    if (dtype !== undefined && !values.merged) throw new UsageError('--dtype applies to --merged exports (adapters are always F32)');
    const started = performance.now();
    const r = exportCheckpoint({
      run: positionals[0]!,
      ...(values.checkpoint !== undefined ? { checkpoint: values.checkpoint } : {}),
      out: values.out,
      merged: values.merged ?? false,
      ...(dtype ? { dtype: dtype === 'bf16' ? ('BF16' as const) : ('F32' as const) } : {}),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout.write(`${r.kind === 'adapter' ? 'PEFT adapter' : 'merged model'} of ${r.checkpoint} → ${r.out} (${r.files.join(', ')}) in ${seconds} s\n`);
    return 0;
  },
};
