import { WorkOS, type WorkOSOptions } from '@workos-inc/node';

/** Options of {@link createWorkOS}. */
export interface CreateWorkOSOptions {
  /** WorkOS API key (`sk_…`). */
  apiKey: string;
  /**
   * Base URL of the API, for example the URL `fgakit-emulator` prints.
   * @defaultValue `https://api.workos.com`
   */
  baseUrl?: string;
  /** Further options passed to the `WorkOS` constructor unchanged. */
  options?: Omit<WorkOSOptions, 'apiHostname' | 'port' | 'https' | 'apiKey'>;
}

/**
 * Creates a `WorkOS` client for a base URL. The SDK takes host, port and
 * scheme as separate options; this splits the URL into them.
 *
 * @throws TypeError when `baseUrl` is not an absolute http(s) URL.
 */
export function createWorkOS({ apiKey, baseUrl = 'https://api.workos.com', options }: CreateWorkOSOptions): WorkOS {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`[fgakit] Invalid WorkOS base URL ${JSON.stringify(baseUrl)}: pass an absolute URL such as "http://localhost:4100".`);
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`[fgakit] Invalid WorkOS base URL ${JSON.stringify(baseUrl)}: the scheme must be http or https.`);
  }

  const https = url.protocol === 'https:';
  return new WorkOS(apiKey, {
    ...options,
    apiHostname: url.hostname.replace(/^\[|\]$/g, ''),
    https,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
  });
}

/**
 * Copies a `WorkOS` client with the SDK's own retries switched off and a
 * per-call timeout. fgakit decides itself when to retry: the SDK's backoff
 * (about 1 to 2.5 seconds per retry) would hold a guarded request, or a sync
 * job, far past its budget.
 */
export function withoutSdkRetries(workos: WorkOS, timeoutMs: number): WorkOS {
  return new WorkOS(workos.key ?? '', { ...workos.options, maxRetries: 0, timeout: timeoutMs });
}
