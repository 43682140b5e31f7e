/**
 * MQTT adapter (the `mqtt` package, v5): one client connection implementing the publisher's
 * `MqttLink` port. Reconnects on its own every `reconnectPeriodMs`; sets the last will
 * (`offline`, retained) on the availability topic; on `close()` publishes `offline` itself and ends
 * the session cleanly. Broker errors become one log line per change (unreachable, refused, back
 * online) naming the config key to check, never a flood and never an exception to the caller.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../builder/ports.js';
import type { MqttLink, MqttPublishOptions } from '../agent/mqtt/publisher.js';

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM contents (already read by the composition root). */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  /** Availability topic: the will publishes `willPayload` there (retained) when the connection dies. */
  willTopic: string;
  willPayload: string;
  qos: 0 | 1 | 2;
  /** Delay between reconnect attempts, ms (default 5000). */
  reconnectPeriodMs?: number;
  /** Keep-alive, s (default 30): the broker fires the will after 1.5 × this without traffic. */
  keepaliveS?: number;
  log: Logger;
}

export interface MqttLinkEvents {
  /** Each (re)connection. */
  connected(): void;
  message(topic: string, payload: string): void;
}

/** What went wrong, in an operator's words, with the key of the config to check. */
export function brokerErrorMessage(err: Error & { code?: string | number }, url: string): string {
  const code = err.code;
  if (code === 'ECONNREFUSED') return `nothing listens at ${url} (check mqtt.url, and that the broker runs)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${url} (check mqtt.url)`;
  if (code === 4 || code === 134 || /bad user name or password/i.test(err.message)) return 'the broker refused the user name or password (check mqtt.username and mqtt.passwordFile / mqtt.passwordEnv)';
  if (code === 5 || code === 135 || /not authori[sz]ed/i.test(err.message)) return 'the broker refused the connection: not authorized (check mqtt.username and the broker\'s ACL)';
  if (code === 2 || code === 133 || /identifier rejected/i.test(err.message)) return 'the broker rejected the client id (check mqtt.clientId)';
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) return `TLS handshake failed: ${err.message} (check mqtt.tls.caFile, mqtt.tls.rejectUnauthorized)`;
  return `${err.message} (broker ${url}; check mqtt.url)`;
}

export class MqttClientLink implements MqttLink {
  private readonly client: MqttClient;
  private lastProblem?: string;
  private hasConnected = false;

  /** Starts connecting at once (in the background); events arrive on `events`. */
  constructor(private readonly options: MqttLinkOptions, events: MqttLinkEvents) {
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      reconnectPeriod: options.reconnectPeriodMs ?? 5_000,
      connectTimeout: 10_000,
      keepalive: options.keepaliveS ?? 30,
      clean: true,
      // Nothing is queued inside the client while offline: the publisher decides what to keep.
      queueQoSZero: false,
      will: { topic: options.willTopic, payload: Buffer.from(options.willPayload), qos: options.qos, retain: true },
    };
    this.client = connect(options.url, clientOptions);
    this.client.on('connect', () => {
      const again = this.hasConnected;
      this.hasConnected = true;
      this.lastProblem = undefined;
      options.log.info(again ? 'mqtt: reconnected to the broker' : 'mqtt: connected to the broker', { url: options.url, clientId: options.clientId });
      events.connected();
    });
    this.client.on('message', (topic, payload) => events.message(topic, payload.toString('utf8')));
    this.client.on('error', (err) => this.problem(brokerErrorMessage(err as Error & { code?: string | number }, options.url)));
    // Before the first connection an unreachable broker shows as 'offline' or ECONNREFUSED (either order): one wording for both.
    this.client.on('offline', () => this.problem(this.hasConnected ? `lost the connection to ${options.url}; retrying every ${(options.reconnectPeriodMs ?? 5_000) / 1000} s (samples stay in SQLite)` : brokerErrorMessage(Object.assign(new Error('offline'), { code: 'ECONNREFUSED' }), options.url)));
  }

  /** Log a problem once, until it changes or the link connects again. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    if (this.lastProblem?.startsWith('lost the connection') && message.startsWith('nothing listens')) return; // the same outage, seen again
    this.lastProblem = message;
    this.options.log.warn(`mqtt: ${message}`);
  }

  get isConnected(): boolean {
    return this.client.connected;
  }

  publish(topic: string, payload: string, options: MqttPublishOptions): void {
    this.client.publish(topic, payload, { qos: options.qos, retain: options.retain }, (err) => {
      if (err) this.problem(`publish to ${topic} failed: ${err.message}`);
    });
  }

  subscribe(topic: string): void {
    this.client.subscribe(topic, { qos: 1 }, (err) => {
      if (err) this.problem(`subscribe to ${topic} failed: ${err.message}`);
    });
  }

  /**
   * Publish `offline` (retained, when connected), then end the session: pending QoS>0 messages get
   * up to `timeoutMs` to be acknowledged.
   */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.client.publish(this.options.willTopic, this.options.willPayload, { qos: this.options.qos, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => this.client.end(!this.client.connected, {}, () => resolve()));
  }
}
