import { describe, expect, it } from 'vitest';
import {
  attributeValue,
  eventId,
  parseArray,
  type RelationInfo,
  sequenceNumber,
  streamRecord,
} from '../../src/modules/sources/dynamodb-stream.js';

describe('Postgres values as DynamoDB attribute values', () => {
  it('reads array texts: quotes, escapes, NULL, nesting and dimension decorations', () => {
    expect(parseArray('{}')).toEqual([]);
    expect(parseArray('{a,"b c",NULL,"NULL","q\\"x\\\\y"}')).toEqual(['a', 'b c', null, 'NULL', 'q"x\\y']);
    expect(parseArray('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArray('[0:1]={7,8}')).toEqual(['7', '8']);
  });

  it('types by kind: numbers stay exact strings, non-finite ones and money are strings, json becomes M/L', () => {
    expect(attributeValue('number', '9007199254740993')).toEqual({ N: '9007199254740993' });
    expect(attributeValue('number', '-1.50e-3')).toEqual({ N: '-1.50e-3' });
    expect(attributeValue('number', 'NaN')).toEqual({ S: 'NaN' });
    expect(attributeValue('number', '$1.00')).toEqual({ S: '$1.00' });
    expect(attributeValue('bool', 'f')).toEqual({ BOOL: false });
    expect(attributeValue('bytes', '\\x0102')).toEqual({ B: 'AQI=' });
    expect(attributeValue('json', '{"a": [1, "x", false, null, {"b": 2}]}')).toEqual({
      M: { a: { L: [{ N: '1' }, { S: 'x' }, { BOOL: false }, { NULL: true }, { M: { b: { N: '2' } } }] } },
    });
    expect(attributeValue('json', '"plain"')).toEqual({ S: 'plain' });
    expect(attributeValue({ array: 'number' }, '{1,NULL,{2}}')).toEqual({ L: [{ N: '1' }, { NULL: true }, { L: [{ N: '2' }] }] });
    expect(attributeValue('string', null)).toEqual({ NULL: true });
  });

  it('orders by commit LSN, then place in the transaction; the eventID carries the same two numbers', () => {
    const a = { commitLsn: 0x1_0000_0010n, index: 5, commitTimeUs: 0n };
    const b = { commitLsn: 0x1_0000_0020n, index: 0, commitTimeUs: 0n };
    expect(BigInt(sequenceNumber(a)) < BigInt(sequenceNumber(b))).toBe(true);
    expect(eventId(a)).toBe('00000001000000100000000000000005');
  });

  it('a keys-only delete (REPLICA IDENTITY DEFAULT) carries the key as Keys and OldImage', () => {
    const rel: RelationInfo = {
      schema: 'public',
      name: 't',
      keys: ['id'],
      kinds: new Map([
        ['id', 'number'],
        ['name', 'string'],
      ]),
    };
    const r = streamRecord({
      region: 'ap-southeast-2',
      accountId: 'acc',
      mappingId: 'map',
      change: { kind: 'delete', rel, key: { id: '4', name: undefined }, old: null, new: null },
      at: { commitLsn: 1n, index: 0, commitTimeUs: 1_700_000_000_123_456n },
    });
    expect(r).toMatchObject({
      eventName: 'REMOVE',
      // The configured region, in the ARN and as awsRegion, as Lambda's DynamoDB trigger names its own.
      awsRegion: 'ap-southeast-2',
      eventSourceARN: 'arn:aws:dynamodb:ap-southeast-2:acc:table/public.t/stream/map',
      dynamodb: { Keys: { id: { N: '4' } }, OldImage: { id: { N: '4' } }, ApproximateCreationDateTime: 1_700_000_000.123 },
    });
    expect(r.dynamodb.NewImage).toBeUndefined();
  });
});
