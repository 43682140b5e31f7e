/**
 * The cost model's arithmetic (bench/cost-model.ts, issue 14): exact dollars for given counts at the
 * stated list prices, the scaling to a month, Lambda's billed GB-seconds and the S3 request classes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AWS_LIST_PRICES_2026_US_EAST_1, deviceShareMs, invocationsPerDevicePerRun, lambdaGbSeconds, perMonth, priceMonth, s3RequestClass, type MonthlyCounts } from '../../bench/cost-model.js';

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

const COUNTS: MonthlyCounts = {
  dynamoWru: 260_000, samplesWru: 259_200, dynamoRru: 1_000_000,
  builderInvocations: 1_000_000, builderGbSeconds: 10_000,
  apiInvocations: 500_000, apiGbSeconds: 1_000, httpApiRequests: 2_000_000,
  s3PutClass: 100_000, s3GetClass: 1_000_000, s3TransferOutGb: 2, s3StorageGbMonths: 10, sqsRequests: 1_000_000, cloudFrontRequests: 10_000,
};

test('each line is count × its list price', () => {
  const usd = Object.fromEntries(priceMonth(COUNTS).lines.map((l) => [l.name, l.usd]));
  near(usd['DynamoDB writes (uploads)'], 0.1625, 'WRU');
  near(usd['DynamoDB reads (builder)'], 0.125, 'RRU');
  near(usd['Lambda builder requests'], 0.2, 'builder requests');
  near(usd['Lambda builder duration'], 0.133334, 'builder GB-s');
  near(usd['Lambda API requests'], 0.1, 'API requests');
  near(usd['Lambda API duration'], 0.0133334, 'API GB-s');
  near(usd['API Gateway HTTP API'], 2, 'HTTP API');
  near(usd['S3 PUT/COPY/LIST'], 0.5, 'S3 PUT class');
  near(usd['S3 GET/HEAD'], 0.4, 'S3 GET class');
  near(usd['S3 transfer out'], 0.18, '2 GB at $0.09');
  near(usd['S3 storage'], 0.23, '10 GB-months at $0.023');
  near(usd.SQS, 0.4, 'SQS');
  near(usd.CloudFront, 0.01, 'CloudFront');
});

test('total, the samples-only write cost, the ratio and the goal', () => {
  const s = priceMonth(COUNTS);
  near(s.totalUsd, 4.4541674, 'total');
  near(s.samplesWriteUsd, 0.162, '259,200 WRU (4 series every 10 s, one item per instant, 30 days)');
  near(s.ratioToSamplesWrite, 4.4541674 / 0.162, 'ratio');
  assert.is(s.meetsGoal, false);
  const cheap = priceMonth({ ...COUNTS, dynamoRru: 0, builderInvocations: 0, builderGbSeconds: 0, apiInvocations: 0, apiGbSeconds: 0, httpApiRequests: 0, s3PutClass: 10_000, s3GetClass: 0, s3TransferOutGb: 0, s3StorageGbMonths: 0, sqsRequests: 0, cloudFrontRequests: 0 });
  near(cheap.totalUsd, 0.1625 + 0.05, 'cheap total');
  assert.is(cheap.meetsGoal, true, `ratio ${cheap.ratioToSamplesWrite} ≤ 3 and ≤ $0.50`);
});

test('the prices are the stated list prices', () => {
  assert.equal(AWS_LIST_PRICES_2026_US_EAST_1, {
    dynamoDbUsdPerMillionWru: 0.625, dynamoDbUsdPerMillionRru: 0.125, lambdaArm64UsdPerGbSecond: 0.0000133334,
    lambdaUsdPerMillionRequests: 0.2, s3PutClassUsdPerThousand: 0.005, s3GetClassUsdPerThousand: 0.0004,
    s3TransferOutUsdPerGb: 0.09, s3StandardUsdPerGbMonth: 0.023, sqsUsdPerMillionRequests: 0.4, httpApiUsdPerMillionRequests: 1, cloudFrontUsdPer10kHttpsRequests: 0.01,
  });
});

test('scaling to a 30-day month and billed GB-seconds', () => {
  assert.is(perMonth(82, 3_600_000), 82 * 720);
  assert.is(perMonth(1, 86_400_000), 30);
  assert.throws(() => perMonth(1, 0), /expected > 0/);
  assert.is(lambdaGbSeconds(1000, 250.2, 1024), 251, 'each run billed per started ms, 1 GB');
  assert.is(lambdaGbSeconds(2, 100, 512), 0.1);
});

test('S3 request classes', () => {
  assert.is(s3RequestClass('PutObjectCommand'), 'put');
  assert.is(s3RequestClass('CopyObject'), 'put');
  assert.is(s3RequestClass('ListObjectsV2Command'), 'put');
  assert.is(s3RequestClass('GetObjectCommand'), 'get');
  assert.is(s3RequestClass('HeadObjectCommand'), 'get');
  assert.is(s3RequestClass('DeleteObjectCommand'), 'free');
  assert.throws(() => s3RequestClass('RestoreObjectCommand'), /no price/);
});

test('a fleet shares the builder\'s invocations: the fan-out one and one per shard, over its devices', () => {
  near(invocationsPerDevicePerRun({ devices: 1_000, devicesPerShard: 50, devicesInFlight: 16 }), 21 / 1_000, '1,000 devices');
  near(invocationsPerDevicePerRun({ devices: 1_001, devicesPerShard: 50, devicesInFlight: 16 }), 22 / 1_001, 'a 21st shard');
  near(invocationsPerDevicePerRun({ devices: 50, devicesPerShard: 50, devicesInFlight: 16 }), 1 / 50, 'one shard: no fan-out');
  assert.is(invocationsPerDevicePerRun({ devices: 1, devicesPerShard: 50, devicesInFlight: 16 }), 1, 'one device pays its invocation');
  assert.throws(() => invocationsPerDevicePerRun({ devices: 0, devicesPerShard: 50, devicesInFlight: 16 }), /devices 0: expected an integer ≥ 1/);
});

test('a device\'s share of an invocation: its CPU in full, its waits overlapped with the devices in flight', () => {
  assert.is(deviceShareMs(100, 300, 1), 400, 'alone: the run\'s own ms');
  assert.is(deviceShareMs(100, 300, 16), 100, 'CPU-bound at 16 in flight');
  assert.is(deviceShareMs(10, 310, 16), 20, 'wait-bound: (10 + 310) / 16');
});

test.run();
