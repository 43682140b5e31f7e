/**
 * DynamoDbSource through the shared SampleSource contract (test/support/sample-source-contract.ts)
 * against dynalite (a real DynamoDB protocol peer, in-process), items written in the uploader's
 * format (catalogue at tsMs 0, one item per instant). Each contract test gets a fresh peer and table.
 */
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import type { SeriesInfo } from '../../builder/types.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems } from '../support/dynalite.js';
import { sampleSourceContract } from '../support/sample-source-contract.js';

const clock = { nowMs: () => Date.UTC(2024, 0, 1) };

sampleSourceContract('DynamoDbSource on dynalite', async () => {
  const db = await startDynalite();
  return {
    source: new DynamoDbSource(db.client, db.table, clock, { pageItems: 2 }),
    async define(series) {
      const byDevice = new Map<string, SeriesInfo[]>();
      for (const s of series) byDevice.set(s.deviceId, [...(byDevice.get(s.deviceId) ?? []), s]);
      for (const [deviceId, list] of byDevice) await writeCatalog(db.client, db.table, deviceId, list);
    },
    add: (deviceId, samples) => writeItems(db.client, db.table, samplesToItems(deviceId, samples)),
    close: () => db.close(),
  };
}, 'expired');
