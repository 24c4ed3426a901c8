import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ["src/index.ts", "src/testing.ts", "src/postgres.ts", "src/cli.ts"],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'node',
  target: 'node22',
});
