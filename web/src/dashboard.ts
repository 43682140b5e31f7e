/**
 * The page's behaviour: load the cached snapshot for the view (payload + meta in parallel), draw it,
 * keep "last updated" ticking, and run a refresh job with progress on request. A failure never
 * leaves a broken chart: the last good charts stay (and say what they show), or an empty state
 * carries the message. Wired by main.ts; the DOM skeleton is web/public/index.html.
 */
import { WINDOWS, WINDOW_NAMES, type Window } from '../../builder/constants.js';
import type { Payload, PublishedBuild, RangePayload, SnapshotMeta } from '../../builder/types.js';
import { ApiError, latestPath, type ApiClient, type SnapshotResponse } from './api-client.js';
import { toChartSeries, type ChartSeries, type DisplayPrefs } from './chart-data.js';
import { renderChart, renderOverlay, type ChartView } from './chart-view.js';
import { byId, h, show } from './dom.js';
import { formatAge, freshnessOf } from './freshness.js';
import { newestSampleText, seriesAge } from './data-age.js';
import { isNewBuild, nextCheckDelayMs } from './live.js';
import { devicePicker, samplesPicker, windowPicker, type DevicePicker } from './pickers.js';
import { followRefreshJob, type RefreshDeps, type RefreshProgress } from './refresh-job.js';
import { utcOffsetRange } from './time-zone.js';
import { RANGE_INPUT_FORMAT, deviceChoices, localInputValue, parseRangeInputs, rangeText, rangeToSearch, viewStateToSearch, type TimeRange, type ViewState } from './view-state.js';

/** How often the "last updated" line is re-worded, in ms. */
export const FRESHNESS_TICK_MS = 5_000;

export interface DashboardDeps {
  readonly client: ApiClient;
  readonly devices: readonly string[];
  readonly refreshDeps: RefreshDeps;
  readonly now: () => number;
  /** Put the view into the page URL (history.pushState). */
  readonly pushUrl: (search: string) => void;
  readonly currentSearch: () => URLSearchParams;
  /** Replace the page URL (history.replaceState), for the first view chosen from the data. */
  readonly replaceUrl?: (search: string) => void;
  /** Display preferences (°F); default none. */
  readonly prefs?: () => DisplayPrefs;
  /** Run `fn` after `delayMs` (setTimeout); returns a cancel function. Absent: the page does not follow new builds. */
  readonly setTimer?: (delayMs: number, fn: () => void) => () => void;
  /** Open `GET /samples/builds` (new EventSource(url)). Absent: no push, only the meta's schedule. */
  readonly openBuildEvents?: (url: string) => BuildEventSource;
}

/** What the page uses of an `EventSource` on `GET /samples/builds`. */
export interface BuildEventSource {
  readonly readyState: number;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'build', listener: (event: { data: string }) => void): void;
  close(): void;
}

/** `EventSource.CLOSED`: the browser gave up (a 404 where builds are not pushed) and will not reconnect. */
const EVENT_SOURCE_CLOSED = 2;

/**
 * The smallest window that holds all of a payload's data, when it is smaller than the payload's own
 * (a young database: 3 hours of samples read better in 10h than as a few dots in 1d).
 */
export function windowTheDataFills(payload: Payload): Window | undefined {
  const toMs = Date.parse(payload.to);
  let oldestMs = Infinity;
  for (const s of payload.series) {
    for (const p of s.points) {
      const t = 'startMs' in p ? (p.count > 0 ? p.startMs : Infinity) : p.value !== null ? p.tsMs : Infinity;
      if (t < oldestMs) oldestMs = t;
    }
  }
  if (!Number.isFinite(oldestMs)) return undefined;
  const fits = WINDOW_NAMES.find((w) => WINDOWS[w].spanMs >= toMs - oldestMs);
  return fits !== undefined && WINDOWS[fits].spanMs < WINDOWS[payload.window].spanMs ? fits : undefined;
}

