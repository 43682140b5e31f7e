/**
 * `sensorctl serve [--port N] [--host H] [--static-dir DIR]`: the samples API and the page, from the
 * snapshots in the snapshot directory (`snapshotDirOf`: `storage.snapshotDir`, the service's
 * /run/sensorctl, else the data directory; read through `FsObjectStore`, the store the builder writes). No
 * sampling and no scheduled builds; `fresh=true` and refresh jobs build from the SQLite buffer
 * (`<data-dir>/sensorctl.db`) through `PiFreshBuilder`. Run it when the daemon (`sensorctl run`,
 * which serves the same API itself) is not running: the per-window lock is per process.
 * Composition root: reads config, wires the adapters, prints the URL, stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { APP_DIR } from '../../platform/app-dir.js';
import { startNodeServer } from '../../platform/node-http-api.js';
import { createPiApi } from '../../pi/pi-api.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { dbPath, defaultDevice, globalOptions, snapshotDirOf, parseHostOption, loadConfig, output, parsePortOption, untilSignal, UsageError } from '../context.js';

/** The built page beside this install (`web/dist`), when it exists. */
export const DEFAULT_STATIC_DIR = `${APP_DIR}/web/dist`;

/** Add `serve` to the program. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the samples API and the page from the stored snapshots (config storage.snapshotDir, the service\'s /run/sensorctl, else the data directory)')
    .option('--port <n>', 'TCP port (default: config http.port, 8080; 0 = any free port)')
    .option('--host <h>', 'address to listen on (default: config http.host, 127.0.0.1)')
    .option('--static-dir <dir>', 'directory of the page (default: web/dist of this install)')
    .addHelpText('after', `
Serves what \`sensorctl rebuild\` or \`sensorctl run\` wrote; refresh jobs and fresh=true build from
<data-dir>/sensorctl.db. Do not run it beside \`sensorctl run\` on the same data dir (run serves too).

Examples:
  sensorctl serve                                  http://127.0.0.1:8080
  sensorctl --data-dir /var/lib/sensorctl serve --host 0.0.0.0 --port 9000`)
    .action(async (opts: { port?: string; host?: string; staticDir?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const config = loadConfig(g);
      const port = parsePortOption(opts.port) ?? config.http.port;
      const host = parseHostOption(opts.host) ?? config.http.host;
      const staticDir = opts.staticDir ? resolve(opts.staticDir) : DEFAULT_STATIC_DIR;
      if (opts.staticDir && !existsSync(staticDir)) throw new UsageError(`--static-dir ${opts.staticDir}: no such directory`);
      const path = dbPath(g);
      const opened = existsSync(path) ? SqliteBuffer.openBest(path) : undefined;
      const buffer = opened?.buffer;
      if (opened?.readOnly) g.log.warn(`${opened.readOnly.path} is read-only (${opened.readOnly.reason}): serving the stored snapshots and samples; refresh builds cannot store theirs`, { path: opened.readOnly.path });
      if (!buffer) g.log.warn('no database; fresh reads and refresh jobs will fail until one exists', { path });
      const noDatabase = {
        build: async () => {
          throw new Error(`no database at ${path}; run \`sensorctl import\` or \`sensorctl run\` first`);
        },
      };
      const deviceId = defaultDevice(config, buffer);
      const { api, jobs } = createPiApi({
        snapshotDir: snapshotDirOf(g, config),
        deviceId,
        buffer,
        sampleDevices: buffer ? () => buffer.deviceIdsWithSamples() : undefined,
        fresh: buffer ? undefined : noDatabase,
        log: g.log,
        options: { corsOrigins: config.http.corsOrigins },
      });
      const server = await startNodeServer(api, host, port, existsSync(staticDir) ? { staticDir } : {});
      output(g, { url: server.url, dataDir: g.dataDir, deviceId }, () => `serving ${server.url} (data ${g.dataDir}, device ${deviceId})`);
      g.log.info('api listening', { url: server.url, staticDir: existsSync(staticDir) ? staticDir : undefined });
      const signal = await untilSignal();
      g.log.info('stopping', { signal });
      await server.close();
      await jobs.idle();
      buffer?.close();
    });
}
