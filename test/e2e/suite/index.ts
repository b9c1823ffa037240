// Entry the extension host loads as `extensionTestsPath`: runs the bundled *.e2e.js (code-server,
// test/e2e/run.mjs) or *.host.js (desktop VS Code, test/host/run.mjs) files beside it with mocha and
// writes per-test results where the harness reads them.
import fs from 'node:fs';
import path from 'node:path';

interface MochaTest {
  fullTitle(): string;
}
interface MochaRunner {
  on(event: 'pass', fn: (t: MochaTest) => void): MochaRunner;
  on(event: 'fail', fn: (t: MochaTest, err: Error) => void): MochaRunner;
}
interface MochaInstance {
  addFile(file: string): void;
  run(done: (failures: number) => void): MochaRunner;
}
type MochaCtor = new (options: { ui: string; timeout: number; color: boolean; reporter: string }) => MochaInstance;

export function run(): Promise<void> {
  // Resolved at run time from test/e2e/node_modules (or the path the harness passes), inside the
  // extension host: not a bundle import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(process.env['STEPGRPO_MOCHA'] ?? 'mocha') as MochaCtor;
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  const dir = __dirname;
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => /\.(e2e|host)\.js$/.test(f))
    .sort())
    mocha.addFile(path.join(dir, f));
  const results: { passed: string[]; failed: { name: string; error: string }[] } = { passed: [], failed: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env['STEPGRPO_E2E_RESULTS'];
      if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('fail', (t, err) => results.failed.push({ name: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
}
