/**
 * Wiring of MQTT publishing for `sensorctl run` (only when the config has an `mqtt` section; the
 * `mqtt` package is loaded only then): reads the password (file or environment variable) and TLS
 * files named by the config, connects through `mqtt/mqtt-link.ts`, and drives `MqttPublisher`
 * (agent/mqtt/) from the buffer's stored samples and a health timer.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../builder/ports.js';
import type { MqttConfig } from '../agent/config/mqtt-config.js';
import { ConfigError } from '../agent/config/errors.js';
import { MqttPublisher } from '../agent/mqtt/publisher.js';
import { PAYLOAD_OFFLINE, agentTopics, type AgentHealth } from '../agent/mqtt/home-assistant.js';
import type { MqttLinkOptions } from '../mqtt/mqtt-link.js';

/** Reads a text file (injected so tests can name missing files without touching /etc). */
export type ReadText = (path: string) => string;

function readConfigured(readText: ReadText, path: string, key: string, what: string): string {
  try {
    return readText(path);
  } catch (err) {
    throw new ConfigError(key, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/**
 * The link options from the `mqtt` config: credentials and TLS files read now.
 * @throws {ConfigError} naming `mqtt.passwordFile`, `mqtt.passwordEnv` or `mqtt.tls.*` when a file
 *   cannot be read or the variable is unset or empty.
 */
export function mqttLinkOptions(mqtt: MqttConfig, deviceId: string, log: Logger, env: Record<string, string | undefined> = process.env, readText: ReadText = (p) => readFileSync(p, 'utf8')): MqttLinkOptions {
  let password: string | undefined;
  if (mqtt.passwordFile) {
    password = readConfigured(readText, mqtt.passwordFile, 'mqtt.passwordFile', 'the password file').split(/\r?\n/)[0];
    if (!password) throw new ConfigError('mqtt.passwordFile', `${mqtt.passwordFile} is empty; expected the password on its first line`);
  }
  if (mqtt.passwordEnv) {
    password = env[mqtt.passwordEnv];
    if (!password) throw new ConfigError('mqtt.passwordEnv', `environment variable ${mqtt.passwordEnv} is unset or empty; set it (e.g. in the unit's EnvironmentFile)`);
  }
  const tls = mqtt.tls;
  const file = (key: 'caFile' | 'certFile' | 'keyFile') => (tls?.[key] ? readConfigured(readText, tls[key]!, `mqtt.tls.${key}`, 'the PEM file') : undefined);
  return {
    url: mqtt.url,
    clientId: mqtt.clientId ?? `sensorctl-${deviceId}`,
    ...(mqtt.username ? { username: mqtt.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { ca: file('caFile'), cert: file('certFile'), key: file('keyFile'), rejectUnauthorized: tls.rejectUnauthorized } : {}),
    willTopic: agentTopics({ ...mqtt, deviceId }).availability,
    willPayload: PAYLOAD_OFFLINE,
    qos: mqtt.qos,
    log,
  };
}

export interface RunningMqtt {
  publisher: MqttPublisher;
  isConnected(): boolean;
  /** Publish `offline`, stop the health timer, disconnect. */
  stop(): Promise<void>;
}

/**
 * Connect (in the background: an unreachable broker is logged and retried, never thrown) and start
 * publishing. Feed it stored samples by observing the buffer with the returned `publisher`.
 * @throws {ConfigError} from `mqttLinkOptions`, before anything connects.
 */
export async function startMqtt(options: {
  mqtt: MqttConfig;
  deviceId: string;
  version: string;
  health: () => Promise<AgentHealth>;
  log: Logger;
  env?: Record<string, string | undefined>;
  readText?: ReadText;
  /** Overrides of the link (tests: a short reconnect period). */
  link?: Partial<MqttLinkOptions>;
}): Promise<RunningMqtt> {
  const { mqtt, log } = options;
  const linkOptions = { ...mqttLinkOptions(mqtt, options.deviceId, log, options.env, options.readText), ...options.link };
  const { MqttClientLink } = await import('../mqtt/mqtt-link.js');
  let publisher: MqttPublisher | undefined;
  const healthFailed = (err: unknown) => log.warn('mqtt: health message not sent', { error: err as Error });
  const link = new MqttClientLink(linkOptions, {
    connected: () => void publisher?.connected().catch(healthFailed),
    message: (topic, payload) => publisher?.message(topic, payload),
  });
  publisher = new MqttPublisher({
    link,
    identity: { deviceId: options.deviceId, swVersion: options.version },
    settings: { topicPrefix: mqtt.topicPrefix, discoveryPrefix: mqtt.discoveryPrefix, deviceId: options.deviceId, qos: mqtt.qos, retain: mqtt.retain, replayMissed: mqtt.replayMissed },
    health: options.health,
    log,
  });
  if (link.isConnected) void publisher.connected().catch(healthFailed);
  const timer = setInterval(() => void publisher!.publishHealth().catch(healthFailed), mqtt.healthEveryS * 1000);
  timer.unref();
  return {
    publisher,
    isConnected: () => link.isConnected,
    async stop() {
      clearInterval(timer);
      await link.close();
    },
  };
}