interface Shown {
  readonly state: ViewState;
  readonly snapshot: SnapshotResponse;
  readonly meta: SnapshotMeta | undefined;
}

function describe(state: ViewState): string {
  return `${WINDOWS[state.window].label} at ${state.samples} points${state.device ? ` for ${state.device}` : ''}`;
}

/** `s` ending in a full stop (server messages usually lack one). */
function sentence(s: string): string {
  return /[.!?)]$/.test(s) ? s : `${s}.`;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError && err.code === 'not_built') return `No snapshot has been built for this view yet (HTTP ${err.status} not_built); it appears after the builder's next run, or use Refresh.`;
  return sentence(err instanceof Error ? err.message : String(err));
}

export class Dashboard {
  private state: ViewState;
  private shown: Shown | undefined;
  private charts: ChartView[] = [];
  private loadSeq = 0;
  private retry: (() => void) | undefined;
  private refreshing = false;
  private cancelCheck: (() => void) | undefined;
  /** Whether the first view may still be narrowed to the window the data fills (the URL named no window). */
  private mayFitWindow = false;
  private readonly el = {
    charts: byId('charts'), empty: byId('empty'), freshness: byId('freshness'), stale: byId('stale-banner'),
    source: byId('source-note'), error: byId('error'), errorText: byId('error-text'), retry: byId<HTMLButtonElement>('retry'),
    refresh: byId<HTMLButtonElement>('refresh'), refreshStatus: byId('refresh-status'), refreshText: byId('refresh-text'),
    refreshProgress: byId<HTMLProgressElement>('refresh-progress'), showing: byId('showing'), tz: byId('tz'),
    dataAge: byId('data-age'), zoomBar: byId('zoom-bar'), zoomText: byId('zoom-text'), zoomReset: byId<HTMLButtonElement>('zoom-reset'),
    rangeFrom: byId<HTMLInputElement>('range-from'), rangeTo: byId<HTMLInputElement>('range-to'), rangeShow: byId<HTMLButtonElement>('range-show'),
    rangeError: byId('range-error'),
  };
  /** The range shown after a drag or the From/To inputs (also in the URL as `from`/`to`), or undefined for the window snapshot. */
  private zoomed: TimeRange | undefined;
  /** The range drawn (not the snapshot) and when it was read (page clock, epoch ms); undefined while a snapshot is drawn. */
  private rangeShown: { range: RangePayload; readAtMs: number } | undefined;
  private readonly setWindow: (w: ViewState['window']) => void;
  private readonly setSamples: (g: ViewState['samples']) => void;
  private readonly devicePicker: DevicePicker;

