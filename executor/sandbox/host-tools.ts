import { openSync, readSync, closeSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Where an instance finds the privilege drop and the host's shell, whatever its root: a container
 * image may have no shell, nor a C library one can load (a Go binary on `scratch`), or one too old.
 * The drop (executor/native/drop.c) is linked statically: it runs as root, and nothing of the root
 * it runs in (the image's /etc/ld.so.preload, its loader cache) nor of the environment (the image's
 * ENV, LD_PRELOAD among it) may reach it. The shell runs after the drop, as the function's uid,
 * through the host's own dynamic loader with the host's library folder, bound read-only here.
 */
export const HOST_TOOLS_INSIDE = '/run/tally/host';

export interface HostTools {
  /** bwrap options binding the tools under HOST_TOOLS_INSIDE. */
  binds: string[];
  /** The launcher's command inside the sandbox: the drop to `uid` (and a group of the same number), then the shell running `script`. */
  command(uid: number, script: string): string[];
}

/**
 * Mount points a root must hold for the binds (made in a container image's root when it is unpacked).
 * The drop is bound at `setpriv`, the name of the tool it replaced, so that roots unpacked before keep working.
 */
export const HOST_TOOLS_MOUNT_POINTS = {
  dirs: ['/run', '/run/tally', HOST_TOOLS_INSIDE, `${HOST_TOOLS_INSIDE}/lib`],
  files: [`${HOST_TOOLS_INSIDE}/setpriv`, `${HOST_TOOLS_INSIDE}/sh`],
};

/** The ELF interpreter (dynamic loader) a binary names, read from its PT_INTERP program header. */
export function elfInterpreter(binary: string): string {
  const fd = openSync(binary, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) {
      throw new Error(`${binary} is not a 64-bit little-endian ELF file`);
    }
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      if (table.readUInt32LE(at) !== 3) continue; // PT_INTERP
      const offset = Number(table.readBigUInt64LE(at + 8));
      const size = Number(table.readBigUInt64LE(at + 32));
      const name = Buffer.alloc(size);
      readSync(fd, name, 0, size, offset);
      return name.toString('utf8').replace(/\0.*$/s, '');
    }
    throw new Error(`${binary} is statically linked`);
  } finally {
    closeSync(fd);
  }
}

export function hostTools(drop: string, shell = '/bin/sh'): HostTools {
  const loader = realpathSync(elfInterpreter(realpathSync(shell)));
  // The loader's own folder holds the C library on Debian and its derivatives.
  const libDir = path.dirname(loader);
  const inside = {
    lib: `${HOST_TOOLS_INSIDE}/lib`,
    loader: `${HOST_TOOLS_INSIDE}/lib/${path.basename(loader)}`,
    drop: `${HOST_TOOLS_INSIDE}/setpriv`,
    sh: `${HOST_TOOLS_INSIDE}/sh`,
  };
  return {
    binds: ['--ro-bind', libDir, inside.lib, '--ro-bind', realpathSync(drop), inside.drop, '--ro-bind', realpathSync(shell), inside.sh],
    command: (uid, script) => [
      inside.drop,
      String(uid),
      String(uid),
      '--',
      inside.loader,
      '--library-path',
      inside.lib,
      inside.sh,
      '-c',
      script,
    ],
  };
}
