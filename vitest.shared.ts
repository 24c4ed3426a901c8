import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the Vitest configuration every workspace shares: tests import the
 * workspace packages from their TypeScript sources, so `pnpm test` needs no
 * build of the package under test.
 */
export function sharedTestConfig(packageDir: string): ViteUserConfig {
  return {
    root: packageDir,
    resolve: {
      alias: [
        {
          find: /^@fgakit\/(core|express|koa|fastify|emulator)$/,
          replacement: `${root}packages/$1/src/index.ts`,
        },
        {
          find: /^@fgakit\/(core|express|koa|fastify|emulator)\/(.+)$/,
          replacement: `${root}packages/$1/src/$2.ts`,
        },
      ],
    },
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/**/*.slow.test.ts', '**/node_modules/**'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
}
