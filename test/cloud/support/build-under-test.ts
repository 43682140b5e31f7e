/**
 * The `DeviceBuild` the cloud tests run. Until the builder core is merged this is the stand-in; the
 * lead switches it to the real seam after the merge:
 *   export { runDeviceBuild as buildUnderTest } from '../../../cloud/builder-core.js';
 * and sets IS_REAL_CORE = true (the edge-vs-cloud comparison then compares against the core too).
 */
export { standInBuild as buildUnderTest } from './stand-in-builder.js';
export const IS_REAL_CORE = false;
