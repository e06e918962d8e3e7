import { existsSync, writeFileSync } from 'node:fs';

/**
 * docker-compose's one-shot step: with the admin key, mint the executor fleet's platform key once
 * and leave it in TALLY_EXECUTOR_KEY_FILE (mode 0600) for the executors; a later run reuses it.
 *   TALLY_API_URL=http://proxy:3000 TALLY_ADMIN_KEY=... TALLY_EXECUTOR_KEY_FILE=/keys/executor.key
 */
const file = process.env.TALLY_EXECUTOR_KEY_FILE ?? '/keys/executor.key';
const api = (process.env.TALLY_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const admin = process.env.TALLY_ADMIN_KEY;

if (existsSync(file)) {
  console.log(`executor key: ${file} exists; reusing it`);
  process.exit(0);
}
if (!admin) {
  console.error('executor key: TALLY_ADMIN_KEY is required to mint the executor key');
  process.exit(2);
}
for (let attempt = 1; ; attempt++) {
  try {
    const res = await fetch(`${api}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'executor', label: 'executor fleet (docker compose)' }),
    });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    const { key } = (await res.json()) as { key: string };
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    console.log(`executor key: minted and written to ${file}`);
    process.exit(0);
  } catch (err) {
    if (attempt >= 60) throw err;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
