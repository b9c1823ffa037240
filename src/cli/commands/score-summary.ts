// Running totals of `stepgrpo score` and the table printed at the end.
import type { RewardBreakdown } from '../../core/reward-types';

export class ScoreSummary {
  scored = 0;
  failed = 0;
  private totalReward = 0;
  private valid = 0;
  private correct = 0;
  private keyStepRatioSum = 0;
  private withKeySteps = 0;
  readonly violations = new Map<string, number>();

  add(r: RewardBreakdown): void {
    this.scored++;
    this.totalReward += r.total;
    this.valid += r.validity;
    this.correct += r.answer_correct ? 1 : 0;
    if (r.key_steps.length > 0) {
      this.withKeySteps++;
      this.keyStepRatioSum += r.key_step_ratio;
    }
    for (const v of r.violations) this.violations.set(v.code, (this.violations.get(v.code) ?? 0) + 1);
  }

  toJSON(): Record<string, unknown> {
    const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);
    return {
      records: this.scored,
      failed: this.failed,
      mean_reward: rate(this.totalReward, this.scored),
      validity_rate: rate(this.valid, this.scored),
      accuracy: rate(this.correct, this.scored),
      key_step_recall: rate(this.keyStepRatioSum, this.withKeySteps),
      violations: Object.fromEntries([...this.violations].sort((a, b) => b[1] - a[1])),
    };
  }

  table(): string {
    const j = this.toJSON();
    const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : 'n/a');
    const rows: [string, string][] = [
      ['records scored', fmt(j.records)],
      ['records failed', fmt(j.failed)],
      ['mean reward', fmt(j.mean_reward)],
      ['validity rate', fmt(j.validity_rate)],
      ['answer accuracy', fmt(j.accuracy)],
      ['key-step recall', fmt(j.key_step_recall)],
    ];
    for (const [code, n] of Object.entries(j.violations as Record<string, number>)) rows.push([`violations ${code}`, String(n)]);
    const w = Math.max(...rows.map((r) => r[0].length));
    return `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`;
  }
}
