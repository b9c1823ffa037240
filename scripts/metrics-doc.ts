// Writes docs/metrics.md from the metric table (src/core/metric-definitions.ts).
// `node --import tsx scripts/metrics-doc.ts`; a unit test fails when the file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { METRIC_GROUPS, METRICS } from '../src/core/metric-definitions';

export const METRICS_DOC = path.join(__dirname, '..', 'docs', 'metrics.md');

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function metricsDocText(): string {
  const lines = [
    '# Metrics',
    '',
    'Generated from `src/core/metric-definitions.ts` by `scripts/metrics-doc.ts`: edit the table there.',
    'One definition per name. `src/core/step-metrics.ts` computes the rollout rows (trainer, reward server',
    'recorder, importers: each from the scored groups it holds) and passes the update rows through; the',
    'Metrics view shows the descriptions on hover. TRL’s meaning where TRL has the name',
    '(`trl/trainer/grpo_trainer.py` at v1.9.0): `reward_std` is the n − 1 standard deviation over every',
    'reward of the step (`nanstd(rewards)`; TRL up to 0.26 logged the mean of the per-group stds);',
    '`frac_reward_zero_std` averages over completions whether their group’s std is 0.',
    '',
    'Source: rollout = anyone with scored groups; update, trainer, eval = the trainer only.',
  ];
  for (const group of METRIC_GROUPS) {
    lines.push('', `## ${group}`, '', '| metric | unit | formula | description | source |', '|---|---|---|---|---|');
    for (const m of METRICS.filter((row) => row.group === group)) {
      const flag = m.rewardDependent ? ' Depends on the run’s reward definition.' : '';
      lines.push(`| \`${m.name}\` | ${cell(m.unit)} | ${cell(m.formula)} | ${cell(m.description)}${flag} | ${m.source} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  fs.writeFileSync(METRICS_DOC, metricsDocText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), METRICS_DOC)}\n`);
}
