import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNodeServer } from '../../platform/node-http-api.js';

const routes = suite('startNodeServer routes');

routes('a route answers its exact path before the page and the API; other paths are unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'routes-'));
  writeFileSync(join(dir, 'metrics'), 'a static file that must not win');
  writeFileSync(join(dir, 'index.html'), '<p>page</p>');
  const server = await startNodeServer(async () => new Response('api'), '127.0.0.1', 0, {
    staticDir: dir,
    routes: { '/metrics': async (req) => new Response(`metrics ${req.method} ${new URL(req.url).search}`) },
  });
  try {
    assert.is(await (await fetch(new URL('/metrics?x=1', server.url))).text(), 'metrics GET ?x=1');
    assert.not.match(await (await fetch(new URL('/metrics/', server.url))).text(), /^metrics/, 'exact paths only');
    assert.is(await (await fetch(new URL('/samples/latest', server.url))).text(), 'api');
    assert.is(await (await fetch(server.url)).text(), '<p>page</p>');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

routes.run();
