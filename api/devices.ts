/** Choosing the device a request is about, and listing the devices that have samples. */
import { ApiError, badParameter } from './errors.js';
import { jsonResponse } from './http.js';
import { singleValues } from './params.js';
import type { ApiContext } from './context.js';
import type { DeviceDirectory } from './ports.js';

/** How long a client may reuse `GET /samples/devices`, s. */
export const DEVICES_TTL_S = 30;

/**
 * The device served when a request names none: the configured one when it has samples (or nothing
 * has samples), else the only device with samples, else the configured one.
 * @param configured the configured id (`undefined`: none configured).
 * @param withSamples devices that have samples.
 */
export function chooseDefaultDevice(configured: string | undefined, withSamples: readonly string[]): string | undefined {
  if (configured !== undefined && (withSamples.includes(configured) || withSamples.length === 0)) return configured;
  if (withSamples.length === 1) return withSamples[0];
  return configured;
}

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

/**
 * Refuse to build for a device without samples (it would publish empty snapshots).
 * @throws {ApiError} 409 `no_samples` naming `device`, with the devices that have samples as `allowed`.
 */
export async function requireSamples(devices: DeviceDirectory, device: string): Promise<void> {
  const present = await devices.withSamples();
  if (present.includes(device)) return;
  const which = present.length ? `devices with samples: ${present.join(', ')}` : 'no device has samples yet; import or sample some first';
  throw new ApiError(409, 'no_samples', `device ${device} has no samples; ${which}`, 'device', present);
}

/**
 * GET /samples/devices → `{ devices: [{ id }], defaultDevice: id | null }`: the devices that have
 * samples, and the one served when a request names none.
 */
export async function handleDevices(_req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  singleValues(url.searchParams, []);
  const ids = await ctx.devices.withSamples();
  const defaultDevice = (await ctx.devices.defaultId()) ?? (ids.length === 1 ? ids[0] : undefined);
  return jsonResponse(200, { devices: ids.map((id) => ({ id })), defaultDevice: defaultDevice ?? null }, { 'Cache-Control': `public, max-age=${DEVICES_TTL_S}` });
}
