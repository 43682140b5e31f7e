/**
 * The `mqtt` section of the agent's config file: the broker the agent publishes its samples to, and
 * Home Assistant discovery. Its presence turns publishing on. Pure: the composition root reads the
 * password file or variable named here and the TLS files.
 *
 * ```json
 * "mqtt": { "url": "mqtts://broker.lan:8883", "username": "sensorctl",
 *           "passwordFile": "/etc/sensorctl/mqtt-password", "tls": { "caFile": "/etc/sensorctl/ca.pem" },
 *           "topicPrefix": "sensorctl", "discoveryPrefix": "homeassistant", "retain": true, "qos": 1 }
 * ```
 * Format and defaults: docs/home-assistant.md.
 */
import { ConfigError } from './errors.js';

/** TLS files (PEM paths) for `mqtts:`/`wss:` brokers. */
export interface MqttTlsConfig {
  /** CA bundle the broker's certificate must chain to; absent: the system's CAs. */
  caFile?: string;
  /** Client certificate and key, for brokers that authenticate clients by certificate. */
  certFile?: string;
  keyFile?: string;
  /** False accepts any broker certificate (testing only). Default true. */
  rejectUnauthorized: boolean;
}

export interface MqttConfig {
  /** Broker URL: `mqtt://`, `mqtts://`, `ws://` or `wss://` host[:port]. */
  url: string;
  username?: string;
  /** File whose first line is the password (kept out of the config file). */
  passwordFile?: string;
  /** Name of the environment variable holding the password. */
  passwordEnv?: string;
  tls?: MqttTlsConfig;
  /** MQTT client id; default `sensorctl-<deviceId>`. */
  clientId?: string;
  /** First level of the agent's own topics (`<topicPrefix>/<deviceId>/…`). */
  topicPrefix: string;
  /** Home Assistant's discovery prefix; `false` publishes no discovery. */
  discoveryPrefix: string | false;
  /** Retain state, availability and discovery messages (so a subscriber sees the latest at once). */
  retain: boolean;
  /** QoS of every message the agent publishes. */
  qos: 0 | 1 | 2;
  /** Publish the samples stored while the broker was unreachable once it is back (default false: dropped). */
  replayMissed: boolean;
  /** Seconds between health (diagnostic) messages, 10–3600. */
  healthEveryS: number;
}

export const DEFAULT_MQTT = { topicPrefix: 'sensorctl', discoveryPrefix: 'homeassistant', retain: true, qos: 1, replayMissed: false, healthEveryS: 60 } as const;

