import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect as natsConnect } from 'nats';
import { freePort } from './pg-cluster.js';

const run = promisify(execFile);

/**
 * A broker of a test's own, with persistence in a folder of its own, on a free loopback port, that
 * the test may stop and start again (same port, same data) to see what a broker restart does. The
 * machine's shared brokers (5672, 6379, 1883, 4222) are never restarted: other work uses them.
 */
export interface OwnBroker {
  name: string;
  port: number;
  url: string;
  dir: string;
  /** Starts it (again) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** A clean stop (each broker's own: it writes what it keeps), resolving once the process has exited. */
  stop(): Promise<void>;
  /** What it printed, for failure messages. */
  output(): string;
  /** Stops it if running and removes its folder. */
  destroy(): Promise<void>;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free port that is not in RabbitMQ's CLI distribution range (35672-35682), which rabbitmqctl takes. */
async function brokerPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 35_672 || port > 35_682) return port;
  }
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcpConnect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

interface Spec {
  name: string;
  port: number;
  url: string;
  dir: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves once it serves (default: the port accepts a connection). */
  ready?: () => Promise<boolean>;
  /** How it is stopped cleanly (default: SIGTERM to the process). */
  stop?: (child: ChildProcess) => Promise<void>;
}

/** Spawns the broker process, keeps its output, and knows when it serves and when it has exited. */
function processBroker(spec: Spec): OwnBroker {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  const broker: OwnBroker = {
    name: spec.name,
    port: spec.port,
    url: spec.url,
    dir: spec.dir,
    output: () => out.slice(-4_000),
    async start() {
      if (child) throw new Error(`${spec.name} is already running`);
      const c = spawn(spec.command, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout!.on('data', (d) => (out += d));
      c.stderr!.on('data', (d) => (out += d));
      exited = new Promise((resolve) =>
        c.once('exit', () => {
          if (child === c) child = null;
          resolve();
        }),
      );
      const ready = spec.ready ?? (() => accepting(spec.port));
      for (const end = Date.now() + 60_000; Date.now() < end; await delay(100)) {
        if (c.exitCode !== null || c.signalCode !== null) throw new Error(`${spec.name} exited while starting: ${broker.output()}`);
        if (await ready()) return;
      }
      throw new Error(`${spec.name} did not start within 60 s: ${broker.output()}`);
    },
    async stop() {
      const c = child;
      if (!c) return;
      await (spec.stop ? spec.stop(c) : Promise.resolve(void c.kill('SIGTERM')));
      const ended = await Promise.race([exited.then(() => true), delay(30_000).then(() => false)]);
      if (!ended) {
        c.kill('SIGKILL');
        await exited;
        throw new Error(`${spec.name} did not stop within 30 s: ${broker.output()}`);
      }
    },
    async destroy() {
      await broker.stop().catch(() => child?.kill('SIGKILL'));
      rmSync(spec.dir, { recursive: true, force: true });
    },
  };
  return broker;
}

const ownDir = (name: string) => mkdtempSync(join(tmpdir(), `tally-own-${name}-`));

/**
 * Redis with an append-only file fsynced on every write (the stream, its groups and their pending
 * entries survive a restart; the shared dev Redis keeps nothing on disk) and no snapshots.
 */
export async function ownRedis(): Promise<OwnBroker> {
  const port = await brokerPort();
  const dir = ownDir('redis');
  const broker = processBroker({
    name: 'redis',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
  });
  await broker.start();
  return broker;
}

/** NATS with JetStream storing in its own folder (file storage: streams, consumers and their acks survive a restart). */
export async function ownNats(): Promise<OwnBroker> {
  const port = await brokerPort();
  const dir = ownDir('nats');
  const broker = processBroker({
    name: 'nats',
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    command: '/usr/sbin/nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, '-n', `tally-test-${port}`],
    // The port accepts before JetStream has recovered its streams: ask JetStream itself.
    ready: async () => {
      try {
        const nc = await natsConnect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 1_000 });
        try {
          await (await nc.jetstreamManager()).getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      } catch {
        return false;
      }
    },
  });
  await broker.start();
  return broker;
}

