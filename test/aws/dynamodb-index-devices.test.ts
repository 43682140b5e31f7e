/**
 * Issue 14: a device whose agent never wrote `entity` on its catalogue item is invisible to the device
 * index until `indexOldCatalogs` runs; on dynalite, old-format items written as the old agent did.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { listCatalogDeviceIds } from '../../aws/dynamodb-devices.js';
import { encodeCatalogItem, ENTITY_ATTRIBUTE } from '../../aws/dynamodb-item.js';
import { indexOldCatalogs } from '../../aws/dynamodb-index-devices.js';
import { startDynalite, samplesToItems, writeCatalog, writeItems } from '../support/dynalite.js';
import { BME280_SERIES } from '../support/upload-fixture.js';

test('an old-format catalogue item is listed only after the migration; a dry run changes nothing; a second run updates 0', async () => {
  const db = await startDynalite();
  try {
    const old = encodeCatalogItem('old-pi', BME280_SERIES);
    delete old[ENTITY_ATTRIBUTE];
    await db.client.send(new PutItemCommand({ TableName: db.table, Item: old as Record<string, AttributeValue> }));
    await writeCatalog(db.client, db.table, 'new-pi', BME280_SERIES);
    await writeItems(db.client, db.table, samplesToItems('old-pi', [1, 2, 3].map((i) => ({ seriesId: BME280_SERIES[0].seriesId, tsMs: Date.UTC(2026, 0, 1) + i * 10_000, value: 20 + i }))));
    assert.equal(await listCatalogDeviceIds(db.client, db.table), ['new-pi']);

    const dry = await indexOldCatalogs(db.client, db.table, { dryRun: true });
    assert.equal([dry.scanned, dry.catalogs, dry.missing, dry.updated, dry.alreadySet], [5, 2, 1, 0, 1]);
    assert.equal(await listCatalogDeviceIds(db.client, db.table), ['new-pi']);

    const pages: number[] = [];
    const run = await indexOldCatalogs(db.client, db.table, { onPage: (p) => pages.push(p.scanned) });
    assert.equal([run.scanned, run.catalogs, run.updated, run.alreadySet], [5, 2, 1, 1]);
    assert.equal(pages, [5]);
    assert.equal(await listCatalogDeviceIds(db.client, db.table), ['new-pi', 'old-pi']);
    const item = (await db.client.send(new GetItemCommand({ TableName: db.table, Key: { deviceId: { S: 'old-pi' }, tsMs: { N: '0' } } }))).Item;
    assert.equal(item?.series, old.series as AttributeValue, 'the rest of the item is kept');

    const again = await indexOldCatalogs(db.client, db.table);
    assert.equal([again.updated, again.alreadySet], [0, 2]);
  } finally {
    await db.close();
  }
});

test.run();