const KNOWN = ['url', 'username', 'passwordFile', 'passwordEnv', 'tls', 'clientId', 'topicPrefix', 'discoveryPrefix', 'retain', 'qos', 'replayMissed', 'healthEveryS', 'comment'];
const TLS_KNOWN = ['caFile', 'certFile', 'keyFile', 'rejectUnauthorized'];
const URL_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
/** A topic level path without wildcards, empty levels or a leading/trailing slash. */
const TOPIC_PREFIX = /^[^/#+\s]+(\/[^/#+\s]+)*$/;
/** MQTT 3.1.1 allows client ids up to 23 bytes everywhere; brokers accept longer ones, so be generous. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function str(r: Record<string, unknown>, key: string, where: string, test: (s: string) => boolean, expected: string): string | undefined {
  const v = r[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !test(v)) throw new ConfigError(`${where}.${key}`, `got ${show(v)}, expected ${expected}`);
  return v;
}

function bool(r: Record<string, unknown>, key: string, where: string, dflt: boolean): boolean {
  const v = r[key] ?? dflt;
  if (typeof v !== 'boolean') throw new ConfigError(`${where}.${key}`, `got ${show(v)}, expected true or false`);
  return v;
}

function objectAt(raw: unknown, key: string, known: readonly string[], example: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(key, `expected an object such as ${example}`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!known.includes(k)) throw new ConfigError(`${key}.${k}`, `unknown key; allowed: ${known.filter((n) => n !== 'comment').join(', ')}`);
  return r;
}

function parseBrokerUrl(v: unknown): string {
  if (v === undefined) throw new ConfigError('mqtt.url', 'missing; expected the broker URL such as "mqtt://192.168.1.10:1883"');
  let url: URL | undefined;
  try {
    url = typeof v === 'string' ? new URL(v) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !URL_SCHEMES.includes(url.protocol) || url.hostname === '') {
    throw new ConfigError('mqtt.url', `got ${show(v)}, expected ${URL_SCHEMES.map((s) => s + '//').join(', ')} and a host, such as "mqtt://192.168.1.10:1883"`);
  }
  if (url.username || url.password) throw new ConfigError('mqtt.url', 'credentials in the URL are not allowed; use mqtt.username with mqtt.passwordFile or mqtt.passwordEnv');
  return v as string;
}

function parseTls(raw: unknown): MqttTlsConfig | undefined {
  if (raw === undefined) return undefined;
  const r = objectAt(raw, 'mqtt.tls', TLS_KNOWN, '{"caFile": "/etc/sensorctl/ca.pem"}');
  const path = (s: string) => s.startsWith('/');
  const tls: MqttTlsConfig = { rejectUnauthorized: bool(r, 'rejectUnauthorized', 'mqtt.tls', true) };
  for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
    const v = str(r, key, 'mqtt.tls', path, 'an absolute path to a PEM file');
    if (v !== undefined) tls[key] = v;
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new ConfigError(tls.certFile ? 'mqtt.tls.keyFile' : 'mqtt.tls.certFile', 'certFile and keyFile go together (a client certificate needs its key)');
  }
  return tls;
}

/**
 * Validate the `mqtt` section and fill defaults; `undefined` (no section) means no publishing.
 * @throws {ConfigError} naming the key (`mqtt.url`, `mqtt.qos`, …) and what is allowed.
 */
export function parseMqttConfig(raw: unknown): MqttConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const r = objectAt(raw, 'mqtt', KNOWN, '{"url": "mqtt://192.168.1.10:1883"}');
  const url = parseBrokerUrl(r.url);
  const passwordFile = str(r, 'passwordFile', 'mqtt', (s) => s.startsWith('/'), 'an absolute path to a file holding the password');
  const passwordEnv = str(r, 'passwordEnv', 'mqtt', (s) => ENV_NAME.test(s), 'an environment variable name such as "SENSORCTL_MQTT_PASSWORD"');
  if (passwordFile !== undefined && passwordEnv !== undefined) throw new ConfigError('mqtt.passwordEnv', 'give either passwordFile or passwordEnv, not both');
  const username = str(r, 'username', 'mqtt', (s) => s.length > 0, 'a non-empty user name');
  if ((passwordFile ?? passwordEnv) !== undefined && username === undefined) throw new ConfigError('mqtt.username', 'missing; a password needs a user name');
  const discovery = r.discoveryPrefix ?? DEFAULT_MQTT.discoveryPrefix;
  if (discovery !== false && (typeof discovery !== 'string' || !TOPIC_PREFIX.test(discovery))) {
    throw new ConfigError('mqtt.discoveryPrefix', `got ${show(discovery)}, expected a topic such as "homeassistant" (no + # or empty levels), or false for no discovery`);
  }
  const qos = r.qos ?? DEFAULT_MQTT.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new ConfigError('mqtt.qos', `got ${show(qos)}; allowed: 0, 1, 2`);
  const healthEveryS = r.healthEveryS ?? DEFAULT_MQTT.healthEveryS;
  if (typeof healthEveryS !== 'number' || !Number.isInteger(healthEveryS) || healthEveryS < 10 || healthEveryS > 3600) {
    throw new ConfigError('mqtt.healthEveryS', `got ${show(healthEveryS)}, expected an integer 10–3600`);
  }
  const tls = parseTls(r.tls);
  const clientId = str(r, 'clientId', 'mqtt', (s) => CLIENT_ID.test(s), '1–128 of A–Z a–z 0–9 . _ : -');
  return {
    url,
    ...(username !== undefined ? { username } : {}),
    ...(passwordFile !== undefined ? { passwordFile } : {}),
    ...(passwordEnv !== undefined ? { passwordEnv } : {}),
    ...(tls ? { tls } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    topicPrefix: str(r, 'topicPrefix', 'mqtt', (s) => TOPIC_PREFIX.test(s), 'a topic such as "sensorctl" or "home/pi" (no + # or empty levels)') ?? DEFAULT_MQTT.topicPrefix,
    discoveryPrefix: discovery as string | false,
    retain: bool(r, 'retain', 'mqtt', DEFAULT_MQTT.retain),
    qos,
    replayMissed: bool(r, 'replayMissed', 'mqtt', DEFAULT_MQTT.replayMissed),
    healthEveryS,
  };
}
