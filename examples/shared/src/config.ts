/** Settings of an example process, read from the environment. */
export interface ExampleConfig {
  /** Port the app listens on (`PORT`, default 3000; 0 picks a free one). */
  port: number;
  /** WorkOS API base URL (`WORKOS_BASE_URL`, default the local emulator at http://127.0.0.1:4100). */
  workosBaseUrl: string;
  /** WorkOS API key (`WORKOS_API_KEY`, default the emulator's `sk_test_default`). */
  workosApiKey: string;
  /** Redis URL for the sync queue and the decision cache (`REDIS_URL`, default redis://127.0.0.1:6379). */
  redisUrl: string;
  /** Key prefix shared by the app and its sync worker (`FGAKIT_PREFIX`, default `fgakit-example`). */
  prefix: string;
  /** pino level (`LOG_LEVEL`, default `info`). */
  logLevel: string;
}

/**
 * Reads the example configuration from `env`.
 *
 * @throws Error naming the variable when a value is malformed.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`Invalid PORT ${JSON.stringify(env.PORT)}: set a port number from 0 to 65535.`);
  }

  return {
    port,
    workosBaseUrl: env.WORKOS_BASE_URL ?? 'http://127.0.0.1:4100',
    workosApiKey: env.WORKOS_API_KEY ?? 'sk_test_default',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: env.FGAKIT_PREFIX ?? 'fgakit-example',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
