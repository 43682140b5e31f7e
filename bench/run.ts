/**
 * `npm run bench [-- --year] [-- --only PREFIX] [-- --fleet-sizes 10,50,200]`: runs the sections of `bench/sections/index.ts`, prints
 * one table and writes the same figures as JSON to `bench/results/latest.json`. Not a test.
 * `--only PREFIX` runs the sections whose name starts with PREFIX (`builder`, `api/loopback`, …) and,
 * transitively, the sections they need. Each section also reports its wall time and peak RSS.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, Figure } from './section.js';
import { SECTIONS } from './sections/index.js';

interface SectionResult {
  name: string;
  durationMs: number;
  /** Highest resident set size of this process while the section ran (MB); see `peakRss`. */
  peakRssMb?: number;
  /** RSS when the section started (MB): memory earlier sections left behind (V8 keeps its heap). */
  startRssMb?: number;
  skipped?: string;
  error?: string;
  figures: Figure[];
}

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (args.includes('--only') && (!only || only.startsWith('--'))) {
  console.error(`--only needs a section name or prefix; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
if (only && !SECTIONS.some((s) => s.name.startsWith(only))) {
  console.error(`--only ${only}: no such section; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const ctx: BenchContext = {
  tmpDir: mkdtempSync(join(tmpdir(), 'sensorctl-bench-')),
  flags: { year: args.includes('--year') || process.env.BENCH_YEAR === '1' },
  shared: new Map(),
  log: (m) => process.stderr.write(`${m}\n`),
};

/** With `--only PREFIX`: the matching sections and, transitively, the sections they need. */
const wanted = new Set<string>();
const want = (name: string): void => {
  if (wanted.has(name)) return;
  wanted.add(name);
  for (const n of SECTIONS.find((s) => s.name === name)?.needs ?? []) want(n);
};
if (only) for (const s of SECTIONS) if (s.name.startsWith(only)) want(s.name);

/**
 * Per-section peak RSS on Linux: writing `5` to /proc/self/clear_refs resets the VmHWM high-water
 * mark (proc(5)), which is read back from /proc/self/status after the section. Elsewhere the
 * process-lifetime peak (`process.resourceUsage().maxRSS`) is all there is.
 */
const peakRss = {
  perSection: true,
  reset(): void {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
    } catch {
      this.perSection = false;
    }
  },
  readMb(): number {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      if (kb && this.perSection) return Number(kb) / 1024; // kB (KiB) → MiB
    } catch {
      // not Linux
    }
    this.perSection = false;
    return process.resourceUsage().maxRSS / 1024; // KiB → MiB
  },
};

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));

const startedAt = new Date();
const loadBefore = loadavg();
const results: SectionResult[] = [];
try {
  for (const s of SECTIONS) {
    if (only && !wanted.has(s.name)) continue;
    const skipped = s.skip?.(ctx);
    if (skipped) {
      results.push({ name: s.name, durationMs: 0, skipped, figures: [] });
      continue;
    }
    ctx.log(`bench: ${s.name} …`);
    peakRss.reset();
    const startRssMb = process.memoryUsage.rss() / 2 ** 20;
    const t0 = performance.now();
    try {
      const figures = await s.run(ctx);
      results.push({ name: s.name, durationMs: performance.now() - t0, peakRssMb: peakRss.readMb(), startRssMb, figures });
    } catch (err) {
      results.push({ name: s.name, durationMs: performance.now() - t0, peakRssMb: peakRss.readMb(), startRssMb, error: String((err as Error).stack ?? err), figures: [] });
    }
  }
} finally {
  rmSync(ctx.tmpDir, { recursive: true, force: true });
}
const totalS = (Date.now() - startedAt.getTime()) / 1000;

const rssNote = peakRss.perSection ? 'VmHWM reset before the section' : 'process lifetime peak (no per-section reset here)';
const rows = [['section', 'figure', 'value', 'unit', 'baseline', 'ratio', 'note']];
for (const r of results) {
  if (r.skipped || r.error) rows.push([r.name, r.skipped ? 'skipped' : 'ERROR', '', '', '', '', (r.skipped ?? r.error!.split('\n')[0])]);
  for (const f of r.figures) {
    const base = f.baseline ? `${fmt(f.baseline.value)} ${f.baseline.unit} (${f.baseline.name})` : '';
    rows.push([r.name, f.name, fmt(f.value), f.unit, base, f.ratio === undefined ? '' : f.ratio.toFixed(3), f.note ?? '']);
  }
  if (!r.skipped) {
    rows.push([r.name, 'section time', fmt(r.durationMs / 1000), 's', '', '', '']);
    if (r.peakRssMb !== undefined) rows.push([r.name, 'peak RSS', fmt(r.peakRssMb), 'MB', '', '', `${fmt(r.startRssMb ?? 0)} MB at section start; ${rssNote}`]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(rows.map((r) => r.map((c, i) => (i === 2 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n'));
const loadAfter = loadavg();
console.log(`\ntotal ${totalS.toFixed(0)} s; load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);

const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify({
  generatedAt: new Date().toISOString(),
  startedAt: startedAt.toISOString(),
  totalSeconds: totalS,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform, loadAvgBefore: loadBefore, loadAvgAfter: loadAfter },
  flags: { ...ctx.flags, only: only ?? null },
  sections: results,
}, null, 2) + '\n');
console.log(`written: bench/results/latest.json`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
