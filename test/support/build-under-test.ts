/** The `DeviceBuild` the cloud tests run: the real builder core through the cloud seam. */
export { runDeviceBuild as buildUnderTest } from '../../cloud/builder-core.js';
export const IS_REAL_CORE = true;
