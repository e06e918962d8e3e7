import { describe, expect, it } from 'vitest';
import { checkBrokerUrl } from '../../src/modules/sources/broker-url.js';
import { streamEntries } from '../../src/modules/sources/pollers/redis.js';
import { failedItems, mqttClientContext, mqttEvent, streamEvent } from '../../src/modules/sources/source-events.js';

describe('event source shapes', () => {
  it('reads batchItemFailures as Lambda does: none, some, or the whole batch when malformed', () => {
    const ids = new Set(['1-0', '2-0', '3-0']);
    const answer = (v: unknown) => Buffer.from(JSON.stringify(v));
    expect(failedItems(answer(null), ids)).toEqual(new Set());
    expect(failedItems(answer({ batchItemFailures: [] }), ids)).toEqual(new Set());
    expect(failedItems(answer({ ok: true }), ids)).toEqual(new Set());
    expect(failedItems(answer({ batchItemFailures: [{ itemIdentifier: '2-0' }] }), ids)).toEqual(new Set(['2-0']));
    expect(failedItems(answer({ batchItemFailures: [{ itemIdentifier: '9-0' }] }), ids)).toBe('all');
    expect(failedItems(answer({ batchItemFailures: [{}] }), ids)).toBe('all');
    expect(failedItems(answer({ batchItemFailures: 'x' }), ids)).toBe('all');
    expect(failedItems(Buffer.from('not json'), ids)).toEqual(new Set());
  });

  it('passes a JSON MQTT payload through, and wraps any other as topic and base64', () => {
    expect(mqttEvent('a/b', Buffer.from('{"t":1}'))).toBe('{"t":1}');
    expect(JSON.parse(mqttEvent('a/b', Buffer.from([0xff, 0x00])))).toEqual({ topic: 'a/b', payload: '/wA=' });
  });

  it("gives an MQTT invocation its idempotency key as context.clientContext.custom, ASCII-only and within Lambda's limit", () => {
    const decode = (b64: string) => JSON.parse(Buffer.from(b64, 'base64').toString('latin1'));
    const id = 'a'.repeat(64);
    const cc = mqttClientContext({ messageId: id, topic: 'caf\u00e9/1', userProperties: { 'message-id': 'm-1', tag: ['x', 'y'] } });
    expect(Buffer.from(cc, 'base64').toString('latin1')).toMatch(/^[\x20-\x7e]+$/);
    expect(decode(cc)).toEqual({
      custom: { messageId: id, topic: 'caf\u00e9/1', userProperties: { 'message-id': 'm-1', tag: ['x', 'y'] } },
    });
    expect(decode(mqttClientContext({ messageId: id, topic: 't' }))).toEqual({ custom: { messageId: id, topic: 't' } });
    // What would not fit is left out: user properties first, then the topic.
    const big = mqttClientContext({ messageId: id, topic: 't', userProperties: { p: 'x'.repeat(4_000) } });
    expect(decode(big)).toEqual({ custom: { messageId: id, topic: 't' } });
    expect(decode(mqttClientContext({ messageId: id, topic: 't'.repeat(4_000) }))).toEqual({ custom: { messageId: id } });
  });

  it('names each stream record by its entry id (the itemIdentifier and idempotency key), and its mapping in the configured region', () => {
    const e = JSON.parse(
      streamEvent({
        region: 'eu-west-1',
        accountId: 'acc',
        mappingId: 'm1',
        eventSource: 'tally:redis',
        records: [{ id: '5-1', body: { x: 1 } }],
      }),
    );
    expect(e.Records[0]).toEqual({
      eventSource: 'tally:redis',
      eventSourceARN: 'arn:aws:lambda:eu-west-1:acc:event-source-mapping:m1',
      eventID: '5-1',
      messageId: '5-1',
      x: 1,
    });
  });

  it("reads XREADGROUP's answer in RESP2 and flattened RESP3 form", () => {
    const entries = [['1-0', ['body', 'x']]];
    expect(streamEntries([['s', entries]])).toEqual(entries);
    expect(streamEntries(['s', entries])).toEqual(entries);
    expect(streamEntries(null)).toEqual([]);
  });

  it('checks broker URLs by scheme and shows them without credentials', () => {
    expect(checkBrokerUrl('rabbitmq', 'amqps://u:p%40ss@mq.example.com:5671/vh?heartbeat=5').redacted).toBe(
      'amqps://mq.example.com:5671/vh',
    );
    expect(checkBrokerUrl('redis', 'redis://:secret@127.0.0.1:6379/0').redacted).toBe('redis://127.0.0.1:6379/0');
    expect(() => checkBrokerUrl('mqtt', 'amqp://x')).toThrow(/mqtt:\/\//);
    expect(() => checkBrokerUrl('nats', 'not a url')).toThrow(/not a URL/);
  });
});
