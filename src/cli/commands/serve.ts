// `stepgrpo serve`: the HTTP reward server in the foreground. Prints the URL; Ctrl-C (SIGINT) or
// SIGTERM closes it gracefully (requests in flight finish, idle keep-alive sockets close).
import { DEFAULT_HOST, DEFAULT_PORT, RewardServer } from '../../server/reward-server';
import type { CliCommand, CliIO } from '../command';
import { intOption, parseArgs, stringOption } from '../args';
import { REWARD_FLAGS_USAGE, REWARD_OPTIONS, rewardConfigFromFlags } from './reward-flags';

const USAGE = `usage: stepgrpo serve [--host ADDR] [--port N] [options]

Serves StepRAR + StepRVR over HTTP for distributed trainers (verl, TRL, OpenRLHF):
POST /score, POST /score_batch, POST /get_reward (OpenRLHF remote RM), GET /health, GET /metrics.
See docs/server.md.

  --host ADDR       interface to bind (default ${DEFAULT_HOST}, loopback only); binding to
                    another interface exposes the server to the network: name it explicitly
  --port N          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --max-body MB     largest request body in MiB (default 16)
${REWARD_FLAGS_USAGE}
The reward flags set the default config; a request may name its own preset or config.
`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the HTTP reward server for verl / TRL / OpenRLHF (loopback by default)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs(argv, { host: stringOption, port: intOption(0, 65535), 'max-body': intOption(1, 4096), ...REWARD_OPTIONS });
    const config = rewardConfigFromFlags(values);
    const { port, host } = values;
    const maxBodyMiB = values['max-body'];
    const server = new RewardServer({
      config,
      ...(host !== undefined ? { host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(maxBodyMiB !== undefined ? { maxBodyBytes: maxBodyMiB * 1024 * 1024 } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    let url: string;
    try {
      url = await server.listen();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new Error(`port ${port ?? DEFAULT_PORT} on ${host ?? DEFAULT_HOST} is in use; pick another with --port (0 for any free port)`);
      throw err;
    }
    io.stdout.write(`${url}\n`);
    io.stderr.write(`StepGRPO reward server: ${url} (mode ${config.mode}, α ${config.alpha}, w_acc ${config.w_acc}, w_val ${config.w_val}); Ctrl-C to stop\n`);
    if (host !== undefined && host !== DEFAULT_HOST && host !== 'localhost' && host !== '::1') {
      io.stderr.write(`warning: bound to ${host}: anyone who can reach this address can use the server (there is no authentication)\n`);
    }
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
