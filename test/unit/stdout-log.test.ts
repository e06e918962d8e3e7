import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The api's JSON lines on standard output (src/lib/logger.ts): a process that logs and exits at once must still have
 * written every line, in order. They are written synchronously, a line at a time: two ways of writing them off the
 * api's thread were measured and not kept (docs/performance.md, "The request log line"), and either would have to
 * pass these.
 */
function run(body: string): { lines: Record<string, unknown>[]; status: number | null } {
  const script = `
    import { createLogger } from './src/lib/logger.ts';
    const log = createLogger('info', 'json');
    ${body}
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  const lines = child.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, status: child.status };
}

describe('JSON lines on standard output', () => {
  it('writes every line, in order, when the process exits right after logging them', () => {
    const { lines, status } = run(`
      for (let i = 0; i < 20000; i++) log.info({ i }, 'request completed');
      process.exit(0);
    `);
    expect(status).toBe(0);
    expect(lines).toHaveLength(20_000);
    expect(lines.every((l, i) => l.i === i)).toBe(true);
  });

  it('writes the fatal line and those before it when the process exits on an error', () => {
    const { lines, status } = run(`
      log.info('starting');
      setImmediate(() => {
        log.fatal({ err: 'the database is gone' }, 'exiting');
        process.exit(1);
      });
    `);
    expect(status).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['starting', 'exiting']);
    expect(lines[1]).toMatchObject({ level: 60, err: 'the database is gone' });
  });

  it('writes the lines logged before an uncaught error ends the process', () => {
    const { lines, status } = run(`
      for (let i = 0; i < 100; i++) log.info({ i }, 'working');
      setImmediate(() => { throw new Error('boom'); });
    `);
    expect(status).not.toBe(0);
    expect(lines).toHaveLength(100);
  });
});
