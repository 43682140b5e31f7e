import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { emfLine } from '../../aws/emf.js';

const e = suite('emfLine');
e('is one JSON line in Embedded Metric Format with the four metrics as root members', () => {
  const line = emfLine({ deviceId: 'pi-1', itemsRead: 7, consumedRcu: 2.5, durationMs: 812, consecutiveStaleBuilds: 3 }, 1_700_000_000_000, { windows: '1h' });
  assert.not.match(line, /\n/);
  const o = JSON.parse(line);
  assert.is(o._aws.Timestamp, 1_700_000_000_000);
  const directive = o._aws.CloudWatchMetrics[0];
  assert.is(directive.Namespace, 'Sensorctl');
  assert.equal(directive.Dimensions, [['DeviceId']]);
  for (const m of directive.Metrics) assert.type(o[m.Name], 'number', `${m.Name} is a root member`);
  assert.equal([o.DeviceId, o.ItemsRead, o.ConsumedRCU, o.DurationMs, o.ConsecutiveStaleBuilds, o.windows], ['pi-1', 7, 2.5, 812, 3, '1h']);
  assert.is(directive.Metrics.find((m: { Name: string }) => m.Name === 'DurationMs').Unit, 'Milliseconds');
});
e.run();
