import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { removeLeftovers } from '../../executor/sandbox/sandbox.js';

/** Executor folders (holding an `executor-id`) up to a few levels below `dir`. */
function executorDirs(dir: string, depth = 3): string[] {
  if (!existsSync(dir)) return [];
  if (existsSync(path.join(dir, 'executor-id'))) return [dir];
  if (depth === 0) return [];
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    })
    .flatMap((p) => executorDirs(p, depth - 1));
}

/**
 * Removes a test's folder, first clearing what the sandboxes of executors killed with SIGKILL left
 * behind (their /tmp disks stay mounted, their namespaces and forwarders alive), as an executor
 * restarting in the same folder would.
 */
export async function removeTestDir(dir: string): Promise<void> {
  for (const executor of executorDirs(dir)) {
    const id = readFileSync(path.join(executor, 'executor-id'), 'utf8').trim();
    await removeLeftovers({ dir: path.join(executor, 'sandbox'), executorKey: id.slice(0, 8) });
  }
  rmSync(dir, { recursive: true, force: true });
}
