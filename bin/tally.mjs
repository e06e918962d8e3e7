#!/usr/bin/env node
// The `tally` CLI. After `npm run build` it runs the compiled dist/src/cli/main.js; in a checkout
// without a build it runs the TypeScript source through tsx. TALLY_CLI_FROM=source|dist chooses.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const from = process.env.TALLY_CLI_FROM ?? (existsSync(compiled) ? 'dist' : 'source');
let entry = compiled;
if (from === 'source') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url);
}
// A reader that stops early (`tally logs | head`) closes the pipe: what was asked for went out, so end quietly, not with
// Node's crash for an unhandled EPIPE (found by review).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
