/**
 * What the agent publishes to MQTT and when, over the `MqttLink` port (adapter: `mqtt/mqtt-link.ts`):
 * on every connect `online`, the discovery messages and the health; each stored sample's state; the
 * discovery again when Home Assistant's birth message (`<discoveryPrefix>/status` = `online`) arrives.
 *
 * Never blocks its caller: `samplesStored` only hands messages to the link (which writes to its
 * socket asynchronously). While the broker is unreachable, state messages are dropped (counted) or,
 * with `replayMissed`, kept in a bounded queue (oldest dropped first) and published on reconnect.
 * The samples themselves are in SQLite either way.
 */
import type { Logger } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import type { BufferObserver } from '../buffer/observed-buffer.js';
import {
  PAYLOAD_ONLINE, agentTopics, discoveryMessages, haSensorClassOf, healthPayload, statePayload,
  type AgentHealth, type AgentIdentity, type AgentTopics, type TopicSettings,
} from './home-assistant.js';

/** Delivery options of one message. */
export interface MqttPublishOptions {
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** The broker connection, as the publisher needs it. */
export interface MqttLink {
  /** True while connected (a publish now goes out; otherwise it would only be queued by the client). */
  readonly isConnected: boolean;
  /** Send a message; never throws and never waits (errors are the adapter's to log). */
  publish(topic: string, payload: string, options: MqttPublishOptions): void;
  subscribe(topic: string): void;
}

export interface MqttPublisherOptions {
  link: MqttLink;
  identity: AgentIdentity;
  settings: TopicSettings & MqttPublishOptions & { replayMissed: boolean };
  /** The agent's health now (read when the health message is due). */
  health: () => Promise<AgentHealth>;
  log: Logger;
  /** Bound of the replay queue, messages (default 10 000). */
  maxReplayMessages?: number;
}

/** Counts since start, for logs and `/metrics`. */
export interface PublisherCounts {
  published: number;
  /** State messages not sent because the broker was unreachable (and not queued, or pushed out of the queue). */
  dropped: number;
  replayed: number;
  discoverySent: number;
}

export const DEFAULT_MAX_REPLAY_MESSAGES = 10_000;

export class MqttPublisher implements BufferObserver {
  readonly topics: AgentTopics;
  readonly counts: PublisherCounts = { published: 0, dropped: 0, replayed: 0, discoverySent: 0 };
  private readonly totals = new Map<string, number>();
  private readonly series = new Map<string, SeriesInfo>();
  private readonly missed: Array<{ topic: string; payload: string }> = [];

  constructor(private readonly options: MqttPublisherOptions) {
    this.topics = agentTopics(options.settings);
  }

  private get messageOptions(): MqttPublishOptions {
    return { qos: this.options.settings.qos, retain: this.options.settings.retain };
  }

  /** The link connected (first time or again): announce, subscribe to Home Assistant's birth, replay. */
  async connected(): Promise<void> {
    const { link } = this.options;
    link.publish(this.topics.availability, PAYLOAD_ONLINE, { qos: this.options.settings.qos, retain: true });
    if (this.topics.haStatus) link.subscribe(this.topics.haStatus);
    this.sendDiscovery();
    const replay = this.missed.splice(0);
    for (const m of replay) link.publish(m.topic, m.payload, this.messageOptions);
    this.counts.replayed += replay.length;
    if (replay.length) this.options.log.info('mqtt: published the samples stored while disconnected', { messages: replay.length });
    await this.publishHealth();
  }

  /** A message on a subscribed topic: Home Assistant's birth message re-triggers discovery. */
  message(topic: string, payload: string): void {
    if (topic === this.topics.haStatus && payload.trim() === PAYLOAD_ONLINE) {
      this.options.log.info('mqtt: Home Assistant came online; discovery sent again');
      this.sendDiscovery();
    }
  }

  /** Send every discovery message (retained, so Home Assistant finds them after its own restart too). */
  sendDiscovery(): void {
    const messages = discoveryMessages(this.options.identity, [...this.series.values()], this.options.settings);
    for (const m of messages) this.options.link.publish(m.topic, JSON.stringify(m.payload), { qos: this.options.settings.qos, retain: true });
    this.counts.discoverySent += messages.length;
  }

  /** Publish the health message now (skipped while disconnected: it is sent on connect). */
  async publishHealth(): Promise<void> {
    if (!this.options.link.isConnected) return;
    const health = await this.options.health();
    this.options.link.publish(this.topics.health, healthPayload(health), this.messageOptions);
  }

  /** Buffer observer: the series to announce; announced at once when connected and any is new. */
  seriesDefined(series: readonly SeriesInfo[]): void {
    let isNew = false;
    for (const s of series) {
      if (s.deviceId !== this.options.identity.deviceId || this.series.has(s.seriesId)) continue;
      this.series.set(s.seriesId, s);
      isNew = true;
    }
    if (isNew && this.options.link.isConnected) this.sendDiscovery();
  }

  /** Buffer observer: one state message per stored sample of this device, in the order stored. */
  samplesStored(deviceId: string, samples: readonly Sample[]): void {
    if (deviceId !== this.options.identity.deviceId) return;
    for (const sample of samples) {
      const series = this.series.get(sample.seriesId);
      if (!series) continue;
      let total: number | undefined;
      if (haSensorClassOf(series).state_class === 'total_increasing') {
        total = (this.totals.get(sample.seriesId) ?? 0) + sample.value;
        this.totals.set(sample.seriesId, total);
      }
      this.send(this.topics.state(sample.seriesId), statePayload(series, sample.tsMs, sample.value, total));
    }
  }

  private send(topic: string, payload: string): void {
    if (this.options.link.isConnected) {
      this.options.link.publish(topic, payload, this.messageOptions);
      this.counts.published++;
      return;
    }
    if (!this.options.settings.replayMissed) {
      this.counts.dropped++;
      return;
    }
    this.missed.push({ topic, payload });
    const max = this.options.maxReplayMessages ?? DEFAULT_MAX_REPLAY_MESSAGES;
    if (this.missed.length > max) this.counts.dropped += this.missed.splice(0, this.missed.length - max).length;
  }
}
