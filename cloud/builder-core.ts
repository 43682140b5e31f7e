/**
 * THE WIRING POINT to the builder core (the only file that imports it). Until the core's entry lands
 * on this branch, `runDeviceBuild` rejects with `BuildNotWiredError`; after the merge the lead replaces
 * its body with a call of the core's `runBuild(...)`, mapping `DeviceBuildRequest` onto its options and
 * its report onto `DeviceBuildResult` (see docs/cloud-builder.md, "Wiring").
 */
import type { DeviceBuild } from './build-port.js';

export class BuildNotWiredError extends Error {
  constructor() {
    super('builder core not wired: cloud/builder-core.ts must call the core runBuild (see docs/cloud-builder.md)');
    this.name = new.target.name;
  }
}

export const runDeviceBuild: DeviceBuild = async () => {
  throw new BuildNotWiredError();
};
