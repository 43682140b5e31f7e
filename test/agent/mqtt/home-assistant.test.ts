import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS, type Metric } from '../../../builder/metrics.js';
import type { SeriesInfo } from '../../../builder/types.js';
import {
  HA_SENSOR_CLASSES, agentHealthOf, agentTopics, discoveryMessages, haObjectId, haSensorClassOf, healthPayload, statePayload,
} from '../../../agent/mqtt/home-assistant.js';

/**
 * Home Assistant's documented schema, as of the 2025 docs (integrations/sensor.mqtt and
 * integrations/sensor#device-class): the units each device class accepts, the state classes, the
 * keys an MQTT sensor's discovery payload may carry, and the device keys. Written here from the docs,
 * independently of the mapping under test.
 */
const HA_UNITS: Record<string, string[]> = {
  temperature: ['°C', '°F', 'K'],
  humidity: ['%'],
  atmospheric_pressure: ['cbar', 'bar', 'hPa', 'mmHg', 'inHg', 'kPa', 'mbar', 'Pa', 'psi'],
  illuminance: ['lx'],
  precipitation: ['cm', 'in', 'mm'],
  wind_speed: ['Beaufort', 'ft/s', 'km/h', 'kn', 'm/s', 'mph'],
  distance: ['km', 'm', 'cm', 'mm', 'mi', 'nmi', 'yd', 'in'],
  duration: ['d', 'h', 'min', 's', 'ms'],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
  current: ['A', 'mA'],
  carbon_dioxide: ['ppm'],
  pm25: ['µg/m³'],
  pm10: ['µg/m³'],
  wind_direction: ['°'],
};
const HA_STATE_CLASSES = ['measurement', 'measurement_angle', 'total', 'total_increasing'];
const MQTT_SENSOR_KEYS = new Set([
  'availability', 'availability_mode', 'availability_template', 'availability_topic', 'default_entity_id', 'device', 'device_class', 'enabled_by_default',
  'encoding', 'entity_category', 'entity_picture', 'expire_after', 'force_update', 'icon', 'json_attributes_template', 'json_attributes_topic',
  'last_reset_value_template', 'name', 'object_id', 'options', 'origin', 'payload_available', 'payload_not_available', 'platform', 'qos',
  'state_class', 'state_topic', 'suggested_display_precision', 'unique_id', 'unit_of_measurement', 'value_template',
]);
const DEVICE_KEYS = new Set(['configuration_url', 'connections', 'hw_version', 'identifiers', 'manufacturer', 'model', 'model_id', 'name', 'serial_number', 'suggested_area', 'sw_version', 'via_device']);
const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);

const series = (seriesId: string, metric: Metric): SeriesInfo => ({ deviceId: 'pi-kitchen', seriesId, sensorId: seriesId.split('.')[0], metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind });
const SETTINGS = { topicPrefix: 'sensorctl', discoveryPrefix: 'homeassistant', deviceId: 'pi-kitchen', qos: 1 as const };
const ID = { deviceId: 'pi-kitchen', swVersion: '0.1.0' };

const classes = suite('haSensorClassOf');

classes('every metric we store has an explicit Home Assistant mapping, with a unit its device class accepts', () => {
  for (const metric of Object.keys(METRICS) as Metric[]) {
    const cls = HA_SENSOR_CLASSES[metric];
    assert.ok(cls, `${metric} has no Home Assistant mapping`);
    assert.ok(HA_STATE_CLASSES.includes(cls.state_class), `${metric}: state_class ${cls.state_class}`);
    if (cls.device_class) {
      assert.ok(HA_UNITS[cls.device_class], `${metric}: device_class ${cls.device_class} not in the documented list`);
      assert.ok(HA_UNITS[cls.device_class].includes(cls.unit_of_measurement!), `${metric}: ${cls.unit_of_measurement} not accepted by ${cls.device_class}`);
    }
  }
});

classes('gauges are measurements, counters (rain, pulses) total_increasing, circular series (wind direction) measurement_angle', () => {
  for (const metric of Object.keys(METRICS) as Metric[]) {
    const kind = METRICS[metric].kind;
    assert.is(haSensorClassOf(series(`s.${metric}`, metric)).state_class, kind === 'counter' ? 'total_increasing' : kind === 'circular' ? 'measurement_angle' : 'measurement', metric);
  }
  assert.equal(haSensorClassOf(series('bme.tempC', 'tempC')), { device_class: 'temperature', state_class: 'measurement', unit_of_measurement: '°C' });
  assert.equal(haSensorClassOf(series('bme.rhPct', 'rhPct')).unit_of_measurement, '%', '%RH is shown as % in Home Assistant');
  assert.equal(haSensorClassOf(series('rain.rainMm', 'rainMm')), { device_class: 'precipitation', state_class: 'total_increasing', unit_of_measurement: 'mm' });
});

classes('an imported metric we do not know becomes a generic sensor with its own unit and kind', () => {
  assert.equal(haSensorClassOf({ metric: 'noiseDb', unit: 'dB', kind: 'gauge' }), { state_class: 'measurement', unit_of_measurement: 'dB' });
  assert.equal(haSensorClassOf({ metric: 'vaneDeg', unit: '°', kind: 'circular' }), { state_class: 'measurement_angle', unit_of_measurement: '°' });
  assert.equal(haSensorClassOf({ metric: 'ticks', unit: '', kind: 'counter' }), { state_class: 'total_increasing' });
});

const discovery = suite('discoveryMessages');
const SERIES = [series('bme.tempC', 'tempC'), series('bme.rhPct', 'rhPct'), series('bme.pressurePa', 'pressurePa'), series('rain.rainMm', 'rainMm')];

