/**
 * How Tally names what it runs in ARNs, in one place: every ARN it writes (the Lambda API's, a
 * destination record's `functionArn`, an event source mapping's, a stream record's `eventSourceARN`)
 * names the configured region (TALLY_REGION), as Lambda names its own region in all of them, so code
 * that parses the region out of one ARN gets the same answer as from `AWS_REGION`.
 */

/** The region an api given none names (TALLY_REGION's default). */
export const DEFAULT_REGION = 'us-east-1';

/** Where ARNs say a thing lives: the configured region and the Tally account id. */
export interface ArnContext {
  region: string;
  accountId: string;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`: the qualifier only when given, as Lambda writes it. */
export const functionArn = (c: ArnContext, name: string, qualifier?: string) =>
  `arn:aws:lambda:${c.region}:${c.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

/** An event source mapping's ARN, as `EventSourceMappingArn` and the records' `eventSourceArn` carry it. */
export const mappingArn = (c: ArnContext, id: string) => `arn:aws:lambda:${c.region}:${c.accountId}:event-source-mapping:${id}`;

/**
 * A Postgres table's change stream, named as a DynamoDB table's stream (`table/<table>/stream/<label>`):
 * code written for Lambda's DynamoDB trigger reads the table out of it. The label is the mapping's id.
 */
export const tableStreamArn = (c: ArnContext, table: string, mappingId: string) =>
  `arn:aws:dynamodb:${c.region}:${c.accountId}:table/${table}/stream/${mappingId}`;
