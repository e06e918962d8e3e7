import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import yazl from 'yazl';
import { CliError, EXIT } from './exit.js';

/** Entries not worth shipping: version control. Everything else in the folder goes in, node_modules too. */
const SKIPPED = new Set(['.git', '.hg', '.svn']);
/** A fixed time: the same folder zips to the same bytes, so an unchanged deploy keeps its code hash. */
const MTIME = new Date('2000-01-01T00:00:00Z');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(d, entry.name);
      const st = statSync(path); // follows symlinks: their targets are shipped
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.push(path);
    }
  };
  walk(dir);
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
