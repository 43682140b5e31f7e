/**
 * `sensorctl run`: the daemon. Samples the configured sensors (a simulated one when none are
 * configured) into the SQLite buffer, rebuilds each window's snapshots on its cadence, applies
 * retention, uploads to DynamoDB when `cloud` is configured, and serves the API and the page.
 * Stops cleanly on SIGINT/SIGTERM. `npm start` runs it with the embedded defaults.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { startDaemon } from '../../pi/daemon.js';
import { globalOptions, snapshotDirOf, loadConfig, output, parseHostOption, parsePortOption, untilSignal } from '../context.js';
import { DEFAULT_STATIC_DIR } from './serve.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('the daemon: sample sensors, build snapshots on schedule, upload (when configured), serve the API and page')
    .option('--port <n>', 'HTTP port (default: config http.port, 8080; 0 = any free port)')
    .option('--host <h>', 'HTTP address (default: config http.host, 127.0.0.1)')
    .addHelpText(
      'after',
      `
With no "sensors" in the config file a simulated sensor (temperature, humidity, pressure with
noise and a daily cycle) is sampled, and the log says so.

Examples:
  sensorctl run                                   # http://127.0.0.1:8080, data in ./var
  sensorctl --data-dir /var/lib/sensorctl --config /etc/sensorctl/config.json run
  SENSORCTL_LOG_LEVEL=debug sensorctl run --port 9000`,
    )
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const config = loadConfig(g);
      const start = () => startDaemon({
        config,
        dataDir: g.dataDir,
        snapshotDir: snapshotDirOf(g, config),
        log: g.log,
        staticDir: existsSync(DEFAULT_STATIC_DIR) ? DEFAULT_STATIC_DIR : undefined,
        host: parseHostOption(opts.host),
        port: parsePortOption(opts.port),
      });
      let daemon = await start();
      // Listen for SIGTERM/SIGINT before saying it runs: a stop sent on seeing that line stops it cleanly.
      const signalled = untilSignal();
      output(g, { url: daemon.url, dataDir: g.dataDir, deviceId: config.deviceId }, () => `sensorctl running: open ${daemon.url} (data ${g.dataDir}, device ${config.deviceId}; Ctrl-C stops)`);
      g.log.info('daemon started', { url: daemon.url, device: config.deviceId, dataDir: g.dataDir, config: g.configPath ?? '(defaults)' });
      // A database found damaged while running: stop, and start again (the open moves the file aside).
      for (;;) {
        const next = await Promise.race([signalled.then((signal) => ({ signal })), daemon.damaged.then(() => ({ signal: undefined }))]);
        if (next.signal) {
          g.log.info('stopping', { signal: next.signal });
          break;
        }
        await daemon.stop();
        daemon = await start();
        g.log.info('daemon restarted on a fresh database', { url: daemon.url });
      }
      await daemon.stop();
      g.log.info('stopped');
    });
}
