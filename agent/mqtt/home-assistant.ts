/**
 * The agent on MQTT, as data: the topic layout, the state and health payloads, and Home Assistant's
 * MQTT discovery messages (one device per agent, one sensor entity per series, diagnostic entities
 * for the agent's health). Pure: no client, no clock.
 *
 * Topics (`<p>` = `mqtt.topicPrefix`, `<d>` = the device id, `<h>` = `mqtt.discoveryPrefix`):
 * - `<p>/<d>/status`: `online` / `offline` (retained; `offline` is the connection's last will);
 * - `<p>/<d>/series/<seriesId>/state`: `{"value", "unit", "tsMs", "time"}` per stored sample, plus
 *   `total` (running sum since the agent started) for counters;
 * - `<p>/<d>/health/state`: `AgentHealth` as JSON;
 * - `<h>/sensor/sensorctl_<d>/<object id>/config`: discovery; `<h>/status` is Home Assistant's birth topic.
 *
 * Classes and units follow Home Assistant's MQTT sensor and sensor device-class documentation
 * (https://www.home-assistant.io/integrations/sensor.mqtt/, https://www.home-assistant.io/integrations/sensor/#device-class).
 */
import type { SeriesInfo } from '../../builder/types.js';
import { isMetric, METRICS } from '../../builder/metrics.js';

/**
 * Home Assistant's `state_class` values used here (sensor docs: measurement, measurement_angle,
 * total, total_increasing); `measurement_angle` is for angles such as a wind direction, so its
 * statistics average them as angles.
 */
export type HaStateClass = 'measurement' | 'measurement_angle' | 'total_increasing';

/** How one of our metrics shows in Home Assistant. `device_class` absent: a generic sensor. */
export interface HaSensorClass {
  device_class?: string;
  state_class: HaStateClass;
  /** Home Assistant's unit symbol (must be one its device class accepts); absent: unitless. */
  unit_of_measurement?: string;
}

/**
 * Our canonical metrics (builder/metrics.ts) → Home Assistant device class and unit. Counters
 * (rain, pulses) are `total_increasing`: their state is a running total, which Home Assistant's
 * long-term statistics sum correctly across restarts (a decrease reads as a meter reset).
 */
