/**
 * Postgres array literals ('{a,b,NULL}') for a column of a batch, sent as one text parameter and cast
 * in SQL (`$1::uuid[]`). node-postgres would quote and escape every element through a regular
 * expression; for thousands of values per batch whose text needs no escaping (numbers, validated
 * uuids and timestamps) that was a visible share of the ingest CPU, so those are joined as they are.
 */

/** Numbers, validated uuids, or null: text that never needs quoting. */
export function plainArray(values: readonly (string | number | null)[]): string {
  let out = '';
  for (const v of values) out += v === null ? ',NULL' : `,${v}`;
  return `{${out.slice(1)}}`;
}

/** Any text (each element quoted, so 'NULL' stays the string), or null. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '';
  for (const v of values) {
    if (v === null) out += ',NULL';
    else if (v.includes('"') || v.includes('\\')) out += `,"${v.replace(/[\\"]/g, '\\$&')}"`;
    else out += `,"${v}"`;
  }
  return `{${out.slice(1)}}`;
}
