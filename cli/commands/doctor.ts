/**
 * `sensorctl doctor [--json]`: checks I2C/GPIO/1-Wire access, clock sync, disk space for a year of
 * data, database integrity, cloud reachability and credentials, and snapshot freshness; prints a
 * checklist with fixes. Exit 0 when no check failed (warnings allowed), 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluate, isHealthy, type CheckResult } from '../../agent/doctor/doctor.js';
import { gatherFacts } from '../../platform/doctor-probes.js';
import { EXIT_FAILURE, globalOptions, snapshotDirOf, loadConfig, output } from '../context.js';

const MARK: Record<CheckResult['status'], string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** The checklist as text: one line per check, its fix indented below. */
export function formatChecklist(results: readonly CheckResult[]): string {
  const lines = results.flatMap((r) => [`${MARK[r.status]} ${r.title}: ${r.detail}`, ...(r.fix ? [`       fix: ${r.fix}`] : [])]);
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check hardware access, clock, disk, database, cloud and snapshots; print a checklist with fixes')
    .addHelpText('after', `
Exit codes: 0 no check failed (warnings allowed), 1 at least one failed, 2 usage/config error.
Environment: SENSORCTL_HW_ROOT looks for /dev, /sys and /run under another root (diagnostics, tests).

Examples:
  sensorctl doctor
  sudo -u sensorctl sensorctl --config /etc/sensorctl/config.json --data-dir /var/lib/sensorctl doctor
  sensorctl doctor --json | jq '.checks[] | select(.status != "ok")'`)
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const config = loadConfig(g);
      const raw = g.configPath ? (JSON.parse(readFileSync(g.configPath, 'utf8')) as { cloud?: Record<string, unknown> }) : {};
      const facts = await gatherFacts({
        hwRoot: process.env.SENSORCTL_HW_ROOT ?? '/',
        dataDir: g.dataDir,
        snapshotDir: snapshotDirOf(g, config),
        nowMs: Date.now(),
        sensors: config.sensors.map((s) => ({ id: s.id, type: s.type, intervalMs: s.intervalMs })),
        cloud: raw.cloud && typeof raw.cloud === 'object' ? raw.cloud : undefined,
        probeCloud: async (cloud) => (await import('../../aws/cloud-probe.js')).probeCloud(cloud),
      });
      const checks = evaluate(facts);
      const healthy = isHealthy(checks);
      output(g, { ok: healthy, checks }, () => formatChecklist(checks));
      if (!healthy) process.exitCode = EXIT_FAILURE;
    });
}