export const HA_SENSOR_CLASSES: Readonly<Record<string, HaSensorClass>> = {
  tempC: { device_class: 'temperature', state_class: 'measurement', unit_of_measurement: '°C' },
  rhPct: { device_class: 'humidity', state_class: 'measurement', unit_of_measurement: '%' },
  pressurePa: { device_class: 'atmospheric_pressure', state_class: 'measurement', unit_of_measurement: 'Pa' },
  illuminanceLux: { device_class: 'illuminance', state_class: 'measurement', unit_of_measurement: 'lx' },
  rainMm: { device_class: 'precipitation', state_class: 'total_increasing', unit_of_measurement: 'mm' },
  windKmh: { device_class: 'wind_speed', state_class: 'measurement', unit_of_measurement: 'km/h' },
  windMs: { device_class: 'wind_speed', state_class: 'measurement', unit_of_measurement: 'm/s' },
  windDirDeg: { device_class: 'wind_direction', state_class: 'measurement_angle', unit_of_measurement: '°' },
  voltageV: { device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V' },
  currentA: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A' },
  co2Ppm: { device_class: 'carbon_dioxide', state_class: 'measurement', unit_of_measurement: 'ppm' },
  pm25Ugm3: { device_class: 'pm25', state_class: 'measurement', unit_of_measurement: 'µg/m³' },
  pm10Ugm3: { device_class: 'pm10', state_class: 'measurement', unit_of_measurement: 'µg/m³' },
  distanceCm: { device_class: 'distance', state_class: 'measurement', unit_of_measurement: 'cm' },
  pulses: { state_class: 'total_increasing', unit_of_measurement: 'pulses' },
  state: { state_class: 'measurement' },
  adcCounts: { state_class: 'measurement' },
};

/** The Home Assistant class of a series: by metric, else generic with our unit and kind. */
export function haSensorClassOf(series: Pick<SeriesInfo, 'metric' | 'unit' | 'kind'>): HaSensorClass {
  const known = HA_SENSOR_CLASSES[series.metric];
  if (known) return known;
  return { state_class: series.kind === 'counter' ? 'total_increasing' : series.kind === 'circular' ? 'measurement_angle' : 'measurement', ...(series.unit ? { unit_of_measurement: series.unit } : {}) };
}

/** What the topics are built from (the validated `mqtt` config and the device id). */
export interface TopicSettings {
  topicPrefix: string;
  /** `false`: no discovery. */
  discoveryPrefix: string | false;
  deviceId: string;
}

/** The topic layout of one agent. */
export interface AgentTopics {
  availability: string;
  health: string;
  /** Home Assistant's birth topic (`<discoveryPrefix>/status`), undefined without discovery. */
  haStatus?: string;
  state(seriesId: string): string;
}

export const PAYLOAD_ONLINE = 'online';
export const PAYLOAD_OFFLINE = 'offline';

export function agentTopics(s: TopicSettings): AgentTopics {
  const base = `${s.topicPrefix}/${s.deviceId}`;
  return {
    availability: `${base}/status`,
    health: `${base}/health/state`,
    ...(s.discoveryPrefix !== false ? { haStatus: `${s.discoveryPrefix}/status` } : {}),
    state: (seriesId) => `${base}/series/${seriesId}/state`,
  };
}

/** Home Assistant's node and object ids allow `[a-zA-Z0-9_-]` only. */
export const haObjectId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

/** The agent's own health, as shown by the diagnostic entities (and `/metrics`). */
export interface AgentHealth {
  /** Upload items waiting for DynamoDB (0 without an uplink). */
  uploadBacklogItems: number;
  /** Age of the oldest of the snapshots built so far, s; undefined before the first build. */
  snapshotAgeS?: number;
  /** Snapshots whose latest build failed or whose meta has expired. */
  staleSnapshots: number;
  /** Sensors not `online` (starting, failing, offline or disabled). */
  sensorsFailing: number;
}

/**
 * The health message: `AgentHealth` as JSON (keys as in the interface). An absent snapshot age is
 * `null`, which the entity's template renders as `None`: Home Assistant's MQTT sensor reads that
 * payload as "unknown" (its `PAYLOAD_NONE`) instead of failing to parse a number.
 */
export const healthPayload = (health: AgentHealth): string => JSON.stringify({ ...health, snapshotAgeS: health.snapshotAgeS ?? null });

/**
 * A state message. `value` in the series' unit; `totalValue` (counters) the running sum the
 * discovery's `value_template` reads.
 */
export function statePayload(series: Pick<SeriesInfo, 'unit'>, tsMs: number, value: number, totalValue?: number): string {
  return JSON.stringify({ value, unit: series.unit, tsMs, time: new Date(tsMs).toISOString(), ...(totalValue !== undefined ? { total: totalValue } : {}) });
}

/** Who the device is, for the discovery payloads' `device` and `origin`. */
export interface AgentIdentity {
  deviceId: string;
  /** sensorctl's version. */
  swVersion: string;
  /** The agent's page, shown as "Visit" in Home Assistant; undefined when not reachable. */
  configurationUrl?: string;
}

/** One retained discovery message. */
export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** The diagnostic entities: key in `AgentHealth` → name and class. */
export const HEALTH_ENTITIES: ReadonlyArray<{ key: keyof AgentHealth; name: string } & HaSensorClass> = [
  { key: 'uploadBacklogItems', name: 'Upload backlog', state_class: 'measurement', unit_of_measurement: 'items' },
  { key: 'snapshotAgeS', name: 'Oldest snapshot age', device_class: 'duration', state_class: 'measurement', unit_of_measurement: 's' },
  { key: 'staleSnapshots', name: 'Stale snapshots', state_class: 'measurement' },
  { key: 'sensorsFailing', name: 'Sensors failing', state_class: 'measurement' },
];

/** Label of a metric in entity names: builder/metrics.ts' label (`Temperature`), else the metric name. */
const labelOf = (metric: string): string => (isMetric(metric) ? METRICS[metric].label : metric);

/**
 * Every discovery message of the agent: one sensor per series, then the diagnostic entities. Object
 * ids are the series ids with other characters than `[A-Za-z0-9_-]` as `_`; ids that collide get
 * `_2`, `_3`, … in the order given. `unique_id`s keep the exact series id.
 * @returns [] when `discoveryPrefix` is false.
 */
export function discoveryMessages(identity: AgentIdentity, series: readonly SeriesInfo[], settings: TopicSettings & { qos: 0 | 1 | 2 }): DiscoveryMessage[] {
  if (settings.discoveryPrefix === false) return [];
  const topics = agentTopics(settings);
  const node = haObjectId(`sensorctl_${identity.deviceId}`);
  const used = new Set<string>();
  const objectIdFor = (id: string): string => {
    const base = haObjectId(id);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  };
  const common = {
    availability_topic: topics.availability,
    payload_available: PAYLOAD_ONLINE,
    payload_not_available: PAYLOAD_OFFLINE,
    qos: settings.qos,
    device: {
      identifiers: [node],
      name: `sensorctl ${identity.deviceId}`,
      manufacturer: 'sensorctl',
      model: 'Raspberry Pi sensor agent',
      sw_version: identity.swVersion,
      ...(identity.configurationUrl ? { configuration_url: identity.configurationUrl } : {}),
    },
    origin: { name: 'sensorctl', sw_version: identity.swVersion },
  };
  const config = (objectId: string) => `${settings.discoveryPrefix}/sensor/${node}/${objectId}/config`;
  const sensors = series.map((s): DiscoveryMessage => {
    const cls = haSensorClassOf(s);
    return {
      topic: config(objectIdFor(s.seriesId)),
      payload: {
        name: `${labelOf(s.metric)} (${s.seriesId})`,
        unique_id: `sensorctl:${identity.deviceId}:${s.seriesId}`,
        state_topic: topics.state(s.seriesId),
        value_template: cls.state_class === 'total_increasing' ? '{{ value_json.total }}' : '{{ value_json.value }}',
        json_attributes_topic: topics.state(s.seriesId),
        ...cls,
        ...common,
      },
    };
  });
  const health = HEALTH_ENTITIES.map(({ key, name, ...cls }): DiscoveryMessage => ({
    topic: config(objectIdFor(`health_${key}`)),
    payload: {
      name,
      unique_id: `sensorctl:${identity.deviceId}:health:${key}`,
      state_topic: topics.health,
      value_template: `{{ value_json.${key} }}`,
      entity_category: 'diagnostic',
      ...cls,
      ...common,
    },
  }));
  return [...sensors, ...health];
}

/**
 * The health summary from its parts: sensors not `online` count as failing (a `starting` sensor too:
 * it has not produced a value yet); the snapshot age is that of the oldest built snapshot.
 */
export function agentHealthOf(parts: {
  sensorStates: readonly string[];
  snapshots: ReadonlyArray<{ ageS?: number; isStale: boolean }>;
  uploadBacklogItems: number | undefined;
}): AgentHealth {
  const ages = parts.snapshots.flatMap((s) => (s.ageS === undefined ? [] : [s.ageS]));
  return {
    uploadBacklogItems: parts.uploadBacklogItems ?? 0,
    ...(ages.length ? { snapshotAgeS: Math.max(...ages) } : {}),
    staleSnapshots: parts.snapshots.filter((s) => s.isStale).length,
    sensorsFailing: parts.sensorStates.filter((s) => s !== 'online').length,
  };
}