discovery('one sensor per series and four diagnostic entities, on valid discovery topics', () => {
  const messages = discoveryMessages(ID, SERIES, SETTINGS);
  assert.equal(messages.map((m) => m.topic), [
    'homeassistant/sensor/sensorctl_pi-kitchen/bme_tempC/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/bme_rhPct/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/bme_pressurePa/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/rain_rainMm/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/health_uploadBacklogItems/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/health_snapshotAgeS/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/health_staleSnapshots/config',
    'homeassistant/sensor/sensorctl_pi-kitchen/health_sensorsFailing/config',
  ]);
  for (const m of messages) assert.match(m.topic, /^homeassistant\/sensor\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/);
});

discovery('payloads use only documented keys, with device, origin, availability and unique ids', () => {
  const messages = discoveryMessages(ID, SERIES, SETTINGS);
  const ids = new Set<string>();
  for (const { payload } of messages) {
    for (const key of Object.keys(payload)) assert.ok(MQTT_SENSOR_KEYS.has(key), `undocumented key ${key}`);
    for (const key of Object.keys(payload.device as object)) assert.ok(DEVICE_KEYS.has(key), `undocumented device key ${key}`);
    for (const key of Object.keys(payload.origin as object)) assert.ok(ORIGIN_KEYS.has(key), `undocumented origin key ${key}`);
    assert.equal((payload.device as { identifiers: string[] }).identifiers, ['sensorctl_pi-kitchen']);
    assert.is(payload.availability_topic, 'sensorctl/pi-kitchen/status');
    assert.is(payload.payload_available, 'online');
    assert.is(payload.payload_not_available, 'offline');
    assert.type(payload.unique_id, 'string');
    ids.add(payload.unique_id as string);
  }
  assert.is(ids.size, messages.length, 'unique_id is unique');
  const [temp, , pressure, rain, backlog] = messages.map((m) => m.payload);
  assert.equal(
    { name: temp.name, state_topic: temp.state_topic, value_template: temp.value_template, device_class: temp.device_class, state_class: temp.state_class, unit: temp.unit_of_measurement, unique_id: temp.unique_id },
    { name: 'Temperature (bme.tempC)', state_topic: 'sensorctl/pi-kitchen/series/bme.tempC/state', value_template: '{{ value_json.value }}', device_class: 'temperature', state_class: 'measurement', unit: '°C', unique_id: 'sensorctl:pi-kitchen:bme.tempC' },
  );
  assert.is(pressure.device_class, 'atmospheric_pressure');
  assert.is(pressure.unit_of_measurement, 'Pa');
  assert.is(rain.value_template, '{{ value_json.total }}');
  assert.is(backlog.entity_category, 'diagnostic');
  assert.is(backlog.state_topic, 'sensorctl/pi-kitchen/health/state');
  assert.is(backlog.value_template, '{{ value_json.uploadBacklogItems }}');
});

discovery('object ids: characters outside [A-Za-z0-9_-] become _, collisions get _2, unique ids keep the series id', () => {
  assert.is(haObjectId('pi:kitchen.tempC'), 'pi_kitchen_tempC');
  const messages = discoveryMessages(ID, [series('a.b', 'tempC'), series('a_b', 'tempC')], SETTINGS);
  assert.equal(messages.slice(0, 2).map((m) => m.topic.split('/')[3]), ['a_b', 'a_b_2']);
  assert.equal(messages.slice(0, 2).map((m) => m.payload.unique_id), ['sensorctl:pi-kitchen:a.b', 'sensorctl:pi-kitchen:a_b']);
});

discovery('no discovery messages when discoveryPrefix is false', () => {
  assert.equal(discoveryMessages(ID, SERIES, { ...SETTINGS, discoveryPrefix: false }), []);
  assert.is(agentTopics({ ...SETTINGS, discoveryPrefix: false }).haStatus, undefined);
});

const payloads = suite('state and health payloads');

payloads('a state message carries value, unit and time; counters add the running total', () => {
  assert.equal(JSON.parse(statePayload({ unit: '°C' }, Date.UTC(2026, 11, 3, 12), 21.5)), { value: 21.5, unit: '°C', tsMs: Date.UTC(2026, 11, 3, 12), time: '2026-12-03T12:00:00.000Z' });
  assert.is(JSON.parse(statePayload({ unit: 'mm' }, 0, 0.2, 1.4)).total, 1.4);
});

payloads('health: sensors not online count as failing; the age is the oldest built snapshot; no uplink is backlog 0', () => {
  const h = agentHealthOf({
    sensorStates: ['online', 'failing', 'offline', 'online', 'starting'],
    snapshots: [{ ageS: 12, isStale: false }, { ageS: 900, isStale: true }, { isStale: true }],
    uploadBacklogItems: undefined,
  });
  assert.equal(h, { uploadBacklogItems: 0, snapshotAgeS: 900, staleSnapshots: 2, sensorsFailing: 3 });
  assert.is(agentHealthOf({ sensorStates: [], snapshots: [{ isStale: false }], uploadBacklogItems: 7 }).snapshotAgeS, undefined);
});

payloads("before any snapshot is built the age is null, which Home Assistant's template renders as its 'None' (unknown)", () => {
  assert.equal(JSON.parse(healthPayload({ uploadBacklogItems: 7, staleSnapshots: 0, sensorsFailing: 0 })), { uploadBacklogItems: 7, snapshotAgeS: null, staleSnapshots: 0, sensorsFailing: 0 });
  assert.is(JSON.parse(healthPayload({ uploadBacklogItems: 0, snapshotAgeS: 5, staleSnapshots: 0, sensorsFailing: 0 })).snapshotAgeS, 5);
});

classes.run();
discovery.run();
payloads.run();
