import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A helper process started by the benchmark, talking over Node's IPC channel. */
export interface ChildHandle<Ready> {
  process: ChildProcess;
  /** The payload of the child's first message. */
  ready: Ready;
  /** Sends a request and resolves with the child's reply to it. */
  request<Reply>(message: object): Promise<Reply>;
  /** Stops the child with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

interface ReplyMessage {
  replyTo: number;
  result?: unknown;
  error?: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts `bench/processes/<name>.ts` under tsx with `config` as its
 * `BENCH_CONFIG` environment variable, and resolves once the child sends its
 * first message.
 */
export async function startChild<Ready>(name: string, config: object, readyTimeoutMs = 120_000): Promise<ChildHandle<Ready>> {
  const script = fileURLToPath(new URL(`../processes/${name}.ts`, import.meta.url));
  const child = fork(script, [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;

  const exited = once(child, 'exit').then(([code, signal]) => {
    const error = new Error(`bench process ${name} exited (code ${String(code)}, signal ${String(signal)})`);
    for (const entry of pending.values()) {
      entry.reject(error);
    }
    pending.clear();
    return error;
  });

  const readyMessage = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench process ${name} did not start within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as Ready);
    });
    void exited.then((error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const ready = await readyMessage;

  child.on('message', (message: ReplyMessage) => {
    const entry = pending.get(message.replyTo);
    if (entry === undefined) {
      return;
    }
    pending.delete(message.replyTo);
    if (message.error === undefined) {
      entry.resolve(message.result);
    } else {
      entry.reject(new Error(message.error));
    }
  });

  return {
    process: child,
    ready,
    request<Reply>(message: object): Promise<Reply> {
      const id = nextId++;
      return new Promise<Reply>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...message, requestId: id });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Reads the configuration the parent passed to this child process. */
export function childConfig(): unknown {
  const raw = process.env.BENCH_CONFIG;
  if (raw === undefined) {
    throw new Error('BENCH_CONFIG is not set: this script is started by bench/run.ts, not by hand.');
  }
  return JSON.parse(raw) as unknown;
}

/**
 * Handles the parent's requests with `handle`, and exits on SIGTERM after
 * running `close`.
 */
export function serveParent(handle: (message: Record<string, unknown>) => Promise<unknown>, close: () => Promise<void>): void {
  process.on('message', (message: Record<string, unknown>) => {
    const replyTo = message.requestId as number;
    handle(message).then(
      (result) => process.send?.({ replyTo, result }),
      (error: unknown) => process.send?.({ replyTo, error: error instanceof Error ? error.message : String(error) }),
    );
  });

  process.once('SIGTERM', () => {
    close().finally(() => process.exit(0));
  });
}
