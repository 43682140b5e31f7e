/**
 * `sensorctl install` / `uninstall` as data: a plan of actions (pure, from facts about the target
 * system) and an executor that applies them under an install root with an injectable command runner,
 * so tests run in a temp directory and record commands instead of running useradd or systemctl.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UNIT_NAME, UNIT_PATH } from './unit.js';

/** Paths inside the install root (they are also what the unit names). */
export const CONFIG_DIR = '/etc/sensorctl';
export const CONFIG_PATH = '/etc/sensorctl/config.json';
export const DATA_DIR = '/var/lib/sensorctl';
/** Groups the service user joins: I2C device nodes and GPIO (Raspberry Pi OS grants them by udev rules). */
export const SERVICE_GROUPS = ['i2c', 'gpio'] as const;

/** One step. Paths are absolute inside the install root; `argv` is run by the runner. */
export type Action =
  | { kind: 'mkdir'; path: string; mode: number }
  | { kind: 'write'; path: string; content: string; mode: number; note: string }
  | { kind: 'remove'; path: string; recursive: boolean }
  | { kind: 'run'; argv: string[]; mayFail?: boolean }
  | { kind: 'skip'; what: string; reason: string };

/** What the planner needs to know about the target system. */
export interface SystemFacts {
  /** Install root (`/` on a real system). */
  prefix: string;
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  /** Which of CONFIG_PATH / UNIT_PATH already exist (root-relative paths). */
  existing: ReadonlySet<string>;
}

export interface InstallInput {
  user: string;
  unitText: string;
  starterConfig: string;
}

/** Options `--root` for the shadow tools (useradd(8) `-R`) when installing into another root. */
function rootArgs(prefix: string): string[] {
  return prefix === '/' ? [] : ['--root', prefix];
}

/**
 * The install plan: groups (if missing), user (if missing) and its groups, directories, the unit
 * (always rewritten), the starter config (only when none exists), then `systemctl daemon-reload`.
 * Idempotent: planning again on the resulting system adds no user, group or config.
 */
export function planInstall(facts: SystemFacts, input: InstallInput): Action[] {
  const { prefix } = facts;
  const actions: Action[] = [];
  for (const group of SERVICE_GROUPS) {
    if (!facts.groups.has(group)) actions.push({ kind: 'run', argv: ['groupadd', '--system', ...rootArgs(prefix), group] });
  }
  if (!facts.users.has(input.user)) {
    actions.push({
      kind: 'run',
      argv: ['useradd', '--system', '--user-group', '--home-dir', DATA_DIR, '--no-create-home', '--shell', '/usr/sbin/nologin',
        '--comment', 'sensorctl agent', ...rootArgs(prefix), input.user],
    });
  }
  actions.push({ kind: 'run', argv: ['usermod', '--append', '--groups', SERVICE_GROUPS.join(','), ...rootArgs(prefix), input.user] });
  actions.push({ kind: 'mkdir', path: CONFIG_DIR, mode: 0o755 });
  actions.push({ kind: 'mkdir', path: DATA_DIR, mode: 0o750 });
  if (prefix === '/') actions.push({ kind: 'run', argv: ['chown', `${input.user}:${input.user}`, DATA_DIR] });
  else actions.push({ kind: 'skip', what: `chown ${DATA_DIR}`, reason: 'install root is not /; StateDirectory= sets the owner at first start' });
  actions.push({
    kind: 'write', path: UNIT_PATH, content: input.unitText, mode: 0o644,
    note: facts.existing.has(UNIT_PATH) ? 'replaced' : 'created',
  });
  if (facts.existing.has(CONFIG_PATH)) actions.push({ kind: 'skip', what: `write ${CONFIG_PATH}`, reason: 'it exists; kept as is' });
  else actions.push({ kind: 'write', path: CONFIG_PATH, content: input.starterConfig, mode: 0o644, note: 'starter config' });
  if (prefix === '/') actions.push({ kind: 'run', argv: ['systemctl', 'daemon-reload'] });
  else actions.push({ kind: 'skip', what: 'systemctl daemon-reload', reason: 'install root is not /' });
  return actions;
}

/**
 * The uninstall plan: stop and disable the service, remove the unit, reload systemd. Config, data
 * and the user stay unless `purge` (then /etc/sensorctl, /var/lib/sensorctl and the user go; the
 * shared groups i2c and gpio always stay).
 */
