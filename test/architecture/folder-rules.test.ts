/**
 * The folder rules of docs/architecture.md, as dependency-cruiser checks them (.dependency-cruiser.cjs),
 * plus the runtime globals a core file must not touch (dependency-cruiser sees imports, not globals).
 * One test per rule, so a failure names the rule; and a canary tree that breaks each rule on purpose,
 * so a rule that stopped matching anything fails here too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../..', import.meta.url).pathname;
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const require = createRequire(import.meta.url);
const ruleNames: string[] = require(CONFIG).forbidden.map((r: { name: string }) => r.name);
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}

/** Run dependency-cruiser over `dir` (cwd) with the project's rules; returns the violations. */
function cruise(cwd: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', '.'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (err) {
    out = (err as { stdout?: string }).stdout ?? ''; // exit code 1+ when violations are found; the JSON is on stdout
    if (!out) throw err;
  }
  return JSON.parse(out).summary.violations as Violation[];
}

const describe = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (loop: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

const rules = suite('folder rules (dependency-cruiser)');
const found = cruise(ROOT);

for (const name of ruleNames) {
  rules(`the tree breaks no '${name}' rule`, () => {
    const broken = found.filter((v) => v.rule.name === name).map(describe);
    assert.equal(broken, [], broken.join('\n'));
  });
}

rules('every rule fires on a canary tree that breaks it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'folder-rules-'));
  try {
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true } }),
      'builder/a.ts': "import { readFileSync } from 'node:fs';\nimport { b } from '../api/b.js';\nimport { x } from './x.js';\nexport const a = [readFileSync, b, x];\n",
      'builder/x.ts': "import { a } from './a.js';\nexport const x = () => a;\n",
      'api/b.ts': "import { p } from '../pi/p.js';\nexport const b = p;\n",
      'sensors/s.ts': "import { c } from '../agent/c.js';\nexport const s = c;\n",
      'agent/c.ts': "import { w } from '../aws/w.js';\nexport const c = w;\n",
      'aws/w.ts': "import { p } from '../pi/p.js';\nexport const w = p;\n",
      'pi/p.ts': "import { l } from '../cloud/l.js';\nexport const p = l;\n",
      'cloud/l.ts': "import { q } from '../pi/q.js';\nimport { t } from '../test/t.js';\nexport const l = [q, t];\n",
      'pi/q.ts': 'export const q = 1;\n',
      'test/t.ts': 'export const t = 1;\n',
      'web/src/page.ts': "import { c } from '../../agent/c.js';\nexport const page = c;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const fired = new Set(cruise(dir).map((v) => v.rule.name));
    assert.equal(ruleNames.filter((n) => !fired.has(n)), [], 'rules that did not fire on the canary tree');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

rules.run();

const globals = suite('core folders use no runtime globals');
const CORE_FOLDERS = ['builder', 'api', 'sensors', 'agent'];
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [path] : [];
  });

globals('no timers, process.* or Date.now() outside comments in builder/, api/, sensors/, agent/ (Clock and Scheduler are injected)', () => {
  const files = CORE_FOLDERS.flatMap((f) => walk(join(ROOT, f)));
  assert.ok(files.length > 60, `core files found: ${files.length}`);
  const offenders = files.filter((file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    return /\b(setTimeout|setInterval|setImmediate|process\.|Date\.now\(\))/.test(code);
  });
  assert.equal(offenders.map((f) => f.slice(ROOT.length)), []);
});

globals('keeps every API core file at most 300 lines', () => {
  for (const file of walk(join(ROOT, 'api'))) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    assert.ok(lines <= 300, `${file}: ${lines} lines`);
  }
});

globals.run();
