import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { connect, reach } from '../api.js';
import { configPath, DEFAULT_URL, readConfig, writeConfig } from '../config.js';
import { apiFailure, CliError, EXIT } from '../exit.js';
import { green, type Out, printJson } from '../output.js';

/** Reads the key without echoing it (a terminal), or as the first line of standard input (a pipe). */
async function readKey(out: Out): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += chunk;
    return text.split('\n')[0]!.trim();
  }
  out.stderr.write('Key: ');
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: stdin, output: muted, terminal: true });
  const key = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  out.stderr.write('\n');
  return key.trim();
}

export interface LoginOptions {
  url?: string;
  key?: string;
  profile?: string;
  json?: boolean;
}

/** Checks the key against the api, then saves it under a profile (mode 0600) and makes that profile current. */
export async function login(opts: LoginOptions, out: Out): Promise<number> {
  const path = configPath();
  const config = readConfig(path);
  const profile = opts.profile ?? 'default';
  const url = opts.url ?? process.env.TALLY_URL ?? config.profiles[profile]?.url ?? DEFAULT_URL;
  const key = opts.key ?? process.env.TALLY_KEY ?? (await readKey(out));
  if (!key) throw new CliError('no key given: tally login --key <key>, or type it when asked', EXIT.usage);
  const conn = { url, key, source: 'login' };
  const { client } = connect(conn);
  // Any answer but 401/403 proves the key (an admin key is asked for an account here: 400 is fine).
  const r = await reach(conn, () => client.GET('/v1/functions', { params: { query: { limit: 1 } } }));
  if (r.response.status === 401 || r.response.status === 403) throw apiFailure(r.response, r.error);
  writeConfig(path, { ...config, current: profile, profiles: { ...config.profiles, [profile]: { url, key } } });
  if (opts.json) printJson(out, { profile, url, config: path });
  else out.stdout.write(`${green(out, '✓')} logged in to ${url} as profile ${profile} (${path})\n`);
  return EXIT.ok;
}
