import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { deploy } from './commands/deploy.js';
import { invoke } from './commands/invoke.js';
import { login } from './commands/login.js';
import { logs } from './commands/logs.js';
import { budgets, functions, invoices, usage } from './commands/reads.js';
import { resolveConnection } from './config.js';
import { CliError, EXIT } from './exit.js';
import { type Out, red, terminal } from './output.js';

interface GlobalOptions {
  url?: string;
  key?: string;
  profile?: string;
  json?: boolean;
}

/** package.json's version: two folders up from src/cli, three from dist/src/cli. */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tally' && pkg.version) return pkg.version;
    } catch {
      /* not this one */
    }
  }
  return 'unknown';
}

const int = (what: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new CliError(`${what} ${v}: expected a whole number`, EXIT.usage);
  return Number(v);
};
const collect = (v: string, all: string[] = []) => [...all, v];

function program(out: Out, run: (work: (g: GlobalOptions) => Promise<number>) => Promise<void>): Command {
  const p = new Command('tally')
    .description('Deploy, invoke and watch Tally functions; read usage, invoices and budgets')
    .version(version(), '-V, --version')
    .option('--url <url>', 'the api (default: the profile, TALLY_URL, or http://127.0.0.1:3000)')
    .option('--key <key>', 'an account key (default: the profile or TALLY_KEY)')
    .option('--profile <name>', 'a profile saved by tally login (default: the current one; TALLY_PROFILE)')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError('(tally --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 function or api error, 2 usage, 3 auth, 4 not found, 5 api unreachable.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout.write(s), writeErr: (s) => out.stderr.write(s) });

  p.command('login')
    .description('save a key (checked against the api) to ~/.config/tally/config.json, mode 0600')
    .action(() => run((g) => login({ ...g }, out)));

  p.command('deploy <dir>')
    .description('zip a folder and create the function, or publish it as a new version of an existing one')
    .option('-n, --name <name>', 'the function (default: the folder name)')
    .option('-r, --runtime <runtime>', 'nodejs, python, ruby, java, provided (or an AWS identifier)')
    .option('-H, --handler <handler>', 'e.g. index.handler')
    .option('-m, --memory <mb>', 'memory in MB', int('--memory'))
    .option('-t, --timeout <s>', 'timeout in seconds', int('--timeout'))
    .addOption(new Option('--arch <arch>', 'architecture').choices(['x86_64', 'arm64']))
    .option('--ephemeral-storage <mb>', '/tmp size in MB', int('--ephemeral-storage'))
    .option('-e, --env <KEY=VALUE>', 'an environment variable (repeat; replaces the whole environment)', collect)
    .action((dir: string, o) => run((g) => deploy(resolveConnection(g), dir, { ...o, json: g.json }, out)));

  p.command('invoke <name>')
    .description('run a function and print its result (exit 1 if the function failed)')
    .option('-d, --data <json>', 'the event: JSON, @file, or @- for standard input (default: {})')
    .option('--async', 'queue the event and print its request id')
    .option('--log', "print the invocation's log tail to standard error")
    .option('--version <n>', 'a published version (default: the latest)', int('--version'))
    .action((name: string, o) => run((g) => invoke(resolveConnection(g), name, { ...o, json: g.json }, out)));

  p.command('logs <name>')
    .description("a function's log lines, oldest first")
    .option('-f, --follow', 'keep printing new lines as they come')
    .option('--since <when>', 'from a duration ago (30s, 15m, 1h, 2d) or a timestamp')
    .option('--filter <text>', 'only lines containing this text')
    .option('--request-id <id>', "one invocation's lines")
    .option('--limit <n>', 'at most this many lines', int('--limit'))
    .action((name: string, o) => run((g) => logs(resolveConnection(g), name, { ...o, json: g.json }, out)));

  p.command('functions')
    .description('list the functions')
    .action(() => run((g) => functions(resolveConnection(g), g, out)));

  p.command('usage')
    .description('requests, billed time and GB-seconds (this month unless --month)')
    .addOption(new Option('--by <group>', 'one row per function or architecture').choices(['function', 'architecture']))
    .option('--month <YYYY-MM>', 'a calendar month (UTC)')
    .addOption(new Option('--granularity <g>', 'rows per hour, day or month').choices(['hour', 'day', 'month']))
    .action((o) => run((g) => usage(resolveConnection(g), { ...o, json: g.json }, out)));

  p.command('invoices [id]')
    .description('list invoices, or show one (its lines; --csv or --html renders it)')
    .option('--csv', 'the invoice as CSV')
    .option('--html', 'the invoice as printable HTML')
    .option('--period <YYYY-MM>', 'only this month')
    .addOption(new Option('--status <status>', 'only these').choices(['draft', 'finalized', 'void']))
    .action((id: string | undefined, o) => run((g) => invoices(resolveConnection(g), id, { ...o, json: g.json }, out)));

  p.command('budgets')
    .description('list the budgets')
    .action(() => run((g) => budgets(resolveConnection(g), g, out)));
  return p;
}

/** Runs `tally` with these arguments; resolves with the exit code (see docs/cli.md). */
export async function main(argv: string[], out: Out = terminal()): Promise<number> {
  let code: number = EXIT.ok;
  let globals: GlobalOptions = {};
  const run = async (work: (g: GlobalOptions) => Promise<number>) => {
    code = await work(globals);
  };
  const p = program(out, run);
  p.hook('preAction', (cmd) => {
    globals = cmd.opts<GlobalOptions>();
  });
  try {
    await p.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      out.stderr.write(`${red(out, 'error')} ${err.message}\n`);
      return err.exitCode;
    }
    out.stderr.write(`${red(out, 'error')} ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}
