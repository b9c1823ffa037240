// One entry point for the trainer: the `data` section of a run config → a TaskSource.
import type { TaskSource } from './example';
import { JsonlTextDataset, type JsonlTextLoadOptions } from './jsonl-text';
import { R1vlDataset, type R1vlLoadOptions } from './r1vl-dataset';
import { SyntheticTask, type SyntheticTaskOptions } from './synthetic-task';

export type DataConfig =
  ({ kind: 'synthetic' } & Partial<SyntheticTaskOptions>) | ({ kind: 'r1vl'; path: string } & R1vlLoadOptions) | ({ kind: 'jsonl'; path: string } & JsonlTextLoadOptions);

/** `log` receives the dataset-load summary (records loaded, skipped by reason, the first problems). */
export async function createTaskSource(config: DataConfig, log: (line: string) => void = () => {}): Promise<TaskSource> {
  switch (config.kind) {
    case 'synthetic': {
      const { kind: _kind, ...options } = config;
      return new SyntheticTask(options);
    }
    case 'r1vl': {
      const { kind: _kind, path, ...options } = config;
      const dataset = await R1vlDataset.load(path, options);
      for (const line of dataset.summary()) log(line);
      return dataset;
    }
    case 'jsonl': {
      const { kind: _kind, path, ...options } = config;
      const dataset = JsonlTextDataset.load(path, options, log);
      for (const line of dataset.summary()) log(line);
      return dataset;
    }
    default:
      throw new Error(`unknown data kind ${JSON.stringify((config as { kind: unknown }).kind)}; expected "synthetic", "r1vl" or "jsonl"`);
  }
}
