// `stepgrpo extract-keysteps --in data.jsonl [--out with-keysteps.jsonl]`: adds
// `key_steps: {Steps: [...]}` (the R1-VL-10K format) to every record from its reference solution,
// rule-based by default or through an OpenAI-compatible endpoint when one is given.
import { extractKeySteps } from '../../core/key-step-extractor';
import type { KeyStepGroup } from '../../core/reward-types';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, intOption, parseArgs, stringOption } from '../args';
import { openOutput, readJsonlLines } from '../jsonl';
import { extractWithEndpoint, type EndpointOptions } from './keystep-endpoint';

const USAGE = `usage: stepgrpo extract-keysteps --in FILE [--out FILE] [options]

Adds "key_steps": {"Steps": [...]} to every JSONL record from its "solution" field.

  --in FILE         input JSONL ("-" for stdin)
  --out FILE        output JSONL (default: stdout)
  --field NAME      field holding the reference solution (default: solution)
  --max N           at most N key steps per record (default 8)
  --overwrite       replace key_steps that are already present (default: keep them)
  --endpoint URL    OpenAI-compatible endpoint (or env STEPGRPO_KEYSTEP_URL); optional
  --model NAME      model name for the endpoint (or env STEPGRPO_KEYSTEP_MODEL)
                    the API key, if the endpoint needs one, is read from env STEPGRPO_KEYSTEP_API_KEY

Without an endpoint the rule-based extractor is used (equations, numbers with units, short names).
Bad records are reported with their line number and field; exit code 1 when any failed.
`;

export const extractKeyStepsCommand: CliCommand = {
  name: 'extract-keysteps',
  summary: 'add R1-VL-10K key steps to records from their reference solutions',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, {
      in: stringOption,
      out: stringOption,
      field: stringOption,
      max: intOption(1),
      endpoint: stringOption,
      model: stringOption,
      overwrite: booleanOption,
    });
    const input = values.in;
    if (!input) throw new UsageError('--in is required');
    const field = values.field ?? 'solution';
    const max = values.max ?? 8;
    const url = values.endpoint ?? io.env.STEPGRPO_KEYSTEP_URL;
    const model = values.model ?? io.env.STEPGRPO_KEYSTEP_MODEL;
    if (url && !model) throw new UsageError('--endpoint needs --model (or env STEPGRPO_KEYSTEP_MODEL)');
    const endpoint: EndpointOptions | null = url && model ? { url, model, ...(io.env.STEPGRPO_KEYSTEP_API_KEY ? { apiKey: io.env.STEPGRPO_KEYSTEP_API_KEY } : {}) } : null;

    const out = openOutput(values.out, io.stdout);
    let failed = 0;
    let done = 0;
    try {
      for await (const { line, raw } of readJsonlLines(input)) {
        let record: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(raw);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
          record = parsed as Record<string, unknown>;
        } catch (err) {
          failed++;
          io.stderr.write(`${input}:${line}: not a JSON object (${(err as Error).message})\n`);
          continue;
        }
        if ('key_steps' in record && !values.overwrite) {
          out.stream.write(`${raw}\n`);
          continue;
        }
        const solution = record[field];
        if (typeof solution !== 'string') {
          failed++;
          io.stderr.write(`${input}:${line}: field ${field}: expected a string, got ${solution === undefined ? 'nothing' : typeof solution}\n`);
          out.stream.write(`${raw}\n`);
          continue;
        }
        let steps: KeyStepGroup[];
        try {
          steps = endpoint ? (await extractWithEndpoint(solution, endpoint)).slice(0, max) : extractKeySteps(solution, { max });
        } catch (err) {
          failed++;
          io.stderr.write(`${input}:${line}: extraction failed: ${(err as Error).message}\n`);
          out.stream.write(`${raw}\n`);
          continue;
        }
        done++;
        out.stream.write(`${JSON.stringify({ ...record, key_steps: { Steps: steps } })}\n`);
      }
    } finally {
      await out.close();
    }
    io.stderr.write(`extract-keysteps: ${done} records with key steps (${endpoint ? `endpoint ${endpoint.model}` : 'rule-based'}), ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  },
};
