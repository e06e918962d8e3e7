import type pg from 'pg';
import { tableStreamArn } from '../../lib/arns.js';
import type { BatchSource } from './source-events.js';

/**
 * Postgres row changes as DynamoDB Streams records (docs/sources.md, "Postgres table changes"), so
 * that a function written for Lambda's DynamoDB trigger (and parsers such as Powertools', which
 * require `eventSource: "aws:dynamodb"`) reads them unchanged. Values arrive from pgoutput as
 * Postgres' text forms and are typed by their column's type category.
 */

/** DynamoDB's attribute-value JSON. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export type Image = Record<string, AttributeValue>;

/** How a column's text is typed. */
export type ValueKind = 'bool' | 'number' | 'json' | 'bytes' | 'string' | { array: ValueKind };

/** A relation as the stream needs it: its name, the columns that are its key, and each column's kind. */
export interface RelationInfo {
  schema: string;
  name: string;
  /** The primary key's columns; without one, the replica identity's (all columns under REPLICA IDENTITY FULL). */
  keys: string[];
  kinds: Map<string, ValueKind>;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function kindOf(name: string | null, category: string | null, elem: { name: string | null; category: string | null } | null): ValueKind {
  if (category === 'A' && elem) return { array: kindOf(elem.name, elem.category, null) };
  if (name === 'json' || name === 'jsonb') return 'json';
  if (name === 'bytea') return 'bytes';
  if (category === 'B') return 'bool';
  if (category === 'N') return 'number';
  return 'string';
}

/**
 * Reads what the relation message does not say from the user's catalog: the primary key (pgoutput
 * marks every column as key under REPLICA IDENTITY FULL) and each column type's category.
 */
export async function relationInfo(
  c: pg.Client,
  rel: { relationOid: number; schema: string; name: string; keyColumns: string[]; columns: { name: string; typeOid: number }[] },
): Promise<RelationInfo> {
  const pk = await c.query<{ attname: string }>(
    `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = $1 and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [rel.relationOid],
  );
  const types = await c.query<{ oid: number; typname: string; typcategory: string; elem: string | null; elemcat: string | null }>(
    `select t.oid::int as oid, t.typname, t.typcategory, e.typname as elem, e.typcategory as elemcat
       from pg_type t left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
      where t.oid = any($1::oid[])`,
    [rel.columns.map((col) => col.typeOid)],
  );
  const byOid = new Map(types.rows.map((t) => [t.oid, t]));
  const kinds = new Map<string, ValueKind>();
  for (const col of rel.columns) {
    const t = byOid.get(col.typeOid);
    kinds.set(col.name, kindOf(t?.typname ?? null, t?.typcategory ?? null, t?.elem ? { name: t.elem, category: t.elemcat } : null));
  }
  return { schema: rel.schema, name: rel.name, keys: pk.rows.length > 0 ? pk.rows.map((r) => r.attname) : rel.keyColumns, kinds };
}

export function jsonValue(v: unknown): AttributeValue {
  if (v === null || v === undefined) return { NULL: true };
  if (typeof v === 'boolean') return { BOOL: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'string') return { S: v };
  if (Array.isArray(v)) return { L: v.map(jsonValue) };
  return { M: Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonValue(x)])) };
}

type ArrayItem = string | null | ArrayItem[];

/** Postgres' array text (`{a,"b c",NULL,{1,2}}`, maybe after `[1:2]=`) as nested lists of element texts. */
export function parseArray(text: string): ArrayItem[] {
  let i = text.indexOf('{');
  if (i < 0) return [];
  const list = (): ArrayItem[] => {
    i++; // '{'
    const out: ArrayItem[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') out.push(list());
      else if (text[i] === '"') {
        i++;
        let s = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          s += text[i++];
        }
        i++;
        out.push(s);
      } else {
        let s = '';
        while (i < text.length && text[i] !== ',' && text[i] !== '}') {
          if (text[i] === '\\') i++;
          s += text[i++];
        }
        out.push(s === 'NULL' ? null : s);
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      i++; // '}'
      return out;
    }
  };
  return list();
}

/** One column's text as an attribute value, by its kind. */
export function attributeValue(kind: ValueKind, text: string | null): AttributeValue {
  if (text === null) return { NULL: true };
  if (typeof kind === 'object') {
    const items = (xs: ArrayItem[]): AttributeValue => ({
      L: xs.map((x) => (Array.isArray(x) ? items(x) : attributeValue(kind.array, x))),
    });
    return items(parseArray(text));
  }
  switch (kind) {
    case 'bool':
      return { BOOL: text === 't' || text === 'true' };
    case 'number':
      // NaN and Infinity are no DynamoDB numbers; money's text ("$1.00") is none either.
      return NUMBER.test(text) ? { N: text } : { S: text };
    case 'json':
      try {
        return jsonValue(JSON.parse(text));
      } catch {
        return { S: text };
      }
    case 'bytes':
      return text.startsWith('\\x') ? { B: Buffer.from(text.slice(2), 'hex').toString('base64') } : { S: text };
    default:
      return { S: text };
  }
}

/** A tuple (column name to text, null, or undefined for an unchanged TOASTed value not sent) as an image. */
export function image(rel: RelationInfo, tuple: Record<string, string | null | undefined>): Image {
  const out: Image = {};
  for (const [name, text] of Object.entries(tuple)) {
    if (text === undefined) continue;
    out[name] = attributeValue(rel.kinds.get(name) ?? 'string', text);
  }
  return out;
}

/** A change's position: its transaction's commit LSN and its place in the transaction. */
export interface ChangePosition {
  commitLsn: bigint;
  index: number;
  /** Commit time, microseconds since 1970. */
  commitTimeUs: bigint;
}

/**
 * SequenceNumber: commit LSN × 2^32 + the change's place in its transaction, as a decimal string.
 * It grows in the order changes are delivered (commit order), is the same every time a change is
 * delivered again, and is the `itemIdentifier` of ReportBatchItemFailures (as Lambda's DynamoDB
 * trigger uses the SequenceNumber). eventID: the same two numbers as 32 hex digits.
 */
export const sequenceNumber = (p: ChangePosition) => ((p.commitLsn << 32n) + BigInt(p.index)).toString();
export const eventId = (p: ChangePosition) => p.commitLsn.toString(16).padStart(16, '0') + p.index.toString(16).padStart(16, '0');

export interface StreamChange {
  kind: 'insert' | 'update' | 'delete';
  rel: RelationInfo;
  /** Under REPLICA IDENTITY DEFAULT/INDEX, an update that changed the key and every delete carry the key alone. */
  key: Record<string, string | null | undefined> | null;
  old: Record<string, string | null | undefined> | null;
  new: Record<string, string | null | undefined> | null;
}

const EVENT_NAMES = { insert: 'INSERT', update: 'MODIFY', delete: 'REMOVE' } as const;

/** The DynamoDB Streams record of one change (StreamViewType NEW_AND_OLD_IMAGES). */
export function streamRecord(o: BatchSource & { change: StreamChange; at: ChangePosition }) {
  const { change, at } = o;
  const rel = change.rel;
  const newImage = change.new ? image(rel, change.new) : undefined;
  // Without REPLICA IDENTITY FULL a delete (and an update that changed the key) carries the old key alone: that is its OldImage.
  const oldImage = change.old ? image(rel, change.old) : change.key ? image(rel, change.key) : undefined;
  const source = change.new ?? change.old ?? change.key ?? {};
  // Keys from the newest image that has them (an update may change the key; a keys-only delete has nothing else).
  const keyTuple: Record<string, string | null | undefined> = {};
  for (const k of rel.keys) keyTuple[k] = source[k] !== undefined ? source[k] : change.key?.[k];
  const keys = image(rel, keyTuple);
  const dynamodb = {
    ApproximateCreationDateTime: Number(at.commitTimeUs / 1000n) / 1000,
    Keys: keys,
    ...(newImage ? { NewImage: newImage } : {}),
    ...(oldImage ? { OldImage: oldImage } : {}),
    SequenceNumber: sequenceNumber(at),
    SizeBytes: Buffer.byteLength(JSON.stringify([keys, newImage ?? null, oldImage ?? null])),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  };
  return {
    eventID: eventId(at),
    eventName: EVENT_NAMES[change.kind],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: o.region,
    dynamodb,
    eventSourceARN: tableStreamArn(o, `${rel.schema}.${rel.name}`, o.mappingId),
  };
}

export type DynamoDbStreamRecord = ReturnType<typeof streamRecord>;
