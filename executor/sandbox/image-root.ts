import { chmod, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HOST_TOOLS_MOUNT_POINTS } from './host-tools.js';

/** Where Tally's Runtime API socket is bound inside every instance (see RuntimeApi.start). */
const RUNTIME_API_SOCKET = '/run/tally/runtime-api.sock';

/** What the sandbox mounts over a container image's root, so each must exist in it as a real folder or file. */
function mountPoints(): { dirs: string[]; files: string[] } {
  return {
    dirs: ['/proc', '/dev', '/tmp', '/etc', ...HOST_TOOLS_MOUNT_POINTS.dirs],
    files: ['/etc/passwd', '/etc/group', '/etc/resolv.conf', '/etc/hosts', RUNTIME_API_SOCKET, ...HOST_TOOLS_MOUNT_POINTS.files],
  };
}

/**
 * A container image's root is mounted read-only (`--ro-bind`), so bwrap can create nothing in it:
 * every mount point must already be there. They are made once, right after the image is unpacked,
 * as real folders and files: a symlink in their place (an image may hold `/etc/hosts -> /etc/shadow`,
 * resolved on the host while bwrap sets up the mounts) is removed first.
 */
export async function prepareImageRoot(rootfs: string): Promise<void> {
  await chmod(rootfs, 0o755);
  const { dirs, files } = mountPoints();
  const folder = async (at: string) => {
    const found = await lstat(at).catch(() => null);
    if (found?.isDirectory()) return;
    if (found) await rm(at, { recursive: true, force: true });
    await mkdir(at, { mode: 0o755 });
  };
  const parents = async (inside: string) => {
    const parts = inside.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) await folder(path.join(rootfs, ...parts.slice(0, i)));
  };
  for (const dir of dirs) await parents(dir);
  for (const file of files) {
    await parents(path.dirname(file));
    const at = path.join(rootfs, file);
    const found = await lstat(at).catch(() => null);
    if (found?.isFile()) continue;
    if (found) await rm(at, { recursive: true, force: true });
    await writeFile(at, '', { mode: 0o644 });
  }
}

/**
 * The root of an image instance: the unpacked image, read-only (bind mounts are nosuid and nodev:
 * an image's setuid binaries and device files are inert), its own /proc and a minimal /dev, and
 * the host's DNS settings over the image's, as a container engine does.
 */
export function imageRootArgs(rootfs: string): string[] {
  return [
    '--ro-bind',
    rootfs,
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--ro-bind-try',
    '/etc/resolv.conf',
    '/etc/resolv.conf',
    '--ro-bind-try',
    '/etc/hosts',
    '/etc/hosts',
  ];
}
