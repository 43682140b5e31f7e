/** Text rendering of an import report for `sensorctl import` (pure). */
import type { ImportReport } from '../../agent/import/importer.js';
import { SHORT_STEP_DIVISOR, type FaultKind } from '../../agent/import/profile.js';

const LABELS: Record<FaultKind, string> = {
  malformed: 'malformed lines', empty: 'empty values', invalidCode: 'invalid codes', outOfRange: 'out of range', duplicate: 'already stored (before this import)',
  conflict: 'conflicting duplicates (same instant, another value: this row; the row kept so far)', repeat: 'repeated rows (same instant and value, stored once)',
  nonMonotonic: 'non-monotonic steps', zeroStep: 'duplicate timestamps (step 0)', shortStep: 'short steps', gap: 'gaps > 5× typical interval',
};

const dur = (ms: number | undefined) =>
  ms === undefined ? '-' : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(2)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** The report as printed: assumptions per group of files, a per-series table, first locations of each fault. */
export function formatImportReport(report: ImportReport, run: { elapsedMs: number; bytes: number; rowsPerS: number }): string {
  const out: string[] = [];
  for (const p of report.plans) {
    const files = p.files.length <= 3 ? p.files.join(', ') : `${p.files.length} files: ${p.files[0]} … ${p.files[p.files.length - 1]}`;
    out.push(`Assumed for ${files}:`, ...p.assumptions.map((a) => `  ${a}`));
  }
  for (const s of report.skippedFiles) out.push(`${s.file}: skipped: ${s.reason}`);
  for (const m of report.mixedZoneFiles) {
    out.push(`WARNING ${m.file}: ${m.zoneless} of ${m.zoned + m.zoneless} timestamps carry no zone while the others do; read in ${m.appliedZone}: ${m.firstZoneless.join(', ')}${m.zoneless > m.firstZoneless.length ? ', …' : ''}`);
  }
  if (report.offsetMs) out.push(`Rebased: every timestamp shifted by ${dur(report.offsetMs)} (${report.offsetMs} ms) so the newest sample is now.`);
  out.push('');
  const head = ['series', 'rows', 'stored', 'stored-before', 'conflict', 'repeat', 'malformed', 'empty', 'invalid', 'out-of-range', 'back-steps', 'step 0', 'short', 'gaps', 'longest gap', 'typical', 'first', 'last'];
  const rows = report.series.map((s) => [
    s.seriesId, s.rowsRead, s.stored, s.counts.duplicate, s.counts.conflict, s.counts.repeat, s.counts.malformed, s.counts.empty, s.counts.invalidCode, s.counts.outOfRange, s.counts.nonMonotonic,
    s.counts.zeroStep, s.shortStepThresholdMs === undefined ? s.counts.shortStep : `${s.counts.shortStep} (<${dur(s.shortStepThresholdMs)})`, s.counts.gap, dur(s.longestGapMs), dur(s.typicalIntervalMs), iso(s.firstTsMs), iso(s.lastTsMs),
  ].map(String));
  out.push(table([head, ...rows]), '');
  for (const s of report.series) {
    for (const [kind, locs] of Object.entries(s.firstLocations) as Array<[FaultKind, string[]]>) {
      const label = kind === 'shortStep' && s.shortStepThresholdMs !== undefined ? `short steps (< ${dur(s.shortStepThresholdMs)} = typical / ${SHORT_STEP_DIVISOR})` : LABELS[kind];
      if (locs.length) out.push(`${s.seriesId} ${label} (${s.counts[kind]}): ${locs.join(', ')}${s.counts[kind] > locs.length ? ', …' : ''}`);
    }
    if (s.longestBackStepMs) out.push(`${s.seriesId} longest step back: ${dur(s.longestBackStepMs)}`);
  }
  const skipped = report.skippedFiles.length ? ` (${plural(report.skippedFiles.length, 'skipped', 'skipped')})` : '';
  const duplicates = report.series.reduce((a, s) => a + s.counts.duplicate, 0);
  out.push('', `Read ${plural(report.files, 'file')}${skipped} (${(run.bytes / 1e6).toFixed(1)} MB) for device ${report.deviceId} in ${(run.elapsedMs / 1000).toFixed(1)} s: ${plural(report.rowsRead, 'row')} read, ${plural(report.stored, 'sample')} stored${duplicates ? `, ${duplicates} already stored` : ''}, ${run.rowsPerS} rows/s.`);
  const conflicts = report.series.reduce((a, s) => a + s.counts.conflict, 0);
  const repeats = report.series.reduce((a, s) => a + s.counts.repeat, 0);
  out.push(`Rows at an instant already read: ${conflicts} with another value (conflicting), ${repeats} with the same value (stored once). Rule: the ${report.duplicateRule} value read is stored (--duplicates ${report.duplicateRule}); a sample stored before this import is never replaced.`);
  const dc = report.decimalCommaFiles;
  if (dc.length) out.push(`Decimal commas detected in ${plural(dc.length, 'file')} (${dc.length <= 3 ? dc.join(', ') : `${dc[0]} … ${dc[dc.length - 1]}`}): the comma in their numbers was read as the decimal point; pass --no-decimal-comma if that is wrong.`);
  return out.join('\n');
}

/** `1 file`, `2 files`; `plural(2, 'skipped', 'skipped')` → `2 skipped`. */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/**
 * The line that explains an import that found nothing to store (no valid sample in any file, none
 * already stored either), or undefined when something valid was found. Such an import exits 1.
 */
export function nothingImported(report: ImportReport): string | undefined {
  const found = report.stored + report.series.reduce((a, s) => a + s.counts.duplicate, 0);
  if (found > 0) return undefined;
  if (report.files === 0) return 'Nothing imported: no file to read (folders are walked for files; *.md, LICENSE, README* and dot files are skipped).';
  if (report.skippedFiles.length === report.files) return `Nothing imported: ${report.files === 1 ? 'the file was' : `all ${report.files} files were`} skipped (see above).`;
  return 'Nothing imported: no row held a valid value (see the faults above).';
}
