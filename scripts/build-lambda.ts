/**
 * `npm run build:lambda`: each Lambda bundled by the stack's own `bundleLambda`
 * (cloud/infra/lambda-code.ts: the one bundling) into dist/lambda/<name>/index.mjs, and zipped with
 * yazl into dist/lambda/<name>.zip (handler `index.handler`) for a deployment without the CDK.
 */
import { createWriteStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { bundleLambda, LAMBDA_ENTRIES, REPO_ROOT, type LambdaName } from '../cloud/infra/lambda-code.js';

const OUT = join(REPO_ROOT, 'dist', 'lambda');

function zip(files: Array<[string, string]>, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    // Fixed mtime so the same code gives the same zip.
    for (const [name, path] of files) z.addBuffer(readFileSync(path), name, { mtime: new Date('2020-01-01T00:00:00Z'), mode: 0o644 });
    z.outputStream.pipe(createWriteStream(target)).on('close', () => resolve()).on('error', reject);
    z.end();
  });
}

rmSync(OUT, { recursive: true, force: true });
for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
  if (!existsSync(join(REPO_ROOT, LAMBDA_ENTRIES[name]))) continue;
  const bundle = bundleLambda(name, join(OUT, name));
  const target = join(OUT, `${name}.zip`);
  await zip([['index.mjs', bundle], ['index.mjs.map', `${bundle}.map`]], target);
  console.log(`${LAMBDA_ENTRIES[name]} -> dist/lambda/${name}.zip (${(statSync(target).size / 1024).toFixed(0)} KiB, handler index.handler)`);
}
