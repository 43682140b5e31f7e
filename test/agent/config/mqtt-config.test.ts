import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../../agent/config/config.js';
import { ConfigError } from '../../../agent/config/errors.js';
import { DEFAULT_MQTT, parseMqttConfig } from '../../../agent/config/mqtt-config.js';

const parse = suite('parseMqttConfig');

parse('no section means no publishing; a bare url takes the defaults (retained, QoS 1, discovery under homeassistant)', () => {
  assert.is(parseMqttConfig(undefined), undefined);
  assert.equal(parseMqttConfig({ url: 'mqtt://192.168.1.10:1883' }), { url: 'mqtt://192.168.1.10:1883', ...DEFAULT_MQTT });
  assert.is(DEFAULT_MQTT.discoveryPrefix, 'homeassistant');
  assert.is(DEFAULT_MQTT.replayMissed, false);
});

parse('accepts a full section, credentials by file and TLS files', () => {
  const raw = {
    url: 'mqtts://broker.lan:8883', username: 'sensorctl', passwordFile: '/etc/sensorctl/mqtt-password', clientId: 'pi-kitchen',
    tls: { caFile: '/etc/sensorctl/ca.pem', certFile: '/etc/sensorctl/c.pem', keyFile: '/etc/sensorctl/k.pem' },
    topicPrefix: 'home/pi', discoveryPrefix: false, retain: false, qos: 0, replayMissed: true, healthEveryS: 30,
  };
  assert.equal(parseMqttConfig(raw), { ...raw, tls: { ...raw.tls, rejectUnauthorized: true } });
});

parse('the config file takes an mqtt section', () => {
  assert.is(parseConfig({ mqtt: { url: 'mqtt://h' } }, 'pi').mqtt?.url, 'mqtt://h');
  assert.is(parseConfig({}, 'pi').mqtt, undefined);
});

parse('bad broker configuration names the key and what is allowed', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{}, 'mqtt.url', /missing; expected the broker URL/],
    [{ url: 'http://broker:1883' }, 'mqtt.url', /mqtt:\/\/, mqtts:\/\/, ws:\/\/, wss:\/\//],
    [{ url: 'broker.lan' }, 'mqtt.url', /expected mqtt:\/\//],
    [{ url: 'mqtt://u:secret@broker' }, 'mqtt.url', /credentials in the URL are not allowed/],
    [{ url: 'mqtt://b', qos: 3 }, 'mqtt.qos', /allowed: 0, 1, 2/],
    [{ url: 'mqtt://b', retain: 'yes' }, 'mqtt.retain', /true or false/],
    [{ url: 'mqtt://b', topicPrefix: 'a/#' }, 'mqtt.topicPrefix', /no \+ #/],
    [{ url: 'mqtt://b', topicPrefix: '/a' }, 'mqtt.topicPrefix', /empty levels/],
    [{ url: 'mqtt://b', discoveryPrefix: '' }, 'mqtt.discoveryPrefix', /or false/],
    [{ url: 'mqtt://b', passwordFile: 'pw.txt', username: 'u' }, 'mqtt.passwordFile', /absolute path/],
    [{ url: 'mqtt://b', passwordEnv: 'MQTT PW', username: 'u' }, 'mqtt.passwordEnv', /environment variable name/],
    [{ url: 'mqtt://b', passwordEnv: 'PW', passwordFile: '/pw', username: 'u' }, 'mqtt.passwordEnv', /not both/],
    [{ url: 'mqtt://b', passwordEnv: 'PW' }, 'mqtt.username', /password needs a user name/],
    [{ url: 'mqtt://b', tls: { certFile: '/c.pem' } }, 'mqtt.tls.keyFile', /go together/],
    [{ url: 'mqtt://b', tls: { ca: '/c.pem' } }, 'mqtt.tls.ca', /unknown key; allowed: caFile/],
    [{ url: 'mqtt://b', healthEveryS: 1 }, 'mqtt.healthEveryS', /10–3600/],
    [{ url: 'mqtt://b', clientid: 'x' }, 'mqtt.clientid', /unknown key; allowed: url/],
    [{ url: 'mqtt://b', clientId: 'a b' }, 'mqtt.clientId', /A–Z/],
    ['mqtt://b', 'mqtt', /expected an object/],
  ];
  for (const [raw, key, message] of cases) {
    try {
      parseMqttConfig(raw);
      assert.unreachable(`${JSON.stringify(raw)} accepted`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      assert.is(err.key, key, JSON.stringify(raw));
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`config ${key}: `));
    }
  }
});

parse.run();
