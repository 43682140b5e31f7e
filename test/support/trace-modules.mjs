// Preload (`node --import ./test/support/trace-modules.mjs ...`) that records every module a process
// loads into the file named by TRACE_MODULES_FILE, one URL or path a line: ES modules through a
// module.register() resolve hook (it runs on the loader thread), CommonJS modules (the AWS SDK's
// packages, commander) from require.cache when the process exits. Used by test/cli/built-cli.test.ts.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.TRACE_MODULES_FILE;
if (!file) throw new Error('trace-modules: set TRACE_MODULES_FILE to the file that receives the module list');
register('./trace-modules-hooks.mjs', import.meta.url, { data: { file } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(file, Object.keys(cache).map((p) => `${p}\n`).join('')));
