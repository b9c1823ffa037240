// `stepgrpo score --in chains.jsonl [--out scored.jsonl]`: every record written back with a
// `rewards` field (RewardBreakdown, DESIGN §3); the summary table goes to stderr so that stdout
// can carry the scored JSONL.
import { scoreChain } from '../../core/reward';
import type { CliCommand, CliIO } from '../command';
import { UsageError, booleanOption, parseArgs, stringOption } from '../args';
import { openOutput, readJsonArray, readJsonlLines } from '../jsonl';
import { escapeControls } from '../printable';
import { RecordError, readScoreInput } from './score-record';
import { ScoreSummary } from './score-summary';
import { REWARD_FLAGS_USAGE, REWARD_OPTIONS, rewardConfigFromFlags } from './reward-flags';

const USAGE = `usage: stepgrpo score --in FILE [--out FILE] [options]

Scores every JSONL record {completion, solution?, answer?, key_steps?} (or a verl dump
{output, gts}) with StepRAR + StepRVR and writes it back with a "rewards" field.

  --in FILE         input JSONL ("-" for stdin; a UTF-8 byte-order mark is skipped)
  --json-array      the input is one JSON array of records instead of JSON Lines
  --out FILE        output JSONL (default: stdout)
${REWARD_FLAGS_USAGE}  --strict          stop at the first bad record
  --summary-json F  also write the summary as JSON to F

Bad records (not JSON, missing or mistyped fields, malformed key steps) are reported on stderr
with their line number and field; records that are JSON objects are still written out, with
"rewards": null and an "error". The summary table is printed on stderr. Exit code: 0 when every
record was scored, 1 when any failed, 2 for usage errors.
`;

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score a JSONL file of chains (StepRAR + StepRVR) and print a summary',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, {
      in: stringOption,
      out: stringOption,
      'summary-json': stringOption,
      strict: booleanOption,
      'json-array': booleanOption,
      ...REWARD_OPTIONS,
    });
    const input = values.in;
    if (!input) throw new UsageError('--in is required');
    const config = rewardConfigFromFlags(values);
    const strict = values.strict === true;
    const summary = new ScoreSummary();
    const out = openOutput(values.out, io.stdout);
    const fail = (label: string, message: string): void => {
      summary.failed++;
      io.stderr.write(`${escapeControls(input)}:${label}: ${escapeControls(message)}\n`);
    };
    const records = values['json-array'] === true ? readJsonArray(input) : readJsonlLines(input);
    try {
      for await (const { line, raw, error, label } of records) {
        if (error !== undefined) {
          fail(label, error);
          if (strict) break;
          continue;
        }
        let record: unknown;
        try {
          record = JSON.parse(raw);
        } catch (err) {
          const excerpt = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
          fail(label, `not valid JSON (${(err as Error).message}): ${excerpt}`);
          if (strict) break;
          continue;
        }
        try {
          const { completion, reference } = readScoreInput(record);
          const rewards = scoreChain(completion, reference, config);
          summary.add(rewards);
          out.stream.write(`${JSON.stringify({ ...(record as object), rewards })}\n`);
        } catch (err) {
          if (!(err instanceof RecordError)) throw err;
          fail(label, err.message);
          if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
            const where = label === String(line) ? `line ${line}` : `record ${label}`;
            out.stream.write(`${JSON.stringify({ ...(record as object), rewards: null, error: `${where}: ${err.message}` })}\n`);
          }
          if (strict) break;
        }
      }
    } finally {
      await out.close();
    }
    if (strict && summary.failed > 0) io.stderr.write('stopped at the first bad record (--strict)\n');
    io.stderr.write(summary.table());
    const summaryPath = values['summary-json'];
    if (summaryPath) {
      const fs = await import('node:fs');
      fs.writeFileSync(summaryPath, `${JSON.stringify({ config, ...summary.toJSON() }, null, 2)}\n`);
    }
    return summary.failed > 0 ? 1 : 0;
  },
};
