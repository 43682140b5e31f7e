/**
 * Child process of the last-will test: connects the agent's MQTT link to the broker at argv[2]
 * (device id argv[3]) through `startMqtt`, prints `connected` once the broker accepted it, then idles
 * until killed.
 */
import { startMqtt } from '../../pi/mqtt-service.js';
import { parseMqttConfig } from '../../agent/config/mqtt-config.js';
import { silentLog } from '../../builder/ports.js';

const mqtt = parseMqttConfig({ url: process.argv[2] })!;
const running = await startMqtt({ mqtt, deviceId: process.argv[3], version: 'test', log: silentLog, health: async () => ({ uploadBacklogItems: 0, staleSnapshots: 0, sensorsFailing: 0 }) });
const timer = setInterval(() => {
  if (running.isConnected()) {
    process.stdout.write('connected\n');
    clearInterval(timer);
  }
}, 20);
setInterval(() => undefined, 60_000);
