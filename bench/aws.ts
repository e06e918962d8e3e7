import { Agent, request } from 'node:http';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { signerFor, verifySigV4 } from '../src/modules/aws/sigv4.js';
import { api, deploy } from './invoke.js';
import { benchDatabase, fmt, percentile, processCpuSeconds } from './lib.js';

/**
 * Warm invoke of the same no-op function, in the same run: through the Lambda API signed with SigV4
 * (the real SDK client, and a bare HTTP client signing each call with @smithy/signature-v4) against
 * POST /v1/functions/noop/invoke with a bearer key. Sequential p50 (one client, keep-alive), then
 * throughput with 8 clients in loops. The SigV4 figures include the client's own signing.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 3;
const CLIENTS = 8;
const EVENT = Buffer.from('{}');

type Call = () => Promise<void>;

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url.pathname}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time (user + system, ms) the process has used so far: what a request costs it, whatever the machine's load. */
const cpuMsOf = (pid: number): number => processCpuSeconds(pid) * 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** p50 of one client calling CALLS times in a loop. */
async function p50Of(call: Call): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

/** Invocations per second with the given clients, each calling in a loop for SECONDS. */
async function rateOf(calls: Call[], seconds = SECONDS): Promise<number> {
  const started = performance.now();
  const until = started + seconds * 1000;
  const counts = await Promise.all(
    calls.map(async (call) => {
      let n = 0;
      while (performance.now() < until) {
        await call();
        n += 1;
      }
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

/** The server's own cost: verifySigV4 on one signed request, in this process, per call. */
async function verifyCost(k: { accessKeyId: string; secretAccessKey: string }): Promise<number> {
  const signer = signerFor(k.accessKeyId, k.secretAccessKey);
  const path = '/2015-03-31/functions/noop/invocations';
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path,
    query: {},
    headers: { host: '127.0.0.1:3000', 'content-type': 'application/json' },
    body: EVENT,
  });
  const credential = { accountId: 'a', accessKeyId: k.accessKeyId, signer };
  const req = { method: 'POST', url: path, headers: signed.headers, body: EVENT };
  const lookup = async () => credential;
  for (let i = 0; i < 2000; i++) await verifySigV4(req, new Date(), lookup);
  const n = 20_000;
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) await verifySigV4(req, new Date(), lookup);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / n;
}

export async function awsBench(): Promise<void> {
  const database = await benchDatabase();
  const d = await deploy(database.url, false);
  try {
    const k = (await api(d.base, d.key, 'POST', `/v1/accounts/${d.accountId}/access-keys`)).json as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const base = new URL(d.base);

    const bearer = (): Call => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const url = new URL(`${d.base}/v1/functions/noop/invoke`);
      const headers = { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' };
      return () => post(agent, url, headers, EVENT);
    };
    const signedHttp = (): Call => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const signer = signerFor(k.accessKeyId, k.secretAccessKey);
      const path = '/2015-03-31/functions/noop/invocations';
      const url = new URL(d.base + path);
      return async () => {
        const signed = await signer.sign({
          method: 'POST',
          protocol: 'http:',
          hostname: base.hostname,
          port: Number(base.port),
          path,
          query: {},
          headers: { host: base.host, 'content-type': 'application/json' },
          body: EVENT,
        });
        await post(agent, url, signed.headers as Record<string, string>, EVENT);
      };
    };
    const sdk = (): Call => {
      const lambda = new LambdaClient({
        endpoint: d.base,
        region: 'us-east-1',
        credentials: k,
        maxAttempts: 1,
      });
      return async () => {
        const r = await lambda.send(new InvokeCommand({ FunctionName: 'noop', Payload: EVENT }));
        if (r.StatusCode !== 200 || r.FunctionError) throw new Error(`SDK invoke: ${r.StatusCode} ${r.FunctionError ?? ''}`);
      };
    };

    console.log(`aws benchmark: warm no-op Node.js function, npm start style (api and executor in one process), ${database.source}`);
    const rows: [string, () => Call][] = [
      ['/v1 invoke, bearer key (baseline)', bearer],
      ['Lambda Invoke, SigV4 signed per call (bare HTTP client)', signedHttp],
      ['Lambda Invoke, @aws-sdk/client-lambda', sdk],
    ];
    // Rounds interleave the three clients, so the machine's load falls on each alike.
    const seqClients = rows.map(([, make]) => make());
    const loadClients = rows.map(([, make]) => Array.from({ length: CLIENTS }, make));
    for (const c of seqClients) for (let i = 0; i < 300; i++) await c();
    for (const cs of loadClients) await rateOf(cs, 2);
    const p50s: number[][] = rows.map(() => []);
    const rates: number[][] = rows.map(() => []);
    const cpu: number[][] = rows.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < rows.length; i++) {
        const before = cpuMsOf(d.executorPid);
        p50s[i]!.push(await p50Of(seqClients[i]!));
        cpu[i]!.push((cpuMsOf(d.executorPid) - before) / CALLS);
      }
      for (let i = 0; i < rows.length; i++) rates[i]!.push(await rateOf(loadClients[i]!));
    }
    const results = rows.map(([label], i) => ({ label, p50: median(p50s[i]!), rps: median(rates[i]!), cpu: median(cpu[i]!) }));
    rows.forEach(([label], i) => {
      console.log(
        `  ${label}: api CPU ${fmt(results[i]!.cpu * 1000)} µs per invocation; 1 client p50 ${fmt(results[i]!.p50, 2)} ms (rounds ${p50s[i]!.map((x) => fmt(x, 2)).join(' / ')}); ${CLIENTS} clients ${fmt(results[i]!.rps)} invocations/s (rounds ${rates[i]!.map((x) => fmt(x)).join(' / ')})`,
      );
    });
    const baseline = results[0]!;
    for (const r of results.slice(1)) {
      console.log(
        `  ${r.label}: api CPU per invocation x${fmt(r.cpu / baseline.cpu, 3)} of the baseline; p50 x${fmt(r.p50 / baseline.p50, 3)} (${fmt((100 * (r.p50 - baseline.p50)) / baseline.p50, 1)} %); throughput ${fmt((100 * r.rps) / baseline.rps, 0)} % of the baseline`,
      );
    }
    const verify = await verifyCost(k);
    console.log(
      `  the server's signature check alone (verifySigV4, in process): ${fmt(verify * 1000, 1)} µs of CPU per request = ${fmt((100 * verify) / baseline.p50, 2)} % of the baseline's warm p50, ${fmt((100 * verify) / baseline.cpu, 1)} % of its api CPU per invocation`,
    );
  } finally {
    await d.stop();
    await database.drop();
  }
}
