import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Auth } from '../accounts/auth.js';

/**
 * The platform executor key of the executor that `npm start` runs in-process. It is minted once,
 * kept in TALLY_DATA_DIR/executor.key (mode 0600) and reused, so usage spooled before a crash is
 * replayed with the same key after a restart; a key that no longer works (revoked, another
 * database) is replaced.
 */
export async function localExecutorKey(deps: {
  dataDir: string;
  auth: Pick<Auth, 'verify'>;
  accounts: Pick<AccountsService, 'createPlatformKey'>;
}): Promise<string> {
  const file = path.join(deps.dataDir, 'executor.key');
  const stored = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (stored !== '') {
    const principal = await deps.auth.verify(stored);
    if (principal?.role === 'executor' && principal.accountId === null) return stored;
  }
  const { key } = await deps.accounts.createPlatformKey('system:local-executor', 'executor', 'local executor (npm start)');
  await mkdir(deps.dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return key;
}
