/**
 * The dashboard in Chromium against the cloud on one machine (local/cloud-local.ts): the page, its
 * config.json, the API and the live push all come through the router that follows the stack's
 * CloudFront behaviours, over the real peers with a day of demo samples. A refresh is held on the
 * queue until the page shows the job queued from the event stream, then built by the builder Lambda's
 * handler; the page's loading state ends by push (no status polling). Real clock: the local cloud's
 * builds are stamped with it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { silentLog } from '../../builder/ports.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { startLocalCloud, type LocalCloud } from '../../local/cloud-local.js';
import { launchChromium } from '../support/web-browser.js';
import { CONTEXT, cards, it, shot } from '../support/web-page.js';

let cloud: LocalCloud | undefined;
let browser: Browser | undefined;

const page = suite('dashboard on the local cloud');
page.before(async () => {
  browser = await launchChromium();
  if (browser) cloud = await startLocalCloud({ seedDemo: true, log: silentLog, schedules: false });
});
page.after(async () => {
  await cloud?.close();
  await browser?.close();
});

it(page)('draws the demo device\'s charts from the router, and a refresh\'s live push ends its loading state', async () => {
  const context = await browser!.newContext(CONTEXT);
  const tab = await context.newPage();
  const paths: string[] = [];
  const latestQueries: URLSearchParams[] = [];
  tab.on('request', (r) => {
    const url = new URL(r.url());
    paths.push(url.pathname);
    if (url.pathname === '/samples/latest') latestQueries.push(url.searchParams);
  });
  await tab.goto(`${cloud!.url}/?window=1d`);
  await tab.waitForFunction(() => document.body.dataset.view === 'ready' && !document.body.dataset.loading);
  const drawn = await cards(tab);
  assert.equal(drawn.map((c) => c.id).sort(), ['sim.pressurePa', 'sim.rhPct', 'sim.tempC']);
  for (const c of drawn) {
    assert.ok(c.points > 0, `${c.id}: ${c.points} points`);
    assert.ok(c.canvases > 0, `${c.id}: drawn on a canvas`);
  }
  assert.ok(paths.includes('/config.json') && paths.includes('/samples/latest'), `requests: ${paths.join(', ')}`);
  const firstGeneratedAt = await tab.getAttribute('#charts', 'data-generated-at');
  assert.ok(firstGeneratedAt);
  await shot(tab, 'cloud-local-ready');

  await cloud!.pauseQueue();
  const loadsBeforeRefresh = latestQueries.length;
  await tab.click('#refresh');
  // Queued, as the event stream says (the job waits on the held queue); not "(checking status)".
  await tab.waitForFunction(() => /^Waiting for the builder…$/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  assert.is(await tab.getAttribute('body', 'data-refresh-state'), 'running');
  cloud!.resumeQueue();
  await tab.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.is(await tab.textContent('#refresh-text'), 'Updated.');
  const refreshed = await tab.getAttribute('#charts', 'data-generated-at');
  assert.ok(Date.parse(refreshed!) > Date.parse(firstGeneratedAt!), `${refreshed} after ${firstGeneratedAt}`);
  // The page loaded the job's result URL, which pins the version the refresh published: a cache key
  // CloudFront has never seen, so its edge cannot answer with the snapshot from before (issue 14).
  const afterRefresh = latestQueries.slice(loadsBeforeRefresh);
  assert.is(afterRefresh.length, 1, `latest loads after the refresh: ${afterRefresh.join(' | ')}`);
  const loaded = afterRefresh[0];
  const meta = (await (await fetch(`${cloud!.url}/samples/latest/meta?window=1d&samples=${loaded.get('samples')}&device=demo`)).json()) as SnapshotMeta;
  assert.ok(meta.versionId);
  assert.is(loaded.get('versionId'), meta.versionId, `loaded ?${loaded}`);
  assert.is(meta.generatedAt, refreshed);
  const jobPaths = paths.filter((p) => p.startsWith('/samples/refresh/'));
  assert.ok(jobPaths.some((p) => p.endsWith('/events')), `job requests: ${jobPaths.join(', ')}`);
  assert.equal(jobPaths.filter((p) => !p.endsWith('/events')), [], 'the status URL was never polled: the push ended the loading state');
  await shot(tab, 'cloud-local-refreshed');
  await context.close();
});

page.run();
