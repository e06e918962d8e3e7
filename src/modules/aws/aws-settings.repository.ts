import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** A function's Lambda-only settings: role, description and the runtime identifier as given. */
export interface AwsSettings {
  role: string | null;
  description: string;
  runtime: string | null;
}

export const NO_AWS_SETTINGS: AwsSettings = { role: null, description: '', runtime: null };

/** Lambda's limit on a function's tags, held by migration 0095's constraint. */
export const MAX_TAGS = 50;
export type Tags = Record<string, string>;
const TAGS_CONSTRAINT = 'function_aws_settings_tags_check';

/** Too many tags: the constraint refused the merged map (checked there, so two requests at once cannot both pass). */
export class TooManyTagsError extends Error {
  constructor() {
    super(`A function has at most ${MAX_TAGS} tags`);
  }
}

const tooManyTags = (err: unknown): never => {
  if ((err as { code?: string; constraint?: string }).constraint === TAGS_CONSTRAINT) throw new TooManyTagsError();
  throw err;
};

/** A statement of a function's resource-based policy, as Lambda writes it. */
export type PolicyStatement = Record<string, unknown> & { Sid: string };
const POLICY_CONSTRAINT = 'function_aws_settings_policy_check';

/** The policy would pass Lambda's size limit (migration 0109's constraint). */
export class PolicyTooLargeError extends Error {
  constructor() {
    super("The function's policy would be larger than 20 KB");
  }
}

export function createAwsSettingsRepository(db: Db) {
  return {
    async get(accountId: string, functionId: string): Promise<AwsSettings> {
      const { rows } = await sql<AwsSettings>`
        select role, description, runtime from function_aws_settings
        where account_id = ${accountId} and function_id = ${functionId}`.execute(db);
      return rows[0] ?? NO_AWS_SETTINGS;
    },

    async many(accountId: string, functionIds: string[]): Promise<Map<string, AwsSettings>> {
      if (functionIds.length === 0) return new Map();
      const { rows } = await sql<AwsSettings & { function_id: string }>`
        select function_id, role, description, runtime from function_aws_settings
        where account_id = ${accountId} and function_id = any(${functionIds}::uuid[])`.execute(db);
      return new Map(rows.map((r) => [r.function_id, { role: r.role, description: r.description, runtime: r.runtime }]));
    },

    async tags(accountId: string, functionId: string): Promise<Tags> {
      const { rows } = await sql<{ tags: Tags }>`
        select tags from function_aws_settings where account_id = ${accountId} and function_id = ${functionId}`.execute(db);
      return rows[0]?.tags ?? {};
    },

    /** Adds or replaces these tags, in one statement (a function made through /v1 has no row yet). */
    async tag(accountId: string, functionId: string, tags: Tags): Promise<void> {
      await sql`
        insert into function_aws_settings (account_id, function_id, tags)
        values (${accountId}, ${functionId}, ${JSON.stringify(tags)}::jsonb)
        on conflict (account_id, function_id) do update set tags = function_aws_settings.tags || excluded.tags`
        .execute(db)
        .catch(tooManyTags);
    },

    async untag(accountId: string, functionId: string, keys: string[]): Promise<void> {
      await sql`
        update function_aws_settings set tags = tags - ${keys}::text[]
        where account_id = ${accountId} and function_id = ${functionId}`.execute(db);
    },

    /** The function's policy statements by Sid (none: an empty map). */
    async policy(accountId: string, functionId: string): Promise<Record<string, PolicyStatement>> {
      const { rows } = await sql<{ policy: Record<string, PolicyStatement> }>`
        select policy from function_aws_settings where account_id = ${accountId} and function_id = ${functionId}`.execute(db);
      return rows[0]?.policy ?? {};
    },

    /** Adds a statement in one statement; false when its Sid is there already (nothing written). */
    async addStatement(accountId: string, functionId: string, statement: PolicyStatement): Promise<boolean> {
      const entry = JSON.stringify({ [statement.Sid]: statement });
      const { rows } = await sql`
        insert into function_aws_settings (account_id, function_id, policy)
        values (${accountId}, ${functionId}, ${entry}::jsonb)
        on conflict (account_id, function_id) do update set policy = function_aws_settings.policy || excluded.policy
          where not jsonb_exists(function_aws_settings.policy, ${statement.Sid})
        returning 1`
        .execute(db)
        .catch((err: { constraint?: string }) => {
          if (err.constraint === POLICY_CONSTRAINT) throw new PolicyTooLargeError();
          throw err;
        });
      return rows.length === 1;
    },

    /** Removes a statement; false when there is none with this Sid. */
    async removeStatement(accountId: string, functionId: string, sid: string): Promise<boolean> {
      const r = await sql`
        update function_aws_settings set policy = policy - ${sid}
        where account_id = ${accountId} and function_id = ${functionId} and jsonb_exists(policy, ${sid})`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },

    async put(accountId: string, functionId: string, s: AwsSettings): Promise<void> {
      await sql`
        insert into function_aws_settings (account_id, function_id, role, description, runtime)
        values (${accountId}, ${functionId}, ${s.role}, ${s.description}, ${s.runtime})
        on conflict (account_id, function_id) do update
          set role = excluded.role, description = excluded.description, runtime = excluded.runtime`.execute(db);
    },
  };
}

export type AwsSettingsRepository = ReturnType<typeof createAwsSettingsRepository>;
