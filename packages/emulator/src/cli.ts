import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { normalizeFaultRule, type FaultRuleInput } from './faults.js';
import { SeedError } from './seed.js';
import { startEmulator } from './server.js';

const HELP = `Usage: fgakit-emulator [options]

Starts a WorkOS-compatible API server with a Fine-Grained Authorization engine.

Options:
  --port PORT         TCP port to listen on; 0 picks a free one (default 4100)
  --host HOST         address to listen on (default 127.0.0.1)
  --seed FILE         YAML or JSON seed file
  --api-key KEY       API key clients must send (default sk_test_default)
  --data FILE         keep the state in FILE across restarts
  --fault JSON        install a fault rule, for example '{"kind":"rate_limit","times":2}'; repeatable
  --log-level LEVEL   pino level: fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help          show this help
`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'api-key': { type: 'string' },
        data: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`fgakit-emulator: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }

  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }

  const port = values.port === undefined ? 4100 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`fgakit-emulator: invalid --port ${JSON.stringify(values.port)}: use an integer from 0 to 65535.\n`);
    return 2;
  }
  const level = values['log-level'] ?? 'info';
  if (!LEVELS.includes(level)) {
    process.stderr.write(`fgakit-emulator: invalid --log-level ${JSON.stringify(level)}: use one of ${LEVELS.join(', ')}.\n`);
    return 2;
  }

  const faults: FaultRuleInput[] = [];
  for (const text of values.fault ?? []) {
    try {
      const rule: unknown = JSON.parse(text);
      normalizeFaultRule(rule, '--fault');

      // normalizeFaultRule accepted it, so it has the shape of a rule.
      faults.push(rule as FaultRuleInput);
    } catch (error) {
      const reason = error instanceof TypeError ? error.message : 'not valid JSON';
      process.stderr.write(`fgakit-emulator: invalid --fault ${JSON.stringify(text)}: ${reason}. Example: '{"kind":"error","status":503}'.\n`);
      return 2;
    }
  }

  const logger = pino({ name: 'fgakit-emulator', level });
  let emulator;
  try {
    emulator = await startEmulator({
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.seed === undefined ? {} : { seed: values.seed }),
      ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
      ...(values.data === undefined ? {} : { dataFile: values.data }),
      faults,
      logger,
    });
  } catch (error) {
    const message = error instanceof SeedError || error instanceof TypeError ? error.message : String(error);
    process.stderr.write(`fgakit-emulator: could not start: ${message}\n`);
    return 1;
  }

  // The key is the emulator's own test key, printed so clients can be configured; it grants nothing elsewhere.
  process.stdout.write(`fgakit-emulator listening on ${emulator.url}\nAPI key: ${emulator.apiKey}\n`);

  const running = emulator;
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
