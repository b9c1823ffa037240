// Turns trainer events into the lines a person watches in a terminal (the run directory keeps
// everything; this shows the part worth reading live).
import type { TrainerEvent } from '../protocol/trainer-messages';

const fmt = (v: number | undefined, digits = 3): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));
const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(0)}%`);

export interface ProgressPrinterOptions {
  /** Print an SFT line every N steps. */
  sftEvery: number;
  write: (line: string) => void;
}

export function createProgressPrinter(o: ProgressPrinterOptions): (e: TrainerEvent) => void {
  let totalSteps = 0;
  let started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
  return (e) => {
    switch (e.type) {
      case 'hello':
        started = Date.now();
        o.write(`trainer ${e.version} · pid ${e.pid} · ${e.device.ep}`);
        break;
      case 'log':
        o.write(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}`);
        break;
      case 'phase':
        totalSteps = e.totalSteps;
        o.write(e.phase === 'sft' ? '\n── SFT warm-up on the demonstrations' : '\n── StepGRPO from the SFT checkpoint (also the KL reference)');
        break;
      case 'metrics': {
        const v = e.values;
        const at = `${elapsed()}  step ${String(e.step).padStart(4)}/${totalSteps}`;
        if (e.phase === 'sft') {
          if (e.step % o.sftEvery === 0 || e.step === 1) o.write(`${at}  loss ${fmt(v.loss)}  grad ${fmt(v.grad_norm, 2)}  ${fmt(v.tokens_per_second, 0)} tok/s`);
        } else if (e.phase === 'rl') {
          o.write(
            `${at}  reward ${fmt(v.reward)}  answer ${pct(v['rewards/answer/mean'])}  key steps ${pct(v.key_step_recall)}  valid ${pct(v.validity_rate)}  kl ${fmt(v.kl, 4)}  ${fmt(v.step_time, 1)}s`,
          );
        } else {
          o.write(
            `${at}  eval: reward ${fmt(v['eval/reward'])}  accuracy ${pct(v['eval/accuracy'])}  key steps ${pct(v['eval/key_step_recall'])}  valid ${pct(v['eval/validity_rate'])}`,
          );
        }
        break;
      }
      case 'checkpoint':
        o.write(`${elapsed()}  checkpoint → ${e.path}`);
        break;
      case 'error':
        o.write(`error: ${e.message}`);
        break;
      case 'done':
        o.write(`\nrun ${e.status}`);
        break;
      case 'rollouts':
        break;
    }
  };
}
