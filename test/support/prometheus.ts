/**
 * Prometheus's own tools for tests: `promtool check metrics` (lint of the text exposition format)
 * and a real `prometheus` server started on 127.0.0.1 with a temp config that scrapes one target.
 * Debian package `prometheus`; tests register through `requiring(…, PROMETHEUS_MISSING, …)`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto.js';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMETHEUS_MISSING = [PROMTOOL, PROMETHEUS].filter((p) => !existsSync(p));
export const PROMETHEUS_HINT = 'apt-get install prometheus';

/** `promtool check metrics` over `text`: its exit code and what it printed (problems, one a line). */
export function promtoolCheck(text: string): { status: number; output: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}

/** The scrape config docs/prometheus.md shows, for one target `host:port`. */
export function scrapeConfig(target: string, scrapeInterval = '1s'): string {
  return [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    'scrape_configs:',
    '  - job_name: sensorctl',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: ['${target}']`,
    '',
  ].join('\n');
}

export interface PrometheusHandle {
  url: string;
  /** Instant query through the HTTP API; the `data.result` array. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  close(): Promise<void>;
}

/** Start prometheus scraping `target` every second, its TSDB in a temp dir. */
export async function startPrometheus(target: string): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, scrapeConfig(target));
  let log = '';
  const child: ChildProcess = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > until || child.exitCode !== null) throw new Error(`prometheus did not become ready:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async query(expr) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async close() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
