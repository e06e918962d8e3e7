import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeCache } from '../../executor/code-cache.js';
import { makeZip } from '../helpers/functions.js';

/**
 * The executor's code cache within its disk budget (TALLY_EXECUTOR_CODE_CACHE_MB): the least recently
 * used versions nobody holds go once the unpacked code takes more than the budget; held ones never.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'tally-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const fresh = () => path.join(work, `cache-${++counter}`);

/** A version of code: an index.js naming it, and 200 KB that does not compress, so each takes about 210 KB. */
function version(name: string) {
  const zip = makeZip([
    { name: 'index.js', data: `exports.handler = async () => ${JSON.stringify(name)};\n` },
    { name: 'pad.bin', data: randomBytes(200 * 1024), store: true },
  ]);
  return { name, zip, sha: createHash('sha256').update(zip).digest('hex') };
}
const A = version('a');
const B = version('b');
const C = version('c');
const D = version('d');

/** An api serving these versions, counting fetches; `gate` holds the next fetch of a version until opened. */
function api(...versions: ReturnType<typeof version>[]) {
  const fetched: string[] = [];
  const gates = new Map<string, Promise<void>>();
  return {
    fetched,
    gate(sha: string) {
      let open!: () => void;
      gates.set(
        sha,
        new Promise<void>((resolve) => {
          open = resolve;
        }),
      );
      return () => open();
    },
    async fetchCode(sha: string) {
      fetched.push(sha);
      const gate = gates.get(sha);
      gates.delete(sha);
      await gate;
      const found = versions.find((v) => v.sha === sha);
      if (!found) throw new Error(`no code ${sha}`);
      return found.zip;
    },
  };
}

/** A logger whose lines the test reads. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** What a tree takes on disk, counted here by walking it (the cache asks du). */
function onDisk(at: string): number {
  const st = lstatSync(at);
  let bytes = st.blocks * 512;
  if (st.isDirectory()) for (const name of readdirSync(at)) bytes += onDisk(path.join(at, name));
  return bytes;
}

/** The versions unpacked in a cache folder (not the folders being deleted, nor package.json). */
const kept = (dir: string) =>
  readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}$/.test(n))
    .sort();
const keptBytes = (dir: string) => kept(dir).reduce((sum, sha) => sum + onDisk(path.join(dir, sha)), 0);
const sorted = (...shas: string[]) => [...shas].sort();
const handlerOf = (folder: string) => readFileSync(path.join(folder, 'index.js'), 'utf8');

/** The size one version takes in the cache, measured by a cache of its own. */
async function entryBytes(): Promise<number> {
  const cache = new CodeCache(fresh(), api(A), pino({ level: 'silent' }));
  await cache.init();
  await cache.folder(A.sha);
  return cache.stats().bytes;
}

