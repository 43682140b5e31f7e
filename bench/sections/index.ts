/**
 * Every benchmark section, in run order: the primary dataset (import, GROUP BY baseline, builder, API
 * on the builder's snapshots), the upload drain, the cloud builder (Lambda handler on dynalite +
 * s3rver, incremental vs full), the cost per device-month (requests counted on the emulators), the fleet (N devices, one schedule), then the generated year (`--year`). Sections read
 * what earlier ones left in `ctx.shared` (`primary.dbPath`, `groupby/primary.totalMs`,
 * `primary.dataDir`, …) and name those sections in `needs`.
 */
import type { BenchSection } from '../section.js';
import { CLOUD_BENCH_SECTION } from '../cloud.js';
import { COST_BENCH_SECTION } from '../cost.js';
import { FLEET_BENCH_SECTION } from '../fleet.js';
import { UPLOAD_BENCH_SECTION } from '../upload.js';
import { API_SECTIONS } from './api.js';
import { PRIMARY_BUFFER_SECTIONS, YEAR_BUFFER_SECTIONS } from './buffer.js';
import { builderPrimary, builderYear } from './builder.js';
import { footprintDaemon } from './footprint.js';
import { MQTT_SECTION } from './mqtt.js';
import { scheduleClockStep, sensorsFlakyBus } from './sensors.js';

export const SECTIONS: BenchSection[] = [
  ...PRIMARY_BUFFER_SECTIONS,
  builderPrimary,
  ...API_SECTIONS,
  UPLOAD_BENCH_SECTION,
  CLOUD_BENCH_SECTION,
  COST_BENCH_SECTION,
  FLEET_BENCH_SECTION,
  MQTT_SECTION,
  sensorsFlakyBus,
  scheduleClockStep,
  footprintDaemon,
  ...YEAR_BUFFER_SECTIONS,
  builderYear,
];
