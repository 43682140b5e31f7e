/** Text rendering of an import report for `sensorctl import` (pure). */
import type { ImportReport } from '../../agent/import/importer.js';
import type { FaultKind } from '../../agent/import/profile.js';

const LABELS: Record<FaultKind, string> = {
  malformed: 'malformed lines', empty: 'empty values', outOfRange: 'out of range', duplicate: 'duplicates (already stored)',
  nonMonotonic: 'non-monotonic steps', zeroStep: 'duplicate timestamps (step 0)', subMinute: 'sub-minute steps', gap: 'gaps > 5× typical interval',
};

const dur = (ms: number | undefined) =>
  ms === undefined ? '-' : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(2)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** The report as printed: assumptions per group of files, a per-series table, first locations of each fault. */
export function formatImportReport(r: ImportReport, run: { elapsedMs: number; bytes: number; rowsPerS: number }): string {
  const out: string[] = [];
  for (const p of r.plans) {
    const files = p.files.length <= 3 ? p.files.join(', ') : `${p.files.length} files: ${p.files[0]} … ${p.files[p.files.length - 1]}`;
    out.push(`Assumed for ${files}:`, ...p.assumptions.map((a) => `  ${a}`));
  }
  for (const s of r.skippedFiles) out.push(`Skipped ${s}`);
  if (r.offsetMs) out.push(`Rebased: every timestamp shifted by ${dur(r.offsetMs)} (${r.offsetMs} ms) so the newest sample is now.`);
  out.push('');
  const head = ['series', 'rows', 'stored', 'dup', 'malformed', 'empty', 'out-of-range', 'back-steps', 'step 0', '<1 min', 'gaps', 'longest gap', 'typical', 'first', 'last'];
  const rows = r.series.map((s) => [
    s.seriesId, s.rowsRead, s.stored, s.counts.duplicate, s.counts.malformed, s.counts.empty, s.counts.outOfRange, s.counts.nonMonotonic,
    s.counts.zeroStep, s.counts.subMinute, s.counts.gap, dur(s.longestGapMs), dur(s.typicalIntervalMs), iso(s.firstTsMs), iso(s.lastTsMs),
  ].map(String));
  out.push(table([head, ...rows]), '');
  for (const s of r.series) {
    for (const [kind, locs] of Object.entries(s.firstLocations) as Array<[FaultKind, string[]]>) {
      if (locs.length) out.push(`${s.seriesId} ${LABELS[kind]} (${s.counts[kind]}): ${locs.join(', ')}${s.counts[kind] > locs.length ? ', …' : ''}`);
    }
    if (s.longestBackStepMs) out.push(`${s.seriesId} longest step back: ${dur(s.longestBackStepMs)}`);
  }
  out.push('', `Imported ${r.files} files (${(run.bytes / 1e6).toFixed(1)} MB) for device ${r.deviceId} in ${(run.elapsedMs / 1000).toFixed(1)} s: ${r.rowsRead} rows read, ${r.stored} samples stored, ${run.rowsPerS} rows/s.`);
  return out.join('\n');
}
