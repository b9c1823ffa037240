// The run directory of DESIGN §4: the source of truth that the extension (or any tool) can read
// while the run goes on or after it ended. Appends are synchronous so a killed trainer loses at
// most the line being written.
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine, type TrainerEvent } from '../protocol/trainer-messages';

export class RunDirectory {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** Creates `<parent>/<runId>` (failing if it already holds a run) and writes config.json. */
  static create(root: string, resolvedConfig: unknown): RunDirectory {
    if (fs.existsSync(path.join(root, 'config.json'))) {
      throw new Error(`${root} already holds a run (config.json exists); pick another --out or resume it`);
    }
    fs.mkdirSync(path.join(root, 'checkpoints'), { recursive: true });
    const dir = new RunDirectory(root);
    dir.writeJsonAtomic('config.json', resolvedConfig);
    return dir;
  }

  static open(root: string): RunDirectory {
    if (!fs.existsSync(path.join(root, 'config.json'))) throw new Error(`${root} is not a run directory (no config.json)`);
    return new RunDirectory(root);
  }

  get checkpointsDir(): string {
    return path.join(this.root, 'checkpoints');
  }

  /** Appends to the replay log and to the projection files that tools grep. */
  append(event: TrainerEvent): void {
    const line = encodeLine(event);
    fs.appendFileSync(path.join(this.root, 'events.ndjson'), line);
    if (event.type === 'metrics') fs.appendFileSync(path.join(this.root, 'metrics.jsonl'), line);
    if (event.type === 'rollouts') fs.appendFileSync(path.join(this.root, 'rollouts.jsonl'), line);
  }

  readEvents(): TrainerEvent[] {
    const file = path.join(this.root, 'events.ndjson');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as TrainerEvent];
        } catch {
          return []; // a line torn by a killed process: everything before it is intact
        }
      });
  }

  writeJsonAtomic(name: string, value: unknown): void {
    const file = path.join(this.root, name);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }
}
