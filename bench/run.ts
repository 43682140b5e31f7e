/**
 * `npm run bench [-- --year] [-- --only PREFIX]`: runs the sections of `bench/sections/index.ts`, prints
 * one table and writes the same figures as JSON to `bench/results/latest.json`. Not a test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, Figure } from './section.js';
import { SECTIONS } from './sections/index.js';

interface SectionResult {
  name: string;
  durationMs: number;
  skipped?: string;
  error?: string;
  figures: Figure[];
}

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
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

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));

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
    const t0 = performance.now();
    try {
      const figures = await s.run(ctx);
      results.push({ name: s.name, durationMs: performance.now() - t0, figures });
    } catch (err) {
      results.push({ name: s.name, durationMs: performance.now() - t0, error: String((err as Error).stack ?? err), figures: [] });
    }
  }
} finally {
  rmSync(ctx.tmpDir, { recursive: true, force: true });
}

const rows = [['section', 'figure', 'value', 'unit', 'note']];
for (const r of results) {
  if (r.skipped || r.error) rows.push([r.name, r.skipped ? 'skipped' : 'ERROR', '', '', (r.skipped ?? r.error!.split('\n')[0])]);
  for (const f of r.figures) rows.push([r.name, f.name, fmt(f.value), f.unit, f.note ?? '']);
  if (!r.skipped && !r.error) rows.push([r.name, 'section time', fmt(r.durationMs / 1000), 's', '']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(rows.map((r) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n'));

const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify({
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform },
  flags: ctx.flags,
  sections: results,
}, null, 2) + '\n');
console.log(`\nwritten: bench/results/latest.json`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
