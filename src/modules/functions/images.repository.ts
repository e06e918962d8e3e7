import { sql, type ColumnType } from 'kysely';
import type { Db } from '../../db/database.js';
import type { FunctionsDb, FunctionsTx, FunctionTables } from './functions.repository.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Int8 = ColumnType<string, number | string, never>;

export interface ImageBlobsTable {
  account_id: string;
  digest: string;
  bytes: Int8;
  created_at: CreatedAt;
}

export interface ImageBlobChunksTable {
  account_id: string;
  digest: string;
  seq: number;
  data: Buffer;
}

export interface ImagesTable {
  account_id: string;
  digest: string;
  config_digest: string;
  layers: number;
  bytes: Int8;
  unpacked_bytes: Int8;
  created_at: CreatedAt;
}

export interface ImageBlobRefsTable {
  account_id: string;
  image_digest: string;
  blob_digest: string;
}

export type ImageTables = {
  image_blobs: ImageBlobsTable;
  image_blob_chunks: ImageBlobChunksTable;
  images: ImagesTable;
  image_blob_refs: ImageBlobRefsTable;
};

/** A blob is written in chunks of this size: no single value holds a whole layer. */
export const BLOB_CHUNK_BYTES = 4 * 1024 * 1024;

export interface ImageRow {
  digest: string;
  configDigest: string;
  layers: number;
  bytes: number;
  unpackedBytes: number;
  blobs: Map<string, Buffer>;
}

/** Container images' SQL: blobs by digest per account, images naming them, and their collection. */
export function createImagesRepository(base: Db) {
  const db: FunctionsDb = base.withTables<FunctionTables>();
  return {
    /**
     * Serializes image writes and collection in one account: a blob a new image reuses must not be
     * collected between the moment it was found and the moment the new image names it.
     */
    async lock(tx: FunctionsTx, accountId: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`images/${accountId}`}, 0))`.execute(tx);
    },

    /** Stores the image and the blobs the account does not have yet (call `lock` first). */
    async insertImage(tx: FunctionsTx, accountId: string, image: ImageRow): Promise<void> {
      const digests = [...image.blobs.keys()];
      const known = new Set(
        (
          await tx.selectFrom('image_blobs').select('digest').where('account_id', '=', accountId).where('digest', 'in', digests).execute()
        ).map((r) => r.digest),
      );
      for (const [digest, data] of image.blobs) {
        if (known.has(digest)) continue;
        await tx.insertInto('image_blobs').values({ account_id: accountId, digest, bytes: data.length }).execute();
        for (let seq = 0, at = 0; at < data.length || seq === 0; seq++, at += BLOB_CHUNK_BYTES) {
          await tx
            .insertInto('image_blob_chunks')
            .values({ account_id: accountId, digest, seq, data: data.subarray(at, at + BLOB_CHUNK_BYTES) })
            .execute();
        }
      }
      const inserted = await tx
        .insertInto('images')
        .values({
          account_id: accountId,
          digest: image.digest,
          config_digest: image.configDigest,
          layers: image.layers,
          bytes: image.bytes,
          unpacked_bytes: image.unpackedBytes,
        })
        .onConflict((oc) => oc.columns(['account_id', 'digest']).doNothing())
        .returning('digest')
        .executeTakeFirst();
      if (!inserted) return;
      const refs = digests
        .filter((d) => d !== image.digest)
        .map((d) => ({ account_id: accountId, image_digest: image.digest, blob_digest: d }));
      if (refs.length > 0)
        await tx
          .insertInto('image_blob_refs')
          .values(refs)
          .onConflict((oc) => oc.doNothing())
          .execute();
    },

    /** Images no version uses, then blobs no image names (call `lock` first). Returns how many blobs went. */
    async collect(tx: FunctionsTx, accountId: string): Promise<number> {
      await sql`
      delete from images i
       where i.account_id = ${accountId}
         and not exists (select 1 from function_versions v where v.account_id = i.account_id and v.image_digest = i.digest)`.execute(tx);
      const gone = await sql`
      delete from image_blobs b
       where b.account_id = ${accountId}
         and not exists (select 1 from images i where i.account_id = b.account_id and i.digest = b.digest)
         and not exists (select 1 from image_blob_refs r where r.account_id = b.account_id and r.blob_digest = b.digest)`.execute(tx);
      return Number(gone.numAffectedRows ?? 0);
    },

    /** A blob's size and owner, for an executor: any account's copy (the bytes are the same), or one account's. */
    async findBlob(digest: string, accountId: string | null): Promise<{ accountId: string; bytes: number } | null> {
      let q = db.selectFrom('image_blobs').select(['account_id', 'bytes']).where('digest', '=', digest);
      if (accountId !== null) q = q.where('account_id', '=', accountId);
      const row = await q.limit(1).executeTakeFirst();
      return row ? { accountId: row.account_id, bytes: Number(row.bytes) } : null;
    },

    async readChunk(accountId: string, digest: string, seq: number): Promise<Buffer | null> {
      const row = await db
        .selectFrom('image_blob_chunks')
        .select('data')
        .where('account_id', '=', accountId)
        .where('digest', '=', digest)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return row?.data ?? null;
    },

    async countBlobs(accountId: string): Promise<number> {
      const row = await db
        .selectFrom('image_blobs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type ImagesRepository = ReturnType<typeof createImagesRepository>;
