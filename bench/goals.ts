import { measureLayer } from './floor.js';
import { ingestShapes } from './ingest.js';
import { fmt } from './lib.js';
import { offlineBench } from './offline.js';

/**
 * `npm run bench -- goals`: issue 15's three goals on this machine in one run, each against the
 * baseline it is stated against, ending in one table with a standing per goal. It runs `offline`
 * (serverless-offline at its best, Tally as `npm start` and apart, the floor of the design) and
 * `ingest` (both shapes, against the 8-connection `INSERT` ceiling; `BENCH_APIS=2` adds two api
 * processes), after a bare Fastify route that places the machine among others (docs/benchmarks.md:
 * 13,000-19,000 req/s on the slowest VMs measured, 40,000-72,000 on the fast ones). 8-20 minutes.
 */
const GOAL_P50_MS = 2;
const GOAL_RATE = 2000;
const GOAL_EVENTS = 50_000;
const GOAL_CEILING_SHARE = 0.5;
const GOAL_OFFLINE_TIMES = 3;

interface Item {
  what: string;
  ok: boolean;
}

/** "met" when every item met the goal, "not met" when none did, else which did and which did not. */
function standing(items: Item[]): string {
  const met = items.filter((i) => i.ok).map((i) => i.what);
  if (met.length === items.length) return 'met';
  if (met.length === 0) return 'not met';
  return `met by ${met.join(', ')}; not by ${items
    .filter((i) => !i.ok)
    .map((i) => i.what)
    .join(', ')}`;
}

export async function goalsBench(): Promise<void> {
  console.log("goals benchmark: issue 15's goals on this machine, each against its baseline in the same run");
  const bare = await measureLayer(0);
  console.log(`  this machine: a bare Fastify route 1 client p50 ${fmt(bare.p50, 2)} ms, 8 clients ${fmt(bare.rps)} req/s`);
  const side = await offlineBench();
  const ingest = await ingestShapes();

  const how = (separate: boolean) => (separate ? 'apart' : '`npm start`');
  const shapeName = (shape: 'spread' | 'recent') => (shape === 'spread' ? 'spread over 27 days' : 'the last minute');
  // Per shape: one api process, then `BENCH_APIS` of them when measured.
  const events = ingest.flatMap((r) => [
    { what: shapeName(r.shape), rate: r.eventsPerSecond, ceiling: r.ceilingRowsPerSecond, first: true },
    ...(r.processes
      ? [
          {
            what: `${shapeName(r.shape)}, ${r.processes.count} api processes`,
            rate: r.processes.eventsPerSecond,
            ceiling: r.ceilingRowsPerSecond,
            first: false,
          },
        ]
      : []),
  ]);
  const ceilingOf = (e: (typeof events)[number]) => (e.first ? ` (ceiling ${fmt(e.ceiling)} rows/s)` : '');
  const rows: { goal: string; measured: string; items: Item[] }[] = [
    {
      goal: `1. warm invoke, one client, p50 under ${GOAL_P50_MS} ms`,
      measured: side.tally.map((t) => `${how(t.separate)} ${fmt(t.p50, 2)} ms`).join('; '),
      items: side.tally.map((t) => ({ what: how(t.separate), ok: t.p50 < GOAL_P50_MS })),
    },
    {
      goal: `1. warm invoke, 8 clients, at least ${fmt(GOAL_RATE)}/s`,
      measured: side.tally.map((t) => `${how(t.separate)} ${fmt(t.rps)}/s`).join('; '),
      items: side.tally.map((t) => ({ what: how(t.separate), ok: t.rps >= GOAL_RATE })),
    },
    {
      goal: `2. ingest, at least ${fmt(GOAL_EVENTS)} events/s`,
      measured: events.map((e) => `${e.what} ${fmt(e.rate)}/s`).join('; '),
      items: events.map((e) => ({ what: e.what, ok: e.rate >= GOAL_EVENTS })),
    },
    {
      goal: `2. ingest, at least ${GOAL_CEILING_SHARE} of the 8-connection INSERT ceiling`,
      measured: events.map((e) => `${e.what} ${fmt(e.rate / e.ceiling, 2)}${ceilingOf(e)}`).join('; '),
      items: events.map((e) => ({ what: e.what, ok: e.rate / e.ceiling >= GOAL_CEILING_SHARE })),
    },
    {
      goal: `3. at least ${GOAL_OFFLINE_TIMES}× serverless-offline's throughput at a lower p50`,
      measured:
        `serverless-offline at its best ${fmt(side.offline.rps)}/s, p50 ${fmt(side.offline.p50, 2)} ms; ` +
        side.tally
          .map((t) => `${how(t.separate)} ${fmt(t.rps / side.offline.rps, 2)}× at ${fmt(t.p50 / side.offline.p50, 2)}× its p50`)
          .join('; ') +
        `; the floor ${fmt(side.floor.rps / side.offline.rps, 2)}× at ${fmt(side.floor.p50 / side.offline.p50, 2)}×, ` +
        `Tally (\`npm start\`) ${fmt(side.tally[0]!.rps / side.floor.rps, 2)}× the floor's rate`,
      items: side.tally.map((t) => ({
        what: how(t.separate),
        ok: t.rps >= GOAL_OFFLINE_TIMES * side.offline.rps && t.p50 < side.offline.p50,
      })),
    },
  ];
  console.log('');
  console.log('  | goal | measured | standing |');
  console.log('  |---|---|---|');
  for (const r of rows) console.log(`  | ${r.goal} | ${r.measured} | ${standing(r.items)} |`);
}
