/**
 * Composition root of the dashboard: reads the page URL and config.json, builds the API client and
 * wires the Dashboard to the browser (fetch, EventSource, history, timers).
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { ApiClient } from './api-client.js';
import { Dashboard, FRESHNESS_TICK_MS, showProblems } from './dashboard.js';
import { byId } from './dom.js';
import { resolvePageConfig } from './page-config.js';
import { loadPrefs, nextTheme, savePrefs } from './prefs.js';
import { parseRangeParams, parseViewState, viewStateToSearch } from './view-state.js';

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

async function readConfigJson(): Promise<unknown> {
  try {
    const res = await fetch(new URL('config.json', location.href).href, { cache: 'no-cache' });
    return res.ok ? ((await res.json()) as unknown) : undefined;
  } catch {
    return undefined; // absent or not JSON: defaults apply
  }
}

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const config = resolvePageConfig(params, await readConfigJson(), location.href);
  if (config.title) {
    byId('title').textContent = config.title;
    document.title = config.title;
  }
  const prefs = loadPrefs(storage());
  const themeButton = byId<HTMLButtonElement>('theme');
  const fahrenheit = byId<HTMLInputElement>('fahrenheit');
  const applyTheme = () => {
    if (prefs.theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = prefs.theme;
    themeButton.textContent = `Theme: ${prefs.theme}`;
  };
  applyTheme();
  fahrenheit.checked = prefs.fahrenheit;
  const overlay = byId<HTMLInputElement>('overlay');
  overlay.checked = prefs.overlay;
  const client = new ApiClient(config.apiBase, (input, init) => fetch(input, init));
  const parsed = parseViewState(params, config.devices);
  const parsedRange = parseRangeParams(params);
  showProblems(byId('url-problems'), [...config.problems, ...parsed.problems, ...parsedRange.problems]);
  // Spell the view out in the address from the start, so a copied link keeps it even if defaults change.
  history.replaceState(null, '', viewStateToSearch(parsed.state, params) + location.hash);
  const dashboard = new Dashboard(parsed.state, {
    client,
    devices: config.devices,
    now: () => Date.now(),
    prefs: () => ({ fahrenheit: prefs.fahrenheit, overlay: prefs.overlay }),
    pushUrl: (search) => history.pushState(null, '', search),
    replaceUrl: (search) => history.replaceState(null, '', search + location.hash),
    setTimer: (delayMs, fn) => {
      const id = setTimeout(fn, delayMs);
      return () => clearTimeout(id);
    },
    currentSearch: () => new URLSearchParams(location.search),
    openBuildEvents: (url) => new EventSource(url),
    refreshDeps: {
      openEvents: (url) => new EventSource(url),
      status: (url) => client.status(url),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  });
  addEventListener('popstate', () => {
    const search = new URLSearchParams(location.search);
    void dashboard.show(parseViewState(search, config.devices).state, { range: parseRangeParams(search).range });
  });
  setInterval(() => dashboard.tick(), FRESHNESS_TICK_MS);
  themeButton.addEventListener('click', () => {
    prefs.theme = nextTheme(prefs.theme);
    savePrefs(storage(), prefs);
    applyTheme();
    dashboard.redraw();
  });
  fahrenheit.addEventListener('change', () => {
    prefs.fahrenheit = fahrenheit.checked;
    savePrefs(storage(), prefs);
    dashboard.redraw();
  });
  overlay.addEventListener('change', () => {
    prefs.overlay = overlay.checked;
    savePrefs(storage(), prefs);
    dashboard.redraw();
  });
  // The system switching light/dark redraws the canvases in the new colours.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => dashboard.redraw());
  // A tab coming back from the background (timers throttled) checks at once.
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void dashboard.checkForNewBuild();
  });
  dashboard.followPushedBuilds();
  void client.devices().then((d) => dashboard.offerDevices(d.devices, d.defaultDevice), () => undefined);
  await dashboard.show(parsed.state, { fitWindow: !params.has('window'), range: parsedRange.range });
}

void start();
