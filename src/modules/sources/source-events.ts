import type { ConsumeMessage } from 'amqplib';
import { mappingArn } from '../../lib/arns.js';

/**
 * The events a mapping's function receives (docs/sources.md, "Event shapes"). RabbitMQ batches use
 * Lambda's `aws:rmq` shape; streams (Redis, NATS JetStream) a `Records` array whose `eventID` is the
 * entry id that `batchItemFailures[].itemIdentifier` names; MQTT one message per event.
 */

function amqpHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!headers) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    // Lambda shows string header values as their bytes.
    out[k] = typeof v === 'string' ? { bytes: [...Buffer.from(v)] } : Buffer.isBuffer(v) ? { bytes: [...v] } : v;
  }
  return out;
}

/** Which mapping a batch came from, and the region its ARN names (TALLY_REGION): `eventSourceArn` is the mapping's ARN. */
export interface BatchSource {
  region: string;
  accountId: string;
  mappingId: string;
}

/** Lambda's `aws:rmq` event for a batch of one queue (key `queue::vhost`). */
export function rmqEvent(o: BatchSource & { queue: string; vhost: string; messages: ConsumeMessage[] }): string {
  return JSON.stringify({
    eventSource: 'aws:rmq',
    eventSourceArn: mappingArn(o, o.mappingId),
    rmqMessagesByQueue: {
      [`${o.queue}::${o.vhost}`]: o.messages.map((m) => {
        const p = m.properties;
        return {
          basicProperties: {
            contentType: p.contentType ?? null,
            contentEncoding: p.contentEncoding ?? null,
            headers: amqpHeaders(p.headers),
            deliveryMode: p.deliveryMode ?? null,
            priority: p.priority ?? null,
            correlationId: p.correlationId ?? null,
            replyTo: p.replyTo ?? null,
            expiration: p.expiration ?? null,
            messageId: p.messageId ?? null,
            timestamp: p.timestamp ?? null,
            type: p.type ?? null,
            userId: p.userId ?? null,
            appId: p.appId ?? null,
            clusterId: p.clusterId ?? null,
            bodySize: m.content.length,
          },
          redelivered: m.fields.redelivered,
          data: m.content.toString('base64'),
        };
      }),
    },
  });
}

export interface StreamRecord {
  /** The entry id: Redis's `1700000000000-0`, JetStream's stream sequence. The idempotency key. */
  id: string;
  body: Record<string, unknown>;
}

/** A stream batch: `{ Records: [...] }`, each record with `eventSource`, `eventSourceARN` and `eventID`. */
export function streamEvent(o: BatchSource & { eventSource: string; records: StreamRecord[] }): string {
  const arn = mappingArn(o, o.mappingId);
  return JSON.stringify({
    Records: o.records.map((r) => ({ eventSource: o.eventSource, eventSourceARN: arn, eventID: r.id, messageId: r.id, ...r.body })),
  });
}

/** An MQTT message as its event: the payload when it is JSON (an IoT rule's event), else the topic and base64 payload. */
export function mqttEvent(topic: string, payload: Buffer): string {
  const text = payload.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify({ topic, payload: payload.toString('base64') });
  }
}

/** Lambda's limit for a client context (X-Amz-Client-Context, base64), kept for the ones pollers send. */
const MAX_CLIENT_CONTEXT_CHARS = 3583;

/**
 * An MQTT message's invocation context (the function's `context.clientContext.custom`; Python's
 * `context.client_context.custom`): the event is the payload itself, as an IoT rule's is, so the
 * message's idempotency key travels beside it. `messageId` is the SHA-256 of topic and payload: the
 * same on every redelivery and in the failure record's `itemIdentifiers`, but shared by equal
 * messages on one topic. `userProperties` are the MQTT 5 user properties the publisher set (an id of
 * its own, say). Base64 of ASCII-only JSON (it travels in a header), within Lambda's limit: user
 * properties, then the topic, are left out when they would not fit.
 */
export function mqttClientContext(o: { messageId: string; topic: string; userProperties?: Record<string, string | string[]> }): string {
  const { messageId, topic, userProperties } = o;
  const fits = [...(userProperties ? [{ messageId, topic, userProperties }] : []), { messageId, topic }, { messageId }];
  let encoded = '';
  for (const custom of fits) {
    const ascii = JSON.stringify({ custom }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    encoded = Buffer.from(ascii).toString('base64');
    if (encoded.length <= MAX_CLIENT_CONTEXT_CHARS) break;
  }
  return encoded;
}

/**
 * The ids a function's answer reports as failed (`{ batchItemFailures: [{ itemIdentifier }] }`), or
 * `all` when the answer is malformed (Lambda then treats the whole batch as failed). An empty list,
 * null or an answer without the key: every item succeeded.
 */
export function failedItems(payload: Buffer, ids: Set<string>): Set<string> | 'all' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8') || 'null');
  } catch {
    return new Set();
  }
  if (parsed === null || typeof parsed !== 'object') return new Set();
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return 'all';
  const out = new Set<string>();
  for (const f of list) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' && typeof id !== 'number') return 'all';
    if (!ids.has(String(id))) return 'all';
    out.add(String(id));
  }
  return out;
}
