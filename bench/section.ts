/**
 * The shape of a benchmark section. `bench/run.ts` runs the sections listed in
 * `bench/sections/index.ts` in order, prints one table of their figures and writes the same figures to
 * `bench/results/latest.json`. To add yours: write `bench/sections/<area>.ts` exporting
 * `BenchSection`s and append them to the list. Not a test: nothing here asserts.
 */

/** One measured number, with its unit in the name or in `unit` (`rows/s`, `ms`, `bytes/sample`). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run (e.g. the SQLite GROUP BY time). */
  baseline?: { name: string; value: number; unit: string };
  /** `value / baseline.value` (same unit), when there is a baseline. */
  ratio?: number;
  note?: string;
}

export interface BenchContext {
  /** A temp folder for this run, removed afterwards. */
  tmpDir: string;
  /** Command-line flags: `--year` (or BENCH_YEAR=1) enables the generated 12.6 M-sample year. */
  flags: { year: boolean };
  /** Hand-over between sections, e.g. `primary.dbPath` (the imported bme280-livingroom buffer). */
  shared: Map<string, unknown>;
  /** Progress line on stderr. */
  log(message: string): void;
}

export interface BenchSection {
  /** Short id, shown as the first column: `import/primary`, `groupby/primary`, `builder/full`, … */
  name: string;
  /** Sections whose `ctx.shared` output this one reads; `--only` runs them too. */
  needs?: string[];
  /** Why a section did not run (e.g. needs `--year`), or undefined to run it. */
  skip?(ctx: BenchContext): string | undefined;
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** Wall time of `fn` in ms (performance.now), with its result. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}
