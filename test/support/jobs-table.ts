/**
 * The refresh-jobs table on a test peer (dynalite), made by `createJobsTable` of
 * `aws/dynamodb-jobs-table.ts` (the one definition, as `sensorctl table create --jobs-table` makes it);
 * resolves to its name.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createJobsTable as create } from '../../aws/dynamodb-jobs-table.js';

export const createJobsTable = async (client: DynamoDBClient, table = 'sensor-jobs'): Promise<string> => (await create(client, table)).table;
