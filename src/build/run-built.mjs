// `npm start`, `npm run imagine`, `npm run admin`, `npm run commands:register`: runs one entry point of the
// plain-JavaScript build (dist/) in this same process with plain node, compiling first when dist/ is
// missing or was built from other sources. Usage: node src/build/run-built.mjs src/main.js [args…]
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, projectRoot } from './build.mjs';

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined || isAbsolute(entry) || !entry.endsWith('.js')) {
  process.stderr.write('usage: node src/build/run-built.mjs <entry under dist/, e.g. src/main.js> [args…]\n');
  process.exit(2);
}

const outDir = join(projectRoot, 'dist');
try {
  await ensureBuilt({ root: projectRoot, outDir });
} catch (error) {
  process.stderr.write(`nano-imagine: ${/** @type {Error} */ (error).message}\n`);
  process.exit(1);
}

// The entry sees itself as the script node was started with (argv[1]), as under `node dist/<entry>`.
const script = join(outDir, entry);
process.argv = [process.argv[0] ?? process.execPath, script, ...args];
await import(pathToFileURL(script).href);
