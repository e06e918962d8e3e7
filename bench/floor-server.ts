import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, open, openSync, rmSync, write, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createCgroupDriver, type CgroupDriver, type InstanceCgroup } from '../executor/sandbox/cgroups.js';

/**
 * The least a warm invoke of a separate process can cost, built up a mechanism at a time, for
 * `npm run bench -- floor` (bench/floor.ts runs this as its own process, as the api runs).
 * FLOOR_LAYER (cumulative):
 *   0  a Fastify route answers by itself (the invoke benchmark's floor);
 *   1  + an instance: the event goes to a child process over a unix socket and its answer comes back;
 *   2  + the Runtime API: that exchange as HTTP/1.1, one request per invocation (the response, whose
 *        answer is the next event: what Tally's own bootstraps do);
 *   3  + stopping the instance between calls, as Tally does: its cgroup parked after the answer (a CPU
 *        quota of 1 ms per period) and frozen after half a period idle (`parkMs()`), the park lifted (or
 *        the group thawed) before the event (docs/sandbox.md);
 *   4  + the spool: a usage record written with O_DSYNC (in place, into zeros) before the answer, grouped while a write is in flight.
 * Nothing else: no auth, no sandbox namespaces, no handler, no metering, no logs, no usage shipping.
 */
const LAYER = Number(process.env.FLOOR_LAYER ?? 0);
const INSTANCES = Number(process.env.FLOOR_INSTANCES ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'tally-floor-'));

// Layer 1: echo what comes. Layer 2+: a Runtime API loop over one kept-alive connection.
const ECHO = `const s=require('net').connect(process.argv[1]);s.on('data',(d)=>s.write(d));`;
const RUNTIME = `const s=require('net').connect(process.argv[1]);s.setNoDelay(true);let buf='';
const post=(id,out)=>s.write('POST /2018-06-01/runtime/invocation/'+id+'/response HTTP/1.1\\r\\nHost: runtime\\r\\nx-tally-then-next: 1\\r\\nContent-Type: application/json\\r\\nContent-Length: '+Buffer.byteLength(out)+'\\r\\n\\r\\n'+out,'latin1');
s.on('data',(d)=>{buf+=d.toString('latin1');for(;;){const e=buf.indexOf('\\r\\n\\r\\n');if(e<0)return;const head=buf.slice(0,e);
const len=Number((/content-length: *(\\d+)/i.exec(head)||[0,0])[1]);if(buf.length<e+4+len)return;const body=buf.slice(e+4,e+4+len);buf=buf.slice(e+4+len);
const id=/lambda-runtime-aws-request-id: *([^\\r]+)/i.exec(head)[1];JSON.parse(body);post(id,JSON.stringify({ok:true}));}});
s.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: runtime\\r\\n\\r\\n');`;

interface Instance {
  child?: ChildProcess;
  cgroup?: InstanceCgroup;
  /** Layer 1: the child's connection. */
  socket?: net.Socket;
  /** Layer 2+: the runtime's parked request, answered with the next event. */
  parked?: http.ServerResponse;
  done?: (answer: Buffer) => void;
  /** Layer 3+: between calls, parked, then frozen. */
  rest?: 'awake' | 'parked' | 'frozen';
  freezeTimer?: NodeJS.Timeout;
}

function rest(instance: Instance): void {
  const cgroup = instance.cgroup;
  if (!cgroup) return;
  cgroup.park();
  instance.rest = 'parked';
  if (instance.freezeTimer) instance.freezeTimer.refresh();
  else
    instance.freezeTimer = setTimeout(() => {
      if (instance.rest !== 'parked' || instance.done) return;
      cgroup.freeze();
      instance.rest = 'frozen';
    }, cgroup.parkMs()).unref();
}

function wake(instance: Instance): void {
  if (!instance.cgroup || instance.rest === 'awake') return;
  instance.cgroup.unpark();
  if (instance.rest === 'frozen') instance.cgroup.thaw();
  instance.rest = 'awake';
}

const idle: Instance[] = [];
const waiting: ((instance: Instance) => void)[] = [];
let sequence = 0;

function release(instance: Instance): void {
  const next = waiting.shift();
  if (next) next(instance);
  else idle.push(instance);
}

function finish(instance: Instance, answer: Buffer): void {
  rest(instance);
  const done = instance.done!;
  instance.done = undefined;
  done(answer);
  release(instance);
}

function handOff(instance: Instance, event: Buffer, done: (answer: Buffer) => void): void {
  instance.done = done;
  wake(instance);
  if (instance.socket) return void instance.socket.write(event);
  const res = instance.parked!;
  instance.parked = undefined;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': event.length,
    'Lambda-Runtime-Aws-Request-Id': `floor-${sequence++}`,
    'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3000),
    'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:local:000000000000:function:floor',
    'Lambda-Runtime-Trace-Id': 'Root=1-00000000-000000000000000000000000',
  });
  res.end(event);
}

