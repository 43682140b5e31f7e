#!/usr/bin/env node
// Installed entry point: runs the compiled CLI in dist/ (written by `npm ci`, `npm run build`). In a
// checkout without dist/ it runs the TypeScript sources through tsx, a dev dependency.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/sensorctl.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/sensorctl.ts'));
}
process.exitCode = await main(process.argv);
