/**
 * `sensorctl doctor` core: turns facts about the machine (gathered by `doctor-probes.ts`) into a
 * checklist of results with fixes. Pure: no I/O, no clock (the time is a fact).
 */

/** Outcome of one check. `fail` makes `sensorctl doctor` exit 1; `warn` and `skip` do not. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: 'i2c' | 'gpio' | 'one-wire' | 'clock' | 'disk' | 'database' | 'wal' | 'cloud' | 'snapshots';
  title: string;
  status: CheckStatus;
  /** What was found, with numbers and units. */
  detail: string;
  /** What to do about a warn/fail; absent when ok. */
  fix?: string;
}

import { unwritableFix } from '../buffer/errors.js';
import { WAL_FAIL_BYTES, WAL_WARN_BYTES, walVerdict } from '../buffer/wal.js';

/** Bytes one stored sample costs on disk, estimate (row + index + journal share). */
export const BYTES_PER_SAMPLE = 40;
export const YEAR_MS = 365 * 86_400_000;

/** A device node or directory and whether the current user may read and write it. */
export interface NodeAccess {
  path: string;
  isAccessible: boolean;
}

export interface DoctorFacts {
  nowMs: number;
  /** /dev/i2c-* nodes. */
  i2cDevices: NodeAccess[];
  /** Whether any configured sensor needs the I2C bus / GPIO / 1-Wire (then absence is a failure). */
  needs: { i2c: boolean; gpio: boolean; oneWire: boolean };
  /** /sys/class/gpio (the export file) when present, and /dev/gpiochip* nodes. */
  gpioSysfs: NodeAccess | undefined;
  gpioChips: NodeAccess[];
  /** Entries of /sys/bus/w1/devices, or undefined when the directory is absent. */
  oneWireDevices: string[] | undefined;
  /** `timedatectl show -p NTPSynchronized --value` → true/false; undefined when it could not tell. */
  ntpSynchronized: boolean | undefined;
  /** /run/systemd/timesync/synchronized exists. */
  timesyncFlag: boolean;
  disk: { path: string; freeBytes: number } | undefined;
  /** Sample rates: series × samples per year, summed (see `samplesPerYear`). */
  samplesPerYear: number;
  rateSource: string;
  /** Bytes already in the database (0 when none). */
  dbBytes: number;
  /** Bytes of the write-ahead log `<db>-wal` (0 when absent). */
  walBytes: number;
  /** `PRAGMA quick_check` rows, or `undefined` when there is no database file; `error` when it would not open. */
  database: { path: string; quickCheck?: string[]; error?: string } | undefined;
  /** Whether the database and its directory can be written; `path` and `reason` when not. */
  storage: { isWritable: true } | { isWritable: false; path: string; reason: string };
  /** Damaged databases the agent moved aside (its marker next to the file), oldest first. */
  recoveries: Array<{ detectedAt: string; reason: string; movedTo: string }>;
  /** The marker file listing them. */
  recoveryMarker: string;
  /** Cloud check, when `cloud` is configured. */
  cloud: { table: string; region: string; outcome: CloudOutcome; message: string } | undefined;
  /** Meta files under <snapshotDir>/snapshots/<device>/ (`resolveSnapshotDir`). */
  snapshotMetas: Array<{ device: string; key: string; generatedAtMs?: number; expiresAtMs?: number; isStale: boolean; unreadable?: string }>;
}

/** What the DescribeTable probe found. `denied`: the credentials were accepted but lack DescribeTable. */
export type CloudOutcome = 'ok' | 'denied' | 'no-credentials' | 'bad-credentials' | 'no-table' | 'unreachable' | 'error';

/** Samples per year of `series` series sampled every `intervalMs`. */
export function samplesPerYear(series: number, intervalMs: number): number {
  return series * (YEAR_MS / intervalMs);
}

