import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** A function's Lambda-only settings: role, description and the runtime identifier as given. */
export interface AwsSettings {
  role: string | null;
  description: string;
  runtime: string | null;
}

export const NO_AWS_SETTINGS: AwsSettings = { role: null, description: '', runtime: null };

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
