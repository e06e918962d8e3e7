import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { connect, reach } from '../api.js';
import { configPath, DEFAULT_URL, readConfig, writeConfig } from '../config.js';
import { isApiError } from '../../client/index.js';
import { apiFailure, CliError, EXIT } from '../exit.js';
import { green, type Out, printJson } from '../output.js';

/** Reads the key without echoing it (a terminal), or as the first line of standard input (a pipe). */
async function readKey(out: Out): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    // The first line, not the whole input: a pipe its writer keeps open would hold the login for ever.
    let text = '';
    for await (const chunk of stdin) {
      text += chunk;
      if (text.includes('\n')) break;
    }
    stdin.destroy();
    return text.split('\n')[0]!.trim();
  }
  out.stderr.write('Key: ');
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: stdin, output: muted, terminal: true });
  // The terminal is raw while the key is typed: Ctrl-C reaches readline, not the process. It is an interrupt all the same
  // (without this the prompt paused its input and the process ended with 13, an unsettled await, saying nothing).
  rl.on('SIGINT', () => {
    rl.close();
    out.stderr.write('\n');
    process.kill(process.pid, 'SIGINT');
  });
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
  const r = await reach(conn, () => client.GET('/v1/functions', { params: { query: { limit: 1 } } }));
  if (r.response.status === 401 || r.response.status === 403) throw apiFailure(r.response, r.error);
  // The key is proven by a 200, or by Tally's own refusal of something else (an admin key is asked for an account here:
  // 400). A 5xx checked nothing, and an answer not in Tally's error shape (a 404 page) is not Tally: until 2026-12 either
  // saved the key as "logged in" (found by review).
  if (!r.response.ok && (r.response.status >= 500 || !isApiError(r.error))) {
    const why = apiFailure(r.response, r.error);
    const hint = isApiError(r.error) ? 'try again shortly' : `is ${url} a Tally api?`;
    throw new CliError(`${why.message}: the key could not be checked (${hint}); nothing saved`, why.exitCode);
  }
  writeConfig(path, { ...config, current: profile, profiles: { ...config.profiles, [profile]: { url, key } } });
  if (opts.json) printJson(out, { profile, url, config: path });
  else out.stdout.write(`${green(out, '✓')} logged in to ${url} as profile ${profile} (${path})\n`);
  return EXIT.ok;
}