/**
 * Mosquitto with persistence in its own folder. Mosquitto writes its store (retained messages,
 * persistent sessions, their queued and unacknowledged messages) only every `autosave_interval`
 * seconds and when it stops cleanly (SIGTERM), so a clean stop keeps everything; a crash would lose
 * up to the last second's messages (autosave_interval 1).
 */
export async function ownMosquitto(): Promise<OwnBroker> {
  const port = await brokerPort();
  const dir = ownDir('mosquitto');
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      // Started as root, Mosquitto would become the `mosquitto` user, who cannot write this folder.
      'user root',
      'log_dest stdout',
      '',
    ].join('\n'),
  );
  const broker = processBroker({
    name: 'mosquitto',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    command: 'mosquitto',
    args: ['-c', config],
  });
  await broker.start();
  return broker;
}

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';

export interface OwnRabbitMq extends OwnBroker {
  /** `rabbitmqctl list_queues`: ready and unacknowledged messages of a queue on this node (null: no such queue). */
  queueCounts(queue: string): Promise<{ ready: number; unacked: number } | null>;
}

/**
 * A second RabbitMQ node (`tally-test-<port>@localhost`) with its own config, database, logs, Erlang
 * cookie (HOME) and ports, none of the machine's /etc/rabbitmq (whose listener is the shared 5672).
 * Durable queues and persistent messages are on disk, so unacknowledged messages are back as ready
 * after a restart. Stopped with `rabbitmqctl stop`, which waits for the node's OS process to end.
 */
export async function ownRabbitMq(): Promise<OwnRabbitMq> {
  const port = await brokerPort();
  const distPort = await brokerPort();
  const dir = ownDir('rabbitmq');
  const node = `tally-test-${port}@localhost`;
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users = none\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const env: NodeJS.ProcessEnv = {
    HOME: dir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) =>
    run(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', node, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
  const broker = processBroker({
    name: 'rabbitmq',
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    dir,
    command: join(RABBIT_BIN, 'rabbitmq-server'),
    args: [],
    env,
    // Serving AMQP, not only accepting: a node still booting takes the connection and closes it during the
    // handshake ("Socket closed abruptly during opening handshake"), which failed a publish right after start once.
    ready: async () =>
      (await accepting(port)) &&
      amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/`).then(
        (c) =>
          c.close().then(
            () => true,
            () => true,
          ),
        () => false,
      ),
    stop: async () => void (await ctl('stop', join(dir, 'pid'))),
  });
  await broker.start();
  return Object.assign(broker, {
    async queueCounts(queue: string) {
      const { stdout } = await ctl('list_queues', '-q', '--no-table-headers', 'name', 'messages_ready', 'messages_unacknowledged');
      for (const line of stdout.split('\n')) {
        const [name, ready, unacked] = line.trim().split(/\s+/);
        if (name === queue) return { ready: Number(ready), unacked: Number(unacked) };
      }
      return null;
    },
  });
}

/* Publishers: a client for one batch of messages, closed again (a restart would cut a long-lived one). */

export async function publishRabbit(url: string, queue: string, bodies: string[]): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), { persistent: true });
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => {});
  }
}

export async function publishRedis(url: string, stream: string, bodies: string[]): Promise<void> {
  const redis = new Redis(url);
  try {
    for (const b of bodies) await redis.xadd(stream, '*', 'body', b);
  } finally {
    redis.disconnect();
  }
}

export async function publishNats(url: string, subject: string, bodies: string[]): Promise<void> {
  const nc = await natsConnect({ servers: new URL(url).host });
  try {
    const js = nc.jetstream();
    for (const b of bodies) await js.publish(subject, Buffer.from(b));
  } finally {
    await nc.close();
  }
}

/** QoS 1 over MQTT 5; `userProperties` sets each message's user properties. */
export async function publishMqtt(
  url: string,
  topic: string,
  bodies: string[],
  userProperties?: (body: string) => Record<string, string>,
): Promise<void> {
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0, protocolVersion: 5 });
  try {
    for (const b of bodies) {
      await client.publishAsync(topic, b, { qos: 1, ...(userProperties ? { properties: { userProperties: userProperties(b) } } : {}) });
    }
  } finally {
    await client.endAsync();
  }
}
