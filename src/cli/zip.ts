import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import yazl from 'yazl';
import { CliError, EXIT } from './exit.js';

/** Entries not worth shipping: version control. Everything else in the folder goes in, node_modules too. */
const SKIPPED = new Set(['.git', '.hg', '.svn']);
/** A fixed time: the same folder zips to the same bytes, so an unchanged deploy keeps its code hash. */
const MTIME = new Date('2000-01-01T00:00:00Z');

/** A file system error while reading the folder, as a usage error naming the path (not a crash with a stack trace). */
function unreadable(path: string, err: unknown): CliError {
  const e = err as NodeJS.ErrnoException;
  return new CliError(`${path}: ${e.code ?? 'cannot read it'}${e.code === 'ELOOP' ? ' (a loop of symbolic links)' : ''}`, EXIT.usage);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  /** The folders being walked, by device and inode: a link to one of them is a loop, which never ends. */
  const walking = new Set<string>();
  const walk = (d: string, id: string) => {
    walking.add(id);
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (err) {
      throw unreadable(d, err);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(d, entry.name);
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(path); // follows symlinks: their targets are shipped
      } catch (err) {
        throw unreadable(path, err);
      }
      if (st.isDirectory()) {
        const inner = `${st.dev}:${st.ino}`;
        // Until 2026-12 the walk went round a loop (a link to `.` or `..`) until the path was too long, shipping
        // every file again at each turn, then crashed with ELOOP and a stack trace (found by review).
        if (walking.has(inner)) {
          throw new CliError(`${path} links back to a folder that holds it (a loop): remove the link, or deploy without it`, EXIT.usage);
        }
        walk(path, inner);
      } else if (st.isFile()) out.push(path);
    }
    walking.delete(id);
  };
  const top = statSync(dir);
  walk(dir, `${top.dev}:${top.ino}`);
  return out;
}

/** Zips a folder's files (paths relative to it, modes kept, so executables stay executable). */
export async function zipFolder(dir: string): Promise<{ zip: Buffer; files: number }> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch {
    throw new CliError(`${dir}: no such folder`, EXIT.usage);
  }
  if (!st.isDirectory()) throw new CliError(`${dir} is not a folder`, EXIT.usage);
  const files = filesUnder(dir);
  if (files.length === 0) throw new CliError(`${dir} holds no file to deploy`, EXIT.usage);
  const zip = new yazl.ZipFile();
  for (const path of files) {
    zip.addFile(path, relative(dir, path).split(sep).join('/'), { mtime: MTIME, mode: statSync(path).mode });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return { zip: Buffer.concat(chunks), files: files.length };
}