  constructor(initial: ViewState, private readonly deps: DashboardDeps) {
    this.state = initial;
    this.setWindow = windowPicker(byId<HTMLFieldSetElement>('window-picker'), (window) => this.navigate({ ...this.state, window }));
    this.setSamples = samplesPicker(byId<HTMLFieldSetElement>('samples-picker'), (samples) => this.navigate({ ...this.state, samples }));
    this.devicePicker = devicePicker(byId('device-picker'), byId<HTMLSelectElement>('device'), deviceChoices(deps.devices, initial),
      (device) => this.navigate({ ...this.state, device }));
    this.el.refresh.addEventListener('click', () => void this.refresh());
    this.el.retry.addEventListener('click', () => this.retry?.());
    this.el.zoomReset.addEventListener('click', () => this.resetZoom());
    this.el.rangeShow.addEventListener('click', () => this.showTypedRange());
    for (const input of [this.el.rangeFrom, this.el.rangeTo]) {
      input.placeholder = RANGE_INPUT_FORMAT;
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.showTypedRange(); });
    }
    this.syncPickers();
  }

  /**
   * Show `state` (from the URL on start and on back/forward). `fitWindow`: the URL named no window, so
   * a young database may get a smaller one. `range`: the URL's `from`/`to`, read from the range endpoint.
   */
  show(state: ViewState, opts: { fitWindow?: boolean; range?: TimeRange } = {}): Promise<void> {
    this.state = state;
    this.zoomed = undefined;
    this.mayFitWindow = opts.fitWindow ?? false;
    this.syncPickers();
    if (opts.range) return this.zoom(opts.range.fromMs, opts.range.toMs, { pushUrl: false });
    return this.load({ revalidate: false });
  }

  /** The From/To inputs' range: shown through the range endpoint, or what is wrong with it under the inputs. */
  private showTypedRange(): void {
    const parsed = parseRangeInputs(this.el.rangeFrom.value, this.el.rangeTo.value);
    if ('error' in parsed) {
      this.el.rangeError.textContent = parsed.error;
      show(this.el.rangeError, true);
      return;
    }
    void this.zoom(parsed.range.fromMs, parsed.range.toMs);
  }

  /** Put `range` into the From/To inputs (unless the user is typing in them). */
  private fillRangeInputs(range: TimeRange): void {
    const active = document.activeElement;
    if (active === this.el.rangeFrom || active === this.el.rangeTo) return;
    this.el.rangeFrom.value = localInputValue(range.fromMs);
    this.el.rangeTo.value = localInputValue(range.toMs, true);
  }

  /** Offer the devices with samples (`GET /samples/devices`) besides config.json's; `defaultDevice` is what the API serves when the view names none. */
  offerDevices(devices: readonly string[], defaultDevice: string | undefined): void {
    const all = [...new Set([...this.deps.devices, ...devices, ...deviceChoices([], this.state)])];
    this.devicePicker.offer(all, defaultDevice);
  }

  /**
   * Listen to the builds the server pushes (`GET /samples/builds`, the Pi): a build of the view shown
   * is checked for at once instead of when its meta says it is due. The meta schedule stays as the
   * safety net (builds by another process are not pushed) and is all there is where the route is a
   * 404 (the cloud). `data-push` on <body>: `open`, `reconnecting` or `unavailable`.
   */
  followPushedBuilds(): void {
    if (!this.deps.openBuildEvents) return;
    const source = this.deps.openBuildEvents(this.deps.client.url('/samples/builds'));
    let hasOpened = false;
    source.addEventListener('open', () => {
      document.body.dataset.push = 'open';
      if (hasOpened) void this.checkForNewBuild(); // builds published while reconnecting were not heard
      hasOpened = true;
    });
    source.addEventListener('error', () => {
      document.body.dataset.push = source.readyState === EVENT_SOURCE_CLOSED ? 'unavailable' : 'reconnecting';
    });
    source.addEventListener('build', (event) => this.onPushedBuild(event.data));
  }

  private onPushedBuild(data: string): void {
    let build: Partial<PublishedBuild>;
    try {
      build = JSON.parse(data) as Partial<PublishedBuild>;
    } catch {
      return;
    }
    const shown = this.shown;
    if (!shown || this.zoomed) return;
    const p = shown.snapshot.payload;
    if (build.device !== p.device || build.window !== p.window || build.granularity !== p.granularity) return;
    document.body.dataset.pushedBuilds = String(Number(document.body.dataset.pushedBuilds ?? 0) + 1);
    void this.checkForNewBuild();
  }

  /** Ask for the meta now and swap in a newer build if there is one (also when the page becomes visible again). */
  async checkForNewBuild(): Promise<void> {
    const shown = this.shown;
    if (this.zoomed) return; // a zoomed view is a fixed range; following resumes on Reset zoom
    if (!shown || this.refreshing) return this.scheduleCheck();
    const seq = this.loadSeq;
    let meta: SnapshotMeta;
    try {
      meta = await this.deps.client.meta(shown.state, { revalidate: true });
    } catch {
      return this.scheduleCheck(); // the next check tries again; the banner speaks from the last meta read
    }
    if (seq !== this.loadSeq || this.shown !== shown) return;
    if (isNewBuild(shown.meta ?? { generatedAt: shown.snapshot.payload.generatedAt, versionId: null }, meta)) {
      // The version the meta names, by its own URL: the plain URL may still be cached with the old copy
      // (CloudFront keeps it for the window's TTL). A window rendered on read (`live`) stores no version.
      const pinned = shown.snapshot.source === 'live' ? undefined : latestPath(shown.state, meta.versionId);
      await this.load({ revalidate: true, live: true, resultUrl: pinned, meta: pinned ? meta : undefined });
      return;
    }
    this.shown = { ...shown, meta };
    this.tick();
    this.scheduleCheck();
  }

  private scheduleCheck(): void {
    this.cancelCheck?.();
    this.cancelCheck = undefined;
    if (!this.deps.setTimer) return;
    const delayMs = nextCheckDelayMs(this.shown?.meta, this.state.window, this.deps.now());
    document.body.dataset.nextCheckMs = String(delayMs);
    this.cancelCheck = this.deps.setTimer(delayMs, () => void this.checkForNewBuild());
  }

  /**
   * Re-word the header: for a snapshot "last updated N ago", the data's age and the stale banner; for
   * a range read from `/samples/range` (zoom or From/To) what it is and when it was read
   * ("range 2019-09-30 17:10 – 17:50, read 3 min ago"), never the snapshot's age. Called every FRESHNESS_TICK_MS.
   */
  tick(): void {
    if (this.rangeShown) return this.tickRange(this.rangeShown);
    const s = this.shown;
    if (!s) return;
    delete this.el.freshness.dataset.readAt;
    const f = freshnessOf(s.meta, s.snapshot.lastUpdated ?? s.snapshot.payload.generatedAt, this.deps.now());
    this.el.freshness.textContent = f.text;
    this.el.freshness.title = '';
    if (f.generatedMs !== undefined) {
      this.el.freshness.dataset.generatedAt = new Date(f.generatedMs).toISOString();
      this.el.freshness.title = new Date(f.generatedMs).toLocaleString();
    }
    this.el.freshness.dataset.stale = String(f.isStale);
    this.el.stale.textContent = f.banner ?? '';
    show(this.el.stale, f.banner !== undefined);
    const age = newestSampleText(s.snapshot.payload, this.deps.now());
    this.el.dataAge.textContent = age.text;
    if (age.newestMs !== undefined) this.el.dataAge.dataset.newestAt = new Date(age.newestMs).toISOString();
    else delete this.el.dataAge.dataset.newestAt;
  }

  private tickRange({ range, readAtMs }: { range: RangePayload; readAtMs: number }): void {
    const read = formatAge(this.deps.now() - readAtMs);
    this.el.freshness.textContent = `range ${rangeText(Date.parse(range.from), Date.parse(range.to))}, read ${read}`;
    this.el.freshness.title = `Read from the raw samples at ${new Date(readAtMs).toLocaleString()}`;
    this.el.freshness.dataset.readAt = new Date(readAtMs).toISOString();
    delete this.el.freshness.dataset.generatedAt;
    this.el.freshness.dataset.stale = 'false';
    // The stale banner and the newest-sample age speak of the snapshot, which is not what is shown.
    show(this.el.stale, false);
    this.el.dataAge.textContent = '';
    delete this.el.dataAge.dataset.newestAt;
  }

  private syncPickers(): void {
    this.setWindow(this.state.window);
    this.setSamples(this.state.samples);
    this.devicePicker.set(this.state.device);
  }

  /**
   * Show `[fromMs, toMs]` from `GET /samples/range`, downsampled to the plot's pixel columns (a drag on
   * a chart, the From/To inputs, or `from`/`to` in the URL). `pushUrl` (default true) records the range
   * in the page URL, so a reload or a shared link shows it again.
   */
  async zoom(fromMs: number, toMs: number, opts: { pushUrl?: boolean } = {}): Promise<void> {
    const seq = ++this.loadSeq;
    this.cancelCheck?.();
    this.zoomed = { fromMs, toMs };
    show(this.el.rangeError, false);
    if (opts.pushUrl ?? true) this.deps.pushUrl(rangeToSearch(this.zoomed, this.deps.currentSearch()));
    // Pixel columns: a drawn plot's width, else the chart area's (a link that opens on a range).
    const columns = this.el.charts.querySelector<HTMLElement>('.plot')?.clientWidth || Math.max(280, this.el.charts.clientWidth - 40) || 1000;
    document.body.dataset.loading = 'true';
    try {
      const range = await this.deps.client.range(this.state, fromMs, toMs, columns);
      if (seq !== this.loadSeq) return;
      this.showError(undefined);
      this.drawRange(range, this.deps.now());
    } catch (err) {
      if (seq === this.loadSeq) this.showError(`Could not load the samples of that range. ${messageOf(err)}`, () => void this.zoom(fromMs, toMs, { pushUrl: false }));
    } finally {
      if (seq === this.loadSeq) delete document.body.dataset.loading;
    }
  }

  private resetZoom(): void {
    this.zoomed = undefined;
    this.deps.pushUrl(rangeToSearch(undefined, this.deps.currentSearch()));
    void this.load({ revalidate: false });
  }

  /** Draw what is shown again (after a theme or unit change). */
  redraw(): void {
    if (this.zoomed && this.rangeShown) this.drawRange(this.rangeShown.range, this.rangeShown.readAtMs);
    else if (this.shown) this.draw(this.shown);
  }

  private drawRange(range: RangePayload, readAtMs: number): void {
    this.rangeShown = { range, readAtMs };
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const fromMs = Date.parse(range.from);
    const toMs = Date.parse(range.to);
    const tz = utcOffsetRange(fromMs, toMs);
    const prefs = this.deps.prefs?.() ?? {};
    this.renderCharts(range.series.map((s) => toChartSeries(s, 'raw', prefs)), null, `Local time (${tz})`, prefs, () => undefined);
    const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    const how = range.resolution === 'raw' ? `${range.samplesRead} raw samples` : `${range.samplesRead} samples, first/min/max/last per pixel column`;
    this.el.zoomText.textContent = `Zoomed to ${fmt.format(fromMs)} – ${fmt.format(toMs)} · ${how}`;
    show(this.el.zoomBar, true);
    this.fillRangeInputs({ fromMs, toMs });
    this.el.tz.textContent = tz;
    // What is shown is the range, not the window's snapshot (also when a link opened on it: no snapshot was read).
    this.el.showing.textContent = `Custom range · ${range.resolution === 'raw' ? 'raw samples' : 'first/min/max/last per pixel column'} · device ${range.device}`;
    this.el.charts.dataset.zoomed = 'true';
    this.el.charts.dataset.resolution = range.resolution;
    document.body.dataset.view = 'ready';
    this.tick();
  }

  private navigate(state: ViewState): void {
    this.state = state;
    this.mayFitWindow = false;
    this.zoomed = undefined;
    this.deps.pushUrl(rangeToSearch(undefined, new URLSearchParams(viewStateToSearch(state, this.deps.currentSearch()))));
    void this.load({ revalidate: false });
  }

  private showError(message: string | undefined, retry?: () => void): void {
    this.el.errorText.textContent = message ?? '';
    this.retry = retry;
    show(this.el.retry, retry !== undefined);
    show(this.el.error, message !== undefined);
  }

  /** `meta`: the meta the payload at `resultUrl` belongs to (else it is read beside it). */
  private async load(opts: { revalidate: boolean; resultUrl?: string; live?: boolean; meta?: SnapshotMeta }): Promise<void> {
    const seq = ++this.loadSeq;
    const state = this.state;
    this.cancelCheck?.();
    this.el.charts.setAttribute('aria-busy', 'true');
    if (!opts.live) document.body.dataset.loading = 'true';
    const [snap, meta] = await Promise.allSettled([
      this.deps.client.latest(state, { revalidate: opts.revalidate, resultUrl: opts.resultUrl }),
      opts.meta ?? this.deps.client.meta(state, { revalidate: opts.revalidate }),
    ]);
    if (seq !== this.loadSeq) return; // a newer view was asked for meanwhile
    if (snap.status === 'rejected' && opts.meta && snap.reason instanceof ApiError && snap.reason.status === 404) {
      return this.load({ revalidate: true, live: opts.live }); // that version is gone already (a newer one replaced it): the current one
    }
    this.el.charts.setAttribute('aria-busy', 'false');
    delete document.body.dataset.loading;
    if (snap.status === 'rejected') {
      const what = `Could not load ${describe(state)}. ${messageOf(snap.reason)}`;
      const kept = this.shown ? ` Still showing ${describe(this.shown.state)}.` : '';
      this.showError(what + kept, () => void this.load(opts));
      if (!this.shown) {
        this.emptyState(`Nothing to draw yet. ${messageOf(snap.reason)}`);
        this.el.showing.textContent = `${describe(state)}: not available`;
        this.el.freshness.textContent = 'no data';
        this.el.tz.textContent = utcOffsetRange(this.deps.now(), this.deps.now());
      }
      document.body.dataset.view = this.shown ? 'kept' : 'empty';
      this.scheduleCheck();
      return;
    }
    this.showError(undefined);
    const fits = this.mayFitWindow ? windowTheDataFills(snap.value.payload) : undefined;
    this.mayFitWindow = false;
    if (fits !== undefined) {
      this.state = { ...state, window: fits };
      this.deps.replaceUrl?.(viewStateToSearch(this.state, this.deps.currentSearch()));
      this.syncPickers();
      return this.load(opts);
    }
    this.draw({ state, snapshot: snap.value, meta: meta.status === 'fulfilled' ? meta.value : undefined });
    if (opts.live) document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates ?? 0) + 1);
    this.scheduleCheck();
  }

  private emptyState(message: string): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.el.empty.textContent = message;
    show(this.el.empty, true);
    this.el.charts.dataset.state = 'empty';
  }

  private draw(shown: Shown): void {
    const { payload } = shown.snapshot;
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.shown = shown;
    this.rangeShown = undefined;
    const fromMs = Date.parse(payload.from);
    const toMs = Date.parse(payload.to);
    const tz = utcOffsetRange(fromMs, toMs);
    this.el.tz.textContent = tz;
    this.el.showing.textContent = `${WINDOWS[payload.window].label} · ${payload.resolution === 'raw' ? 'raw samples' : `${payload.granularity} points`} · device ${payload.device}`;
    if (payload.series.length === 0) {
      this.emptyState(`The snapshot for ${describe(shown.state)} holds no series.`);
    } else {
      show(this.el.empty, false);
      this.el.charts.dataset.state = 'ready';
      const nowMs = this.deps.now();
      const prefs = this.deps.prefs?.() ?? {};
      const columns = payload.series.map((s) => toChartSeries(s, payload.resolution, prefs));
      this.renderCharts(columns, payload.bucketMs, `Local time (${tz})`, prefs, (i) => seriesAge(payload.series[i], payload, nowMs).warning);
    }
    this.el.charts.dataset.window = payload.window;
    this.el.charts.dataset.granularity = String(payload.granularity);
    this.el.charts.dataset.resolution = payload.resolution;
    this.el.charts.dataset.generatedAt = payload.generatedAt;
    delete this.el.charts.dataset.zoomed;
    show(this.el.zoomBar, false);
    this.fillRangeInputs({ fromMs, toMs });
    document.body.dataset.view = 'ready';
    const isFallback = shown.snapshot.source === 'fallback';
    this.el.source.textContent = isFallback
      ? 'This data comes from the Pi’s fallback copy: the cloud build is not available right now.'
      : '';
    show(this.el.source, isFallback);
    this.tick();
  }

  /**
   * One card per series, or with the overlay option one card per display unit shared by several
   * gauges (bucketed averages or raw samples; counters and bearings keep their own cards).
   * @param warningOf the silent-sensor warning of `columns[i]`, if any (single cards only).
   */
  private renderCharts(columns: readonly ChartSeries[], bucketMs: number | null, axisLabel: string, prefs: DisplayPrefs, warningOf: (i: number) => string | undefined): void {
    const onZoom = (a: number, b: number) => void this.zoom(a, b);
    const overlaid = new Set<string>();
    if (prefs.overlay) {
      for (const unit of new Set(columns.map((c) => c.unit))) {
        const same = columns.filter((c) => c.unit === unit && (c.style === 'band' || c.style === 'points'));
        const view = renderOverlay(this.el.charts, same, axisLabel, onZoom);
        if (view) {
          this.charts.push(view);
          for (const c of same) overlaid.add(c.id);
        }
      }
    }
    columns.forEach((cs, i) => {
      if (!overlaid.has(cs.id)) this.charts.push(renderChart(this.el.charts, cs, bucketMs, axisLabel, warningOf(i), onZoom));
    });
  }

  private setRefresh(state: 'idle' | 'running' | 'done' | 'failed', text: string, progress?: number): void {
    this.el.refreshStatus.dataset.refreshState = state;
    document.body.dataset.refreshState = state;
    this.el.refreshText.textContent = text;
    show(this.el.refreshStatus, state !== 'idle');
    const p = this.el.refreshProgress;
    show(p, state === 'running');
    if (progress === undefined) p.removeAttribute('value');
    else p.value = progress;
    this.el.refresh.disabled = state === 'running';
    this.el.refresh.setAttribute('aria-busy', String(state === 'running'));
  }

  private onProgress = (p: RefreshProgress): void => {
    const pct = p.progress === undefined ? '' : ` ${Math.round(p.progress * 100)} %`;
    const via = p.via === 'polling' ? ' (checking status)' : '';
    this.setRefresh('running', p.phase === 'queued' ? `Waiting for the builder…${via}` : `Building${pct}…${via}`, p.progress);
  };

  /** POST a refresh job, follow it (SSE, else polling) and swap in the new data when it is done. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    const state = this.state;
    this.setRefresh('running', 'Asking for fresh data…');
    try {
      const job = await this.deps.client.refresh(state);
      const eta = job.etaMs !== undefined && job.etaMs > 0 ? ` (about ${Math.max(1, Math.round(job.etaMs / 1000))} s)` : '';
      this.setRefresh('running', `Refresh queued${eta}…`);
      const deps: RefreshDeps = {
        ...this.deps.refreshDeps,
        openEvents: (url) => this.deps.refreshDeps.openEvents(this.deps.client.url(url)),
      };
      const outcome = await followRefreshJob(job, deps, this.onProgress);
      const sameView = state === this.state;
      await this.load({ revalidate: true, resultUrl: sameView ? outcome.resultUrl : undefined });
      if (this.el.error.hidden) this.setRefresh('done', 'Updated.');
      else this.setRefresh('failed', 'The refresh finished, but loading its result failed.');
    } catch (err) {
      this.setRefresh('failed', 'Refresh failed.');
      this.showError(`Refresh failed: ${messageOf(err)}`, () => void this.refresh());
    } finally {
      this.refreshing = false;
    }
  }
}

/** Small helper for main.ts: a visible list of URL/config problems (never fatal). */
export function showProblems(node: HTMLElement, problems: readonly string[]): void {
  node.replaceChildren(...problems.map((p) => h('p', {}, p)));
  show(node, problems.length > 0);
}
