import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectCgroups } from './cgroups.js';

/** The proven tools the sandbox is built from, and the Debian package of each. */
const TOOLS = {
  bwrap: 'bubblewrap',
  nsenter: 'util-linux',
  prlimit: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  ip: 'iproute2',
  pasta: 'passt',
  'mkfs.ext4': 'e2fsprogs',
} as const;

export type Tool = keyof typeof TOOLS;
/** The tools found, and `drop`: the statically linked privilege drop (executor/native/drop.c). */
export type Tools = Record<Tool, string> & { drop: string };

/** Where scripts/build-native.mjs puts the privilege drop, beside the executor's code (in dist too). */
export const DROP_HELPER = fileURLToPath(new URL('../native/build/tally-drop', import.meta.url));

export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

function which(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * Everything the sandbox needs, checked before the executor accepts work: it never runs a function
 * unsandboxed because a piece is missing. The error names what to install or change.
 */
export function checkRequirements(options: { tmp: 'disk' | 'memory'; searchPath?: string; cgroupMount?: string }): Tools {
  const problems: string[] = [];
  const searchPath =
    options.searchPath ?? [process.env.PATH ?? '', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
  const found = {} as Tools;
  const missing = new Set<string>();
  for (const [tool, pkg] of Object.entries(TOOLS) as [Tool, string][]) {
    if ((tool === 'mkfs.ext4' || tool === 'mount' || tool === 'umount') && options.tmp === 'memory') continue;
    const at = which(tool, searchPath);
    if (at) found[tool] = at;
    else missing.add(pkg);
  }
  if (missing.size > 0) problems.push(`missing tools: install them with \`apt-get install -y ${[...missing].join(' ')}\``);
  found.drop = DROP_HELPER;
  if (!existsSync(DROP_HELPER)) {
    problems.push(
      `the privilege drop ${DROP_HELPER} is not built: run \`node scripts/build-native.mjs\` (it needs a C compiler and the static C library: \`apt-get install -y gcc libc6-dev\`)`,
    );
  }
  if (process.getuid?.() !== 0) {
    problems.push('the executor must run as root to give each function its own uid, namespaces and cgroup');
  }
  try {
    const cgroups = detectCgroups(options.cgroupMount);
    if (cgroups.missing.length > 0) problems.push(`cgroup v${cgroups.version} controllers not available: ${cgroups.missing.join(', ')}`);
  } catch (err) {
    problems.push(`cgroups cannot be read: ${(err as Error).message}`);
  }
  if (options.tmp === 'disk' && !existsSync('/dev/loop-control')) {
    problems.push(
      "no loop devices (/dev/loop-control) for the functions' /tmp disks: load the loop module, or set TALLY_SANDBOX_TMP=memory",
    );
  }
  if (problems.length > 0) {
    throw new SandboxUnavailableError(
      `the function sandbox cannot start: ${problems.join('; ')}. ` +
        'TALLY_SANDBOX=off runs functions without isolation (a developer switch only: never with untrusted code).',
    );
  }
  return found;
}