export function planUninstall(facts: SystemFacts, options: { user: string; purge: boolean }): Action[] {
  const { prefix } = facts;
  const actions: Action[] = [];
  if (prefix === '/') actions.push({ kind: 'run', argv: ['systemctl', 'disable', '--now', UNIT_NAME], mayFail: true });
  actions.push({ kind: 'remove', path: UNIT_PATH, recursive: false });
  if (prefix === '/') actions.push({ kind: 'run', argv: ['systemctl', 'daemon-reload'] });
  if (options.purge) {
    actions.push({ kind: 'remove', path: CONFIG_DIR, recursive: true });
    actions.push({ kind: 'remove', path: DATA_DIR, recursive: true });
    if (facts.users.has(options.user)) actions.push({ kind: 'run', argv: ['userdel', ...rootArgs(prefix), options.user] });
  } else {
    actions.push({ kind: 'skip', what: `remove ${CONFIG_DIR} and ${DATA_DIR}`, reason: 'kept: data is never deleted without --purge' });
    actions.push({ kind: 'skip', what: `userdel ${options.user}`, reason: 'kept (use --purge to remove)' });
  }
  return actions;
}

/** Result of one command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command; never rejects for a non-zero exit (that is `code`). */
export type CommandRunner = (argv: string[]) => Promise<RunResult>;

/** The real runner: child_process.execFile, no shell. */
export const execRunner: CommandRunner = (argv) =>
  new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === 127 ? err.message : '') });
    });
  });

/** Names in an /etc/passwd- or /etc/group-style file (first field); empty when the file is absent. */
function namesIn(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  return new Set(readFileSync(path, 'utf8').split('\n').map((l) => l.split(':')[0]).filter(Boolean));
}

/** Read the facts of the system under `prefix`. */
export function readFacts(prefix: string): SystemFacts {
  const existing = new Set([CONFIG_PATH, UNIT_PATH].filter((p) => existsSync(join(prefix, p))));
  return { prefix, users: namesIn(join(prefix, 'etc/passwd')), groups: namesIn(join(prefix, 'etc/group')), existing };
}

/** One line per action, for `--dry-run` and for the report of what was done. */
export function describe(action: Action): string {
  switch (action.kind) {
    case 'mkdir': return `mkdir -p -m ${action.mode.toString(8)} ${action.path}`;
    case 'write': return `write ${action.path} (mode ${action.mode.toString(8)}, ${action.note})`;
    case 'remove': return `${action.recursive ? 'rm -r' : 'rm'} ${action.path}`;
    case 'run': return action.argv.map((a) => (/[\s']/.test(a) ? `'${a}'` : a)).join(' ');
    case 'skip': return `skip: ${action.what} (${action.reason})`;
  }
}

/** A step that failed; carries the step and the command's stderr. */
export class ApplyError extends Error {
  constructor(readonly step: string, detail: string) {
    super(`step failed: ${step}: ${detail}`);
    this.name = new.target.name;
  }
}

/**
 * Apply `actions` in order under `prefix`. Stops at the first failure (a command with a non-zero
 * exit unless `mayFail`, or a file system error) and throws ApplyError; what ran before stays, and
 * running the install again continues from there (the plan is idempotent).
 * @param onDone called after each step with its description.
 */
export async function applyPlan(prefix: string, actions: Action[], run: CommandRunner, onDone: (line: string) => void): Promise<void> {
  for (const action of actions) {
    const line = describe(action);
    const at = (p: string) => join(prefix, p);
    try {
      if (action.kind === 'mkdir') {
        mkdirSync(at(action.path), { recursive: true, mode: action.mode });
        chmodSync(at(action.path), action.mode);
      } else if (action.kind === 'write') {
        mkdirSync(dirname(at(action.path)), { recursive: true });
        writeFileSync(at(action.path), action.content, { mode: action.mode });
        chmodSync(at(action.path), action.mode);
      } else if (action.kind === 'remove') {
        rmSync(at(action.path), { recursive: action.recursive, force: true });
      } else if (action.kind === 'run') {
        const r = await run(action.argv);
        if (r.code !== 0 && !action.mayFail) throw new ApplyError(line, `exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      }
    } catch (err) {
      if (err instanceof ApplyError) throw err;
      throw new ApplyError(line, (err as Error).message);
    }
    onDone(line);
  }
}
