#!/usr/bin/env node
// Installed entry point: registers the tsx loader, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../cli/sensorctl.ts');
process.exitCode = await main(process.argv);
