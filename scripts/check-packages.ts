// Loads every built entry point of the publishable packages through both
// `require` and `import`, as users of CommonJS and ESM apps do, and checks
// that the main exports are there. Run after `pnpm build`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const expected: Record<string, string[]> = {
  '@fgakit/core': ['createCheckClient', 'createSync', 'createSyncWorker', 'createWorkOS', 'runGuard'],
  '@fgakit/core/testing': ['createTestCheckClient'],
  '@fgakit/core/postgres': ['createPostgresOutbox'],
  '@fgakit/express': ['createGuards'],
  '@fgakit/koa': ['createGuards'],
  '@fgakit/fastify': ['createGuards', 'fgakit'],
  '@fgakit/emulator': ['startEmulator'],
};

let failures = 0;
for (const [specifier, names] of Object.entries(expected)) {
  const [, name = '', ...rest] = specifier.split('/');
  const folder = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { exports: Record<string, { require: { default: string }; import: { default: string } }> };
  const entry = manifest.exports[rest.length === 0 ? '.' : `./${rest.join('/')}`];
  if (entry === undefined) {
    failures += 1;
    console.error(`${specifier}: no such entry in the exports map`);
    continue;
  }

  const required = createRequire(join(folder, 'package.json'))(join(folder, entry.require.default)) as Record<string, unknown>;
  const imported = (await import(pathToFileURL(join(folder, entry.import.default)).href)) as Record<string, unknown>;

  for (const [format, module] of [['require', required], ['import', imported]] as const) {
    const missing = names.filter((exported) => typeof module[exported] !== 'function' && typeof module[exported] !== 'object');
    if (missing.length > 0) {
      failures += 1;
      console.error(`${specifier} (${format}): missing ${missing.join(', ')}`);
    }
  }
}

console.log(failures === 0 ? `${Object.keys(expected).length} entry points load through require and import.` : `${failures} entry point checks failed.`);
process.exit(failures === 0 ? 0 : 1);
