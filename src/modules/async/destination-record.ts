import { functionArn } from '../../lib/arns.js';

/**
 * Lambda's destination record (docs/events.md, "Destinations"): what a destination function gets
 * as its event and a webhook as its body, once per outcome of an asynchronous invocation.
 */
export type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** A payload as the record carries it: parsed when it is JSON (it always is for an event), else as text. */
function asJson(payload: Buffer | null): unknown {
  if (payload === null) return null;
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface OutcomeForRecord {
  requestId: string;
  /** The region `functionArn` names (TALLY_REGION), the same as the function's own ARN and AWS_REGION. */
  region: string;
  accountId: string;
  functionName: string;
  /** The alias or version the caller named (an event source mapping's); default `$LATEST`. */
  qualifier?: string;
  condition: Condition;
  dispatches: number;
  at: Date;
  requestPayload: Buffer;
  /** The last run's answer: absent when the event never ran to an end. */
  response: { version: number; functionError: boolean; payload: Buffer } | null;
}

export function destinationRecord(o: OutcomeForRecord): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: o.at.toISOString(),
    requestContext: {
      requestId: o.requestId,
      // Always qualified, as Lambda's record is: the alias or version called, else $LATEST.
      functionArn: functionArn({ region: o.region, accountId: o.accountId }, o.functionName, o.qualifier ?? '$LATEST'),
      condition: o.condition,
      approximateInvokeCount: o.dispatches,
    },
    requestPayload: asJson(o.requestPayload),
    ...(o.response
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: String(o.response.version),
            ...(o.response.functionError ? { functionError: 'Unhandled' } : {}),
          },
          responsePayload: asJson(o.response.payload),
        }
      : {}),
  });
}
