import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './exit.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export interface Profile {
  url: string;
  key: string;
}

/** `~/.config/tally/config.json` (or under XDG_CONFIG_HOME): named profiles and the one in use. */
export interface ConfigFile {
  current?: string;
  profiles: Record<string, Profile>;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TALLY_CONFIG) return env.TALLY_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'tally', 'config.json');
}

export function readConfig(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as ConfigFile;
    return { ...parsed, profiles: parsed.profiles ?? {} };
  } catch {
    throw new CliError(`${path} is not valid JSON: fix or delete it, then run tally login`, EXIT.usage);
  }
}

/** Written whole through a temporary file, readable by its owner only (it holds keys). */
export function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export interface Resolved {
  url: string;
  key: string | null;
  /** Where the key came from, for messages. */
  source: string;
}

/**
 * Which api and key a command uses: `--url`/`--key`, else a profile named with `--profile` (or
 * TALLY_PROFILE), else TALLY_URL/TALLY_KEY, else the profile `tally login` made current.
 */
export function resolveConnection(flags: { url?: string; key?: string; profile?: string }, env: NodeJS.ProcessEnv = process.env): Resolved {
  const path = configPath(env);
  const named = flags.profile ?? env.TALLY_PROFILE;
  let fromFile: Profile | undefined;
  let source: string;
  if (named) {
    fromFile = readConfig(path).profiles[named];
    if (!fromFile) throw new CliError(`no profile "${named}" in ${path}: run tally login --profile ${named}`, EXIT.usage);
    source = `profile ${named}`;
  } else if (env.TALLY_URL || env.TALLY_KEY) {
    source = 'TALLY_URL/TALLY_KEY';
  } else {
    const config = readConfig(path);
    fromFile = config.profiles[config.current ?? 'default'];
    source = fromFile ? `profile ${config.current ?? 'default'}` : 'defaults';
  }
  const url = flags.url ?? (named ? fromFile?.url : (env.TALLY_URL ?? fromFile?.url)) ?? DEFAULT_URL;
  const key = flags.key ?? (named ? fromFile?.key : (env.TALLY_KEY ?? fromFile?.key)) ?? null;
  return { url, key, source: flags.key ? '--key' : source };
}