async function startInstance(i: number, cgroups: CgroupDriver | null): Promise<Instance> {
  const instance: Instance = {};
  const path = join(dir, `${i}.sock`);
  let server: net.Server;
  const ready = new Promise<void>((resolve) => {
    if (LAYER === 1) {
      server = net.createServer((socket) => {
        instance.socket = socket;
        socket.on('data', (answer: Buffer) => finish(instance, answer));
        resolve();
      });
    } else {
      server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0, noDelay: true }, (req, res) => {
        if (req.method === 'GET') {
          instance.parked = res;
          return resolve();
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          instance.parked = res; // then-next: this request's answer is the next event
          finish(instance, Buffer.concat(chunks));
        });
      });
    }
    server.listen(path);
  });
  instance.child = spawn(process.execPath, ['-e', LAYER === 1 ? ECHO : RUNTIME, path], { stdio: 'ignore' });
  await ready;
  if (cgroups) {
    instance.cgroup = await cgroups.create(`floor-${i}`);
    await instance.cgroup.join(instance.child.pid!);
    instance.cgroup.freeze();
    instance.rest = 'frozen';
  }
  return instance;
}

/**
 * Layer 4: records written with O_DSYNC, in place into files zeroed ahead (1 MiB each, the next made
 * while the current one fills), as Tally's spool writes them (docs/usage-path.md); records made while
 * a write is in flight go together in the next. An invocation alone in flight, with no write in
 * flight, is written on the spot (`writeSync`), as Tally's spool does.
 */
function createSpool() {
  const SEGMENT_BYTES = 1024 * 1024;
  const zeros = Buffer.alloc(SEGMENT_BYTES);
  let seq = 0;
  const segmentPath = () => join(dir, `spool-${seq++}`);
  const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_DSYNC;
  const zeroedNow = (): number => {
    const fd = openSync(segmentPath(), FLAGS);
    writeSync(fd, zeros, 0, SEGMENT_BYTES, 0);
    return fd;
  };
  let next: number | null = null;
  let preparing = false;
  const prepare = () => {
    if (preparing) return;
    preparing = true;
    open(segmentPath(), FLAGS, (err, fd) => {
      if (err) throw err;
      write(fd, zeros, 0, SEGMENT_BYTES, 0, (err2) => {
        if (err2) throw err2;
        next = fd;
        preparing = false;
      });
    });
  };
  let fd = zeroedNow();
  let offset = 0;
  prepare();
  /** The offset a record of `bytes` goes to, in the current file or (when it is full) the next. */
  const place = (bytes: number): number => {
    if (offset + bytes > SEGMENT_BYTES) {
      closeSync(fd);
      fd = next ?? zeroedNow();
      next = null;
      offset = 0;
      prepare();
    }
    const at = offset;
    offset += bytes;
    return at;
  };
  let pending: { record: string; done: () => void }[] = [];
  let writing = false;
  const flush = () => {
    const batch = pending;
    pending = [];
    writing = true;
    const data = Buffer.from(batch.map((b) => b.record).join(''));
    const at = place(data.length); // first: it may move on to the next file
    write(fd, data, 0, data.length, at, (err) => {
      if (err) throw err;
      writing = false;
      for (const b of batch) b.done();
      if (pending.length > 0) flush();
    });
  };
  return {
    append(record: string, done: () => void, alone: boolean) {
      if (alone && !writing && pending.length === 0) {
        const data = Buffer.from(record);
        const at = place(data.length);
        writeSync(fd, data, 0, data.length, at);
        return done();
      }
      pending.push({ record, done });
      if (!writing) flush();
    },
    close: () => closeSync(fd),
  };
}

const cgroups = LAYER >= 3 ? await createCgroupDriver({ executorKey: `floor${process.pid}` }) : null;
const instances = LAYER >= 1 ? await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startInstance(i, cgroups))) : [];
for (const instance of instances) release(instance);
const spool = LAYER >= 4 ? createSpool() : null;

let inFlight = 0;
function invoke(event: Buffer): Promise<Buffer> {
  inFlight += 1;
  return new Promise<Buffer>((resolve) => {
    const run = (instance: Instance) =>
      handOff(instance, event, (answer) => {
        if (!spool) return resolve(answer);
        const record = `${JSON.stringify({ invocationId: sequence, durationMs: 0.2, memoryMb: 128, startedAt: new Date().toISOString() })}\n`;
        spool.append(record, () => resolve(answer), inFlight === 1);
      });
    const instance = idle.pop();
    if (instance) run(instance);
    else waiting.push(run);
  }).finally(() => {
    inFlight -= 1;
  });
}

const app = Fastify();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/floor', async (request, reply) => {
  if (LAYER === 0) return { ok: true };
  reply.type('application/json');
  return invoke(request.body as Buffer);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('ready');

process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    for (const instance of instances) {
      clearTimeout(instance.freezeTimer);
      instance.cgroup?.unpark();
      instance.cgroup?.thaw();
      instance.child?.kill('SIGKILL');
      await instance.cgroup?.remove();
    }
    await cgroups?.close();
    spool?.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })();
});