/** `12345678` → `11.8 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function hardware(id: 'i2c' | 'gpio', title: string, nodes: NodeAccess[], isNeeded: boolean, group: string, enable: string): CheckResult {
  if (nodes.length === 0) {
    return { id, title, status: isNeeded ? 'fail' : 'warn', detail: 'not present on this machine', fix: enable };
  }
  const denied = nodes.filter((n) => !n.isAccessible);
  if (denied.length) {
    return {
      id, title, status: 'fail',
      detail: `${nodes.length} found, no read/write access to ${denied.map((n) => n.path).join(', ')}`,
      fix: `add the service user to group ${group} (sudo usermod -aG ${group} sensorctl) and log in again`,
    };
  }
  return { id, title, status: 'ok', detail: `${nodes.map((n) => n.path).join(', ')} accessible` };
}

function clock(facts: DoctorFacts): CheckResult {
  const title = 'Clock synchronised';
  if (facts.ntpSynchronized === true || (facts.ntpSynchronized === undefined && facts.timesyncFlag)) {
    return { id: 'clock', title, status: 'ok', detail: 'NTP synchronised' };
  }
  const fix = 'enable time sync: sudo timedatectl set-ntp true (systemd-timesyncd), and check network access to NTP (UDP 123)';
  if (facts.ntpSynchronized === false) return { id: 'clock', title, status: 'warn', detail: 'NTP not synchronised: samples may carry a wrong time', fix };
  return { id: 'clock', title, status: 'warn', detail: 'sync state unknown (no timedatectl answer, no /run/systemd/timesync/synchronized)', fix };
}

function disk(facts: DoctorFacts): CheckResult {
  const title = 'Disk space for a year of data';
  const needBytes = Math.max(0, facts.samplesPerYear * BYTES_PER_SAMPLE - facts.dbBytes);
  const need = `${formatBytes(facts.samplesPerYear * BYTES_PER_SAMPLE)} for a year (${Math.round(facts.samplesPerYear).toLocaleString('en')} samples × ${BYTES_PER_SAMPLE} B; ${facts.rateSource})`;
  if (!facts.disk) return { id: 'disk', title, status: 'warn', detail: `${need}; free space unknown`, fix: 'create the data directory' };
  const detail = `${need}; ${formatBytes(facts.disk.freeBytes)} free at ${facts.disk.path}`;
  if (facts.disk.freeBytes < needBytes) return { id: 'disk', title, status: 'fail', detail, fix: 'free space, use a larger SD card/SSD, or sample less often (sensors[].intervalMs)' };
  if (facts.disk.freeBytes < 1.5 * needBytes) return { id: 'disk', title, status: 'warn', detail: `${detail} (less than 50% headroom)`, fix: 'plan more space before the year is full' };
  return { id: 'disk', title, status: 'ok', detail };
}

function database(facts: DoctorFacts): CheckResult {
  const title = 'Database integrity';
  if (!facts.storage.isWritable) {
    return {
      id: 'database', title, status: 'fail',
      detail: `${facts.storage.path} is read-only (${facts.storage.reason}): the agent cannot store samples`,
      fix: unwritableFix(facts.storage.reason).replace(/^Fix: /, ''),
    };
  }
  if (!facts.database) return { id: 'database', title, status: 'skip', detail: 'no database yet (sensorctl run creates it)' };
  const { path, quickCheck, error } = facts.database;
  if (error) return { id: 'database', title, status: 'fail', detail: `${path}: ${error}`, fix: 'check file permissions; restore from backup if the file is damaged' };
  if (quickCheck && quickCheck.length === 1 && quickCheck[0] === 'ok') {
    const detail = `${path}: quick_check ok (${formatBytes(facts.dbBytes)})`;
    const last = facts.recoveries.at(-1);
    if (!last) return { id: 'database', title, status: 'ok', detail };
    return {
      id: 'database', title, status: 'warn',
      detail: `${detail}; ${facts.recoveries.length} damaged database(s) moved aside, the last at ${last.detectedAt} (${last.reason}) to ${last.movedTo}`,
      fix: `samples before then are in the moved file: sqlite3 ${last.movedTo} ".recover" | sqlite3 recovered.db; once dealt with, delete ${facts.recoveryMarker}`,
    };
  }
  return {
    id: 'database', title, status: 'fail',
    detail: `${path}: quick_check reported ${quickCheck?.length ?? 0} problem(s): ${(quickCheck ?? []).slice(0, 3).join('; ')}`,
    fix: 'stop the service, copy the file aside, then try: sqlite3 sensorctl.db ".recover" | sqlite3 recovered.db',
  };
}

function wal(facts: DoctorFacts): CheckResult {
  const title = 'Write-ahead log size';
  if (!facts.database) return { id: 'wal', title, status: 'skip', detail: 'no database yet' };
  const status = walVerdict(facts.walBytes);
  const detail = `${facts.database.path}-wal: ${formatBytes(facts.walBytes)} (warn above ${formatBytes(WAL_WARN_BYTES)}, fail above ${formatBytes(WAL_FAIL_BYTES)})`;
  if (status === 'ok') return { id: 'wal', title, status, detail };
  return {
    id: 'wal', title, status, detail,
    fix: 'a long-running reader (an export, another sensorctl) keeps SQLite from truncating it: end it; the service then truncates the WAL within an hour (journalctl -u sensorctl | grep WAL)',
  };
}

const CLOUD_FIX: Record<CloudOutcome, string | undefined> = {
  ok: undefined,
  denied: undefined,
  'no-credentials': 'provide credentials: /etc/sensorctl/aws.env (0600 root) or LoadCredential= (docs/install-pi.md)',
  'bad-credentials': 'the access key is unknown, expired or mistyped: create a new one for the Pi user (docs/deploy-aws.md)',
  'no-table': 'set cloud.table and cloud.region to the stack outputs (SamplesTableName)',
  unreachable: 'check the network, DNS and cloud.region; the Pi buffers samples meanwhile',
  error: 'see the message; run with --log-level debug',
};

function cloud(facts: DoctorFacts): CheckResult {
  const title = 'Cloud reachability and credentials';
  if (!facts.cloud) return { id: 'cloud', title, status: 'skip', detail: 'no cloud section in the config' };
  const c = facts.cloud;
  const where = `table ${c.table} in ${c.region}`;
  if (c.outcome === 'ok') return { id: 'cloud', title, status: 'ok', detail: `${where}: reachable, credentials accepted` };
  if (c.outcome === 'denied') {
    return { id: 'cloud', title, status: 'ok', detail: `${where}: reachable, credentials accepted (DescribeTable denied, as the least-privilege Pi policy intends)` };
  }
  return { id: 'cloud', title, status: 'fail', detail: `${where}: ${c.outcome}: ${c.message}`, fix: CLOUD_FIX[c.outcome] };
}

function snapshots(facts: DoctorFacts): CheckResult {
  const title = 'Snapshot freshness';
  if (facts.snapshotMetas.length === 0) return { id: 'snapshots', title, status: 'warn', detail: 'no window object (latest_<w>.snapshots) under <snapshot dir>/snapshots yet (after a reboot the service rebuilds them at start)', fix: 'start the service (sensorctl run) or run sensorctl rebuild' };
  const unreadable = facts.snapshotMetas.filter((m) => m.unreadable);
  const stale = facts.snapshotMetas.filter((m) => m.isStale);
  const overdue = facts.snapshotMetas.filter((m) => m.expiresAtMs !== undefined && m.expiresAtMs < facts.nowMs);
  const newest = Math.max(...facts.snapshotMetas.map((m) => m.generatedAtMs ?? -Infinity));
  const devices = [...new Set(facts.snapshotMetas.map((m) => m.device))];
  const age = Number.isFinite(newest) ? `newest ${Math.round((facts.nowMs - newest) / 1000)} s old` : 'none built yet';
  const detail = `${facts.snapshotMetas.length} snapshot meta(s) for ${devices.join(', ')}; ${age}; ${stale.length} stale, ${overdue.length} overdue, ${unreadable.length} unreadable`;
  if (unreadable.length || stale.length || overdue.length) {
    return { id: 'snapshots', title, status: 'warn', detail, fix: 'check the builder in the journal: journalctl -u sensorctl -p warning' };
  }
  return { id: 'snapshots', title, status: 'ok', detail };
}

/** Every check, in checklist order. */
export function evaluate(facts: DoctorFacts): CheckResult[] {
  const gpioNodes = [...(facts.gpioSysfs ? [facts.gpioSysfs] : []), ...facts.gpioChips];
  const oneWire: CheckResult = facts.oneWireDevices === undefined
    ? { id: 'one-wire', title: '1-Wire bus', status: facts.needs.oneWire ? 'fail' : 'warn', detail: '/sys/bus/w1/devices not present', fix: 'enable 1-Wire: add dtoverlay=w1-gpio to /boot/firmware/config.txt and reboot' }
    : { id: 'one-wire', title: '1-Wire bus', status: 'ok', detail: `${facts.oneWireDevices.filter((d) => !d.startsWith('w1_bus_master')).length} device(s): ${facts.oneWireDevices.join(', ') || 'none'}` };
  return [
    hardware('i2c', 'I2C bus', facts.i2cDevices, facts.needs.i2c, 'i2c', 'enable I2C: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in /boot/firmware/config.txt) and reboot'),
    hardware('gpio', 'GPIO', gpioNodes, facts.needs.gpio, 'gpio', 'GPIO needs a Raspberry Pi (or another board exposing /dev/gpiochip*)'),
    oneWire,
    clock(facts),
    disk(facts),
    database(facts),
    wal(facts),
    cloud(facts),
    snapshots(facts),
  ];
}

/** True when no check failed: exit code 0. */
export function isHealthy(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status !== 'fail');
}
