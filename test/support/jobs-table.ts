/** The refresh-jobs table as cloud/infra/sensor-stack.ts declares it (partition key `pk` S), on dynalite. */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { JOBS_PARTITION_KEY } from '../../cloud/infra/sensor-stack.js';

export async function createJobsTable(client: DynamoDBClient, table = 'sensor-jobs'): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: JOBS_PARTITION_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: JOBS_PARTITION_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return table;
}