describe('the code cache within its budget', () => {
  it('removes the least recently used versions nobody holds once over the budget, and logs which and why', async () => {
    const one = await entryBytes();
    expect(one).toBeGreaterThan(200 * 1024);
    const dir = fresh();
    const { log, lines } = capture();
    const cache = new CodeCache(dir, api(A, B, C, D), log, { budgetBytes: Math.floor(2.5 * one) });
    await cache.init();
    await cache.folder(A.sha);
    await cache.folder(B.sha);
    expect(kept(dir)).toEqual(sorted(A.sha, B.sha));
    // B is used by an instance that has ended since: A is now the least recently used.
    await cache.acquire(B.sha);
    cache.release(B.sha);
    await cache.folder(C.sha);
    expect(kept(dir)).toEqual(sorted(B.sha, C.sha));
    await cache.folder(D.sha);
    expect(kept(dir)).toEqual(sorted(C.sha, D.sha));
    expect(cache.stats()).toMatchObject({ bytes: 2 * one, entries: 2, evicted: 2 });
    expect(cache.stats().bytes).toBe(keptBytes(dir));
    const removals = lines.filter((l) => String(l.msg).startsWith('code cache over its budget'));
    expect(removals.map((l) => (l.removed as { sha256: string }[]).map((r) => r.sha256))).toEqual([[A.sha], [B.sha]]);
    expect(removals[0]).toMatchObject({ level: 30, budgetBytes: Math.floor(2.5 * one), bytes: 2 * one });
  });

  it('never removes code an instance holds, even over the budget; removes it once the last hold ends', async () => {
    const one = await entryBytes();
    const dir = fresh();
    const cache = new CodeCache(dir, api(A, B, C), pino({ level: 'silent' }), { budgetBytes: Math.floor(1.5 * one) });
    await cache.init();
    await cache.acquire(A.sha);
    await cache.acquire(A.sha);
    await cache.acquire(B.sha);
    // Over the budget, but each is run from: both stay, and a trim asked for removes nothing.
    expect(await cache.trim()).toEqual({ evicted: 0 });
    expect(kept(dir)).toEqual(sorted(A.sha, B.sha));
    // C, loaded for no instance, is the one that goes.
    await cache.folder(C.sha);
    expect(kept(dir)).toEqual(sorted(A.sha, B.sha));
    cache.release(A.sha);
    expect(kept(dir)).toEqual(sorted(A.sha, B.sha));
    cache.release(A.sha);
    expect(kept(dir)).toEqual([B.sha]);
    cache.release(B.sha);
    expect(kept(dir)).toEqual([B.sha]);
    expect(cache.stats()).toMatchObject({ bytes: one, entries: 1 });
  });

  it('fetches and runs from a version bigger than the whole budget, and removes it once nobody holds it; fetched again when next needed', async () => {
    const dir = fresh();
    const server = api(A);
    const cache = new CodeCache(dir, server, pino({ level: 'silent' }), { budgetBytes: 1024 });
    await cache.init();
    const folder = await cache.acquire(A.sha);
    expect(handlerOf(folder)).toContain('"a"');
    cache.release(A.sha);
    expect(kept(dir)).toEqual([]);
    expect(cache.stats()).toMatchObject({ bytes: 0, entries: 0 });
    const again = await cache.acquire(A.sha);
    expect(again).toBe(folder);
    expect(handlerOf(again)).toContain('"a"');
    expect(server.fetched).toEqual([A.sha, A.sha]);
  });

  it('measures at start what is on disk, clears what a crash left, and trims to the budget the least recently used first', async () => {
    const one = await entryBytes();
    const dir = fresh();
    const first = new CodeCache(dir, api(A, B, C), pino({ level: 'silent' }));
    await first.init();
    for (const v of [A, B, C]) await first.folder(v.sha);
    // A removal and an unpacking cut short by a crash.
    mkdirSync(path.join(dir, '.gone-0123456789ab', 'deep'), { recursive: true });
    writeFileSync(path.join(dir, '.unpack-0123456789ab'), randomBytes(64 * 1024));
    // Last used: B long ago, then C, then A.
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    utimesSync(path.join(dir, B.sha), ago(300), ago(300));
    utimesSync(path.join(dir, C.sha), ago(200), ago(200));
    utimesSync(path.join(dir, A.sha), ago(100), ago(100));

    const server = api(A, B, C);
    const measured = new CodeCache(dir, server, pino({ level: 'silent' }));
    await measured.init();
    expect(measured.stats()).toMatchObject({ bytes: 3 * one, entries: 3 });
    expect(measured.stats().bytes).toBe(keptBytes(dir));
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    // What it found is used without a fetch.
    expect(handlerOf(await measured.folder(B.sha))).toContain('"b"');
    expect(server.fetched).toEqual([]);

    const trimmed = new CodeCache(dir, server, pino({ level: 'silent' }), { budgetBytes: Math.floor(1.5 * one) });
    await trimmed.init();
    expect(kept(dir)).toEqual([A.sha]);
    expect(trimmed.stats()).toMatchObject({ bytes: one, entries: 1, evicted: 2 });
  });

  it('a load of a version while its removal is under way unpacks it afresh, and the removal never takes the new folder', async () => {
    const one = await entryBytes();
    const dir = fresh();
    let reached!: () => void;
    let finish!: () => void;
    const removing = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const server = api(A, B);
    const cache = new CodeCache(dir, server, pino({ level: 'silent' }), {
      budgetBytes: Math.floor(1.5 * one),
      // The first removal is held half done: its folder is renamed away and part of it deleted.
      remove: async (at) => {
        rmSync(path.join(at, 'pad.bin'), { force: true });
        reached();
        await gate;
        rmSync(at, { recursive: true, force: true });
      },
    });
    await cache.init();
    await cache.folder(A.sha);
    await cache.folder(B.sha);
    await removing;
    expect(kept(dir)).toEqual([B.sha]);
    // A cold start of A while the removal of its old folder is under way.
    const folder = await cache.acquire(A.sha);
    expect(server.fetched).toEqual([A.sha, B.sha, A.sha]);
    finish();
    await cache.trim();
    expect(handlerOf(folder)).toContain('"a"');
    expect(onDisk(path.join(folder, 'pad.bin'))).toBeGreaterThanOrEqual(200 * 1024);
    expect(kept(dir)).toEqual([A.sha]);
    await expect.poll(() => readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(cache.stats().bytes).toBe(keptBytes(dir));
  });

  it('never removes a version while it is being loaded: it comes out whole, and the others make room', async () => {
    const one = await entryBytes();
    const dir = fresh();
    const server = api(A, B, C);
    const cache = new CodeCache(dir, server, pino({ level: 'silent' }), { budgetBytes: Math.floor(1.5 * one) });
    await cache.init();
    await cache.folder(B.sha);
    const open = server.gate(A.sha);
    const loadingA = cache.acquire(A.sha);
    // While A's code is on its way, C arrives and the cache goes over its budget.
    await cache.folder(C.sha);
    expect(kept(dir)).toEqual([C.sha]);
    open();
    const folder = await loadingA;
    expect(handlerOf(folder)).toContain('"a"');
    expect(kept(dir)).toEqual([A.sha]);
    expect(existsSync(path.join(folder, 'pad.bin'))).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: one, entries: 1 });
    expect(cache.stats().bytes).toBe(keptBytes(dir));
  });
});
