/**
 * cdk-nag's AwsSolutions pack on the synthesized stack, in `npm test`: zero findings that are not
 * acknowledged in `cloud/infra/nag-acknowledgements.ts` (each acknowledgement carries its reason).
 * Before issue 14's least-privilege work the pack reported 28 errors and 3 warnings. A canary stack
 * with a plain bucket proves the pack really runs here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../../../cloud/infra/app.js';
import { writeBuiltPage } from '../../support/built-page.js';

interface Violation { ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }

/** Synthesize `app` with the AwsSolutions pack; the findings left after acknowledgements. */
function nagFindings(app: App, outdir: string): { synthesized: boolean; violations: Violation[] } {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthesized = true;
  try {
    app.synth();
  } catch {
    synthesized = false;
  }
  let report: { pluginReports?: Array<{ violations: Violation[] }> } = {};
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  } catch {
    /* no report: nothing was found */
  }
  return { synthesized, violations: (report.pluginReports ?? []).flatMap((p) => p.violations) };
}

const nag = suite('cdk-nag AwsSolutions');

nag('the sensorctl stack has no unacknowledged finding, error or warning', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sensorctl-nag-'));
  const page = writeBuiltPage(); // with the page upload (its Lambda brings findings of its own)
  try {
    const { app, stack } = buildApp({ outdir, bundle: false, pageDir: page.dir });
    assert.ok(stack.pageDeployment, 'the page upload is part of the checked stack');
    const { synthesized, violations } = nagFindings(app, outdir);
    const text = violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`).join('\n');
    assert.equal(violations.length, 0, `unacknowledged findings:\n${text}`);
    assert.ok(synthesized);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    page.remove();
  }
});

nag('canary: a plain bucket in another stack is reported (the pack runs)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sensorctl-nag-canary-'));
  try {
    const app = new App({ outdir });
    new s3.Bucket(new Stack(app, 'Canary'), 'Plain');
    const { synthesized, violations } = nagFindings(app, outdir);
    assert.not.ok(synthesized, 'an error finding stops synthesis');
    assert.ok(violations.some((v) => v.ruleName === 'AwsSolutions-S1' && v.severity === 'error'), violations.map((v) => v.ruleName).join(' '));
    assert.ok(violations.some((v) => v.ruleName === 'AwsSolutions-S10'), 'enforceSSL missing is reported too');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

nag.run();
