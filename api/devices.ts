/** Choosing the device a request is about. */
import { ApiError, badParameter } from './errors.js';
import type { DeviceDirectory } from './ports.js';

/**
 * The device to serve: the requested one when it exists, else the default (or the only) device.
 * @throws {ApiError} 404 `not_found` (parameter `device`) for an unknown device; 400 when the caller
 *   must name one of several; 404 `not_built` when no device exists yet.
 */
export async function resolveDevice(devices: DeviceDirectory, requested: string | undefined): Promise<string> {
  const known = await devices.list();
  if (requested !== undefined) {
    if (!known.includes(requested)) throw new ApiError(404, 'not_found', `device ${requested} is unknown`, 'device', known);
    return requested;
  }
  const fallback = (await devices.defaultId()) ?? (known.length === 1 ? known[0] : undefined);
  if (fallback !== undefined) return fallback;
  if (known.length === 0) throw new ApiError(404, 'not_built', 'no device has snapshots yet');
  throw badParameter('device', 'device is required: there are several devices', known);
}
