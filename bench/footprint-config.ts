/**
 * The footprint bench's device (issue 13's table): 4 simulated series sampled every 10 s (one simulated
 * sensor with temperature, humidity and pressure, one with temperature), no uplink, default storage
 * (samples committed every 60 s).
 */
export const FOOTPRINT_CONFIG = {
  deviceId: 'bench',
  http: { host: '127.0.0.1', port: 0 },
  sensors: [
    { type: 'simulated', id: 'sim', intervalMs: 10_000, seed: 1 },
    { type: 'simulated', id: 'attic', intervalMs: 10_000, seed: 2, metrics: ['tempC'] },
  ],
};

/** Series in FOOTPRINT_CONFIG and their sampling interval. */
export const FOOTPRINT_SERIES = 4;
export const FOOTPRINT_INTERVAL_MS = 10_000;

/**
 * The raw samples' own bytes: an 8-byte timestamp (epoch ms), an 8-byte float64 value and a 2-byte
 * series number, 18 B a sample; 4 series at 10 s are 34,560 samples = 0.62 MB a day, so the issue's
 * goal of ≤ 25 MB/day is ≤ 40× this.
 */
export const RAW_BYTES_PER_SAMPLE = 18;
