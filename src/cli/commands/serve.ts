// `stepgrpo serve`: the HTTP reward server in the foreground. Prints the URL; Ctrl-C (SIGINT) or
// SIGTERM closes it gracefully (requests in flight finish, idle keep-alive sockets close, the
// recording is flushed and ends with `done`).
import fs from 'node:fs';
import path from 'node:path';
import { isLoopbackHost, MIN_TOKEN_LENGTH } from '../../server/access';
import { DEFAULT_END_MARKERS } from '../../server/end-markers';
import { DEFAULT_HOST, DEFAULT_PORT, RewardServer } from '../../server/reward-server';
import { RunRecorder } from '../../server/run-recorder';
import { SERVER_VERSION } from '../../server/version';
import type { CliCommand, CliIO } from '../command';
import { UsageError, intOption, parseArgs, stringOption } from '../args';
import { REWARD_FLAGS_USAGE, REWARD_OPTIONS, rewardConfigFromFlags } from './reward-flags';

const USAGE = `usage: stepgrpo serve [--host ADDR] [--port N] [--out RUN_DIR] [options]

Serves StepRAR + StepRVR over HTTP for distributed trainers (verl, TRL, OpenRLHF):
POST /score, POST /score_batch, POST /get_reward (OpenRLHF remote RM), GET /health, GET /metrics.
See docs/server.md.

  --host ADDR        interface to bind (default ${DEFAULT_HOST}, loopback only); any other address
                     needs a bearer token
  --port N           TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --token-file F     read the bearer token every request must carry from F (first line;
                     at least 16 characters); or set $STEPGRPO_SERVER_TOKEN. \`--token T\` works
                     too but shows in \`ps\`
  --allow-host H     serve requests whose Host header is H besides the bound address
                     (comma-separated, or *); the check defends against DNS rebinding
  --max-text-chars N longest completion, answer or solution scored (default 32768; longer: 422)
  --end-markers LIST end-of-sequence / padding texts cut from the end of a completion before
                     scoring (comma-separated; default ${DEFAULT_END_MARKERS.join(',')};
                     "" cuts none); a request's end_markers replace them
  --allow-origin O   serve browser requests from origin O (comma-separated list, or *); by
                     default requests with an Origin header are refused
  --max-in-flight N  requests one client address may have in flight (default 128; more get 429)
  --max-body MB      largest request body in MiB (default 16)
  --out RUN_DIR      record every scored chain into RUN_DIR (a run directory the extension opens)
  --step-gap S       recording: without a client step, a step ends after S seconds without
                     chains (default 5)
${REWARD_FLAGS_USAGE}
The reward flags set the default config; a request may name its own preset or config.
`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the HTTP reward server for verl / TRL / OpenRLHF (loopback by default; --out records)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, {
      host: stringOption,
      port: intOption(0, 65535),
      'max-body': intOption(1, 4096),
      token: stringOption,
      'token-file': stringOption,
      'allow-origin': stringOption,
      'allow-host': stringOption,
      'max-text-chars': intOption(1, 16 * 1024 * 1024),
      'end-markers': stringOption,
      'max-in-flight': intOption(1, 100_000),
      out: stringOption,
      'step-gap': intOption(1, 86_400),
      ...REWARD_OPTIONS,
    });
    const config = rewardConfigFromFlags(values);
    const { port, host } = values;
    const maxBodyMiB = values['max-body'];
    const token = serverToken(values.token, values['token-file'], io.env);
    if (host !== undefined && !isLoopbackHost(host) && !token) {
      throw new UsageError(`--host ${host} exposes the server to the network: give a bearer token with --token-file or STEPGRPO_SERVER_TOKEN (the clients send it)`);
    }
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
      throw new UsageError(`the bearer token is ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 16\`)`);
    }
    const log = (line: string): void => void io.stderr.write(`${line}\n`);
    const recorder = values.out
      ? RunRecorder.create(path.resolve(values.out), {
          config: { reward: config, server: { host: host ?? DEFAULT_HOST, port: port ?? DEFAULT_PORT } },
          version: SERVER_VERSION,
          ...(values['step-gap'] !== undefined ? { stepGapMs: values['step-gap'] * 1000 } : {}),
          log,
        })
      : undefined;
    const server = new RewardServer({
      config,
      ...(host !== undefined ? { host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(maxBodyMiB !== undefined ? { maxBodyBytes: maxBodyMiB * 1024 * 1024 } : {}),
      ...(token ? { token } : {}),
      ...(values['allow-origin'] ? { allowOrigins: values['allow-origin'].split(',').map((o) => o.trim()) } : {}),
      ...(values['allow-host'] ? { allowHosts: values['allow-host'].split(',').map((h) => h.trim()) } : {}),
      ...(values['max-text-chars'] !== undefined ? { maxTextChars: values['max-text-chars'] } : {}),
      ...(values['end-markers'] !== undefined ? { endMarkers: markerList(values['end-markers']) } : {}),
      ...(values['max-in-flight'] !== undefined ? { maxInFlightPerClient: values['max-in-flight'] } : {}),
      ...(recorder ? { recorder } : {}),
      log,
    });
    let url: string;
    try {
      url = await server.listen();
    } catch (err) {
      recorder?.close('failed');
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new Error(`port ${port ?? DEFAULT_PORT} on ${host ?? DEFAULT_HOST} is in use; pick another with --port (0 for any free port)`);
      throw err;
    }
    io.stdout.write(`${url}\n`);
    io.stderr.write(
      `StepGRPO reward server: ${url} (mode ${config.mode}, α ${config.alpha}, w_acc ${config.w_acc}, w_val ${config.w_val}${token ? ', bearer token required' : ''}); Ctrl-C to stop\n`,
    );
    if (recorder) io.stderr.write(`recording into ${recorder.dir}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        io.stderr.write(`${signal}: closing (requests in flight finish; Ctrl-C again to quit now)\n`);
        process.once('SIGINT', () => process.exit(130));
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};

/** `--end-markers` as a list: comma-separated, blanks dropped (`""` is the empty list). */
const markerList = (flag: string): string[] =>
  flag
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);

/**
 * The token from --token, else --token-file (its first line), else $STEPGRPO_SERVER_TOKEN, else
 * $STEPGRPO_REWARD_TOKEN (the name the Python clients read, kept for servers started with it).
 */
function serverToken(flag: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--token-file ${file}: ${(err as Error).message}`);
    }
    const token = text.split(/\r?\n/)[0]!.trim();
    if (token === '') throw new UsageError(`--token-file ${file}: the first line is empty`);
    return token;
  }
  return env.STEPGRPO_SERVER_TOKEN || env.STEPGRPO_REWARD_TOKEN || undefined;
}
