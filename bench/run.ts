import { asyncBench } from './async.js';
import { awsBench } from './aws.js';
import { floorBench } from './floor.js';
import { functionsBench } from './functions.js';
import { goalsBench } from './goals.js';
import { ingestBench } from './ingest.js';
import { invokeBench } from './invoke.js';
import { invoicesBench } from './invoices.js';
import { languagesBench } from './languages.js';
import { logsBench } from './logs.js';
import { offlineBench } from './offline.js';
import { sandboxBench } from './sandbox.js';
import { sourcesBench } from './sources.js';
import { stepsBench } from './steps.js';

/** `npm run bench -- <name>`: benchmarks print figures and ratios against a baseline measured in the same run. */
const benches: Record<string, () => Promise<unknown>> = {
  async: asyncBench,
  aws: awsBench,
  floor: floorBench,
  functions: functionsBench,
  goals: goalsBench,
  ingest: ingestBench,
  invoke: invokeBench,
  invoices: invoicesBench,
  languages: languagesBench,
  logs: logsBench,
  offline: offlineBench,
  sandbox: sandboxBench,
  sources: sourcesBench,
  steps: stepsBench,
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `goals` runs `offline` and `ingest` again, so a run of every target leaves it out.
const chosen = names.length > 0 ? names : Object.keys(benches).filter((name) => name !== 'goals');
for (const name of chosen) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
