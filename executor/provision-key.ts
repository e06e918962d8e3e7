import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * docker-compose's one-shot step: with the admin key, mint one platform executor key per executor
 * and leave each in its own file (mode 0600), which only that executor mounts: a leaked key is
 * revoked alone (DELETE /v1/executors/:id with the admin key) and the others keep working. A file
 * that exists already is reused, so a later run mints nothing.
 *   TALLY_API_URL=http://proxy:3000 TALLY_ADMIN_KEY=...
 *   TALLY_EXECUTOR_KEY_FILES=/keys/executor-1/executor.key,/keys/executor-2/executor.key
 * (TALLY_EXECUTOR_KEY_FILE, a single file, is read when TALLY_EXECUTOR_KEY_FILES is not set.)
 */
const files = (process.env.TALLY_EXECUTOR_KEY_FILES ?? process.env.TALLY_EXECUTOR_KEY_FILE ?? '/keys/executor.key')
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);
const api = (process.env.TALLY_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const admin = process.env.TALLY_ADMIN_KEY;

if (new Set(files).size !== files.length) {
  console.error('executor keys: TALLY_EXECUTOR_KEY_FILES names a file twice; each executor needs a key of its own');
  process.exit(2);
}
const missing = files.filter((file) => {
  if (!existsSync(file)) return true;
  console.log(`executor key: ${file} exists; reusing it`);
  return false;
});
if (missing.length > 0 && !admin) {
  console.error('executor keys: TALLY_ADMIN_KEY is required to mint executor keys');
  process.exit(2);
}

async function mint(label: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${api}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'executor', label }),
      });
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      return ((await res.json()) as { key: string }).key;
    } catch (err) {
      // The api may still be starting.
      if (attempt >= 60) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

for (const file of missing) {
  const key = await mint(`executor (${path.basename(path.dirname(file))}/${path.basename(file)}, docker compose)`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  console.log(`executor key: minted and written to ${file}`);
}
process.exit(0);
