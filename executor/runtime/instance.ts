import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { IsolatedInstance, Isolation } from '../sandbox/isolation.js';
import { NoDiskRoomError } from '../sandbox/scratch.js';
import { imageRun, type ImageConfig } from './image-run.js';
import { functionArn, instanceEnvironment, runtimeCommand, type LaunchOptions } from './launch.js';
import { OutputCapture } from './output.js';
import { LineCollector, platformLine, textLines, type CapturedLine } from './log-lines.js';
import { billedDurationMs, describeExit, endLine, reportLine, startLine, timeoutMessage, toMicrosecond } from './report.js';
import { errorJson, type RuntimeApi, type RuntimeOutcome } from './runtime-api.js';
import type { FunctionSpec, InvocationResult, InvocationStatus, Log } from './types.js';

/** What a runtime prints when it dies of memory (node's heap limit, RLIMIT_DATA in python). */
const OOM_WORDS = /heap out of memory|Reached heap limit|MemoryError/;
/** How long a timeout waits for an answer the clock saw in time to be read (it is read in the same turn). */
const ANSWER_DUE_MS = 100;

export interface InstanceOptions extends LaunchOptions {
  log: Log;
  /** Where the instance runs: the kernel sandbox, or (TALLY_SANDBOX=off) the executor's own user. */
  isolation: Isolation;
  /** Longest init (spawn to first /next) before the instance is killed, as Lambda's 10 s. */
  initTimeoutMs?: number;
  memoryPollMs?: number;
  /** Output kept per invocation (the last bytes). */
  maxLogBytes?: number;
  /** Called once when the child is gone, whatever the reason. */
  onExit?: (instance: FunctionInstance) => void;
  /** Container images, unpacked on demand and held while an instance runs them. */
  images?: ImageStore;
  /** Function code by SHA-256 (a spec's `codeSha256`), unpacked on demand and held while an instance runs from it. */
  code?: CodeStore;
  /** How long an idle instance stays parked before it is frozen (default: the sandbox's `parkMs()`; tests change it). */
  parkMs?: number;
}

export interface ImageStore {
  acquire(digest: string): Promise<{ digest: string; rootfs: string; config: ImageConfig }>;
  release(digest: string): void;
}

export interface CodeStore {
  /** The folder of the code, fetched if need be, kept until `release`. */
  acquire(sha256: string): Promise<string>;
  release(sha256: string): void;
}

/**
 * A cold instance could not get its code or image (fetched again after the cache removed it, and the
 * api did not give it): nothing ran, so the invocation is neither billed nor reported; the executor
 * answers 502 CODE_UNAVAILABLE, as it does when the code cannot be had before an instance is chosen.
 */
export class CodeUnavailableError extends Error {
  override readonly name = 'CodeUnavailableError';
}

/**
 * A cold instance failed before its runtime was launched (its sandbox could not be made, the executor
 * was closing): nothing of the function ran, so the invocation is neither billed nor reported, as
 * Lambda bills nothing for its own failures; the executor answers 502 INSTANCE_START_FAILED. Before
 * 2026-12-07 such a call was answered as the function's Runtime.ExitError and counted as a request.
 */
export class StartFailedError extends Error {
  override readonly name = 'StartFailedError';
}

/**
 * A warm instance died before its runtime took the event: the invocation never ran, so it is
 * neither billed nor reported; the pool runs it on a fresh instance.
 */
export class InstanceGoneError extends Error {
  override readonly name = 'InstanceGoneError';
}

export interface InvokeOptions {
  requestId: string;
  /** An earlier wall-clock deadline (epoch ms) than the function's own timeout. */
  deadlineMs?: number;
  /** Base64 JSON handed to the runtime as Lambda-Runtime-Client-Context. */
  clientContext?: string;
  /** The version or alias the caller named, ending the invocation's invokedFunctionArn. */
  qualifier?: string;
  /** performance.now() by which a cold instance must launch its runtime: past it, nothing runs (StartFailedError). */
  startBy?: number;
}

interface Active {
  requestId: string;
  cold: boolean;
  limitMs: number;
  handedOffAt?: number;
  /** When a warm instance was woken for this call (performance.now()). */
  wokeAt?: number;
  initLog: string;
  /** What the runtime wrote during init, line by line (stored with the first invocation, as its tail is). */
  initLines?: CapturedLine[];
  peakKb: number;
  timer?: NodeJS.Timeout;
  /** The timeout found the answer already in the executor's socket, in time, and waits for the loop to read it. */
  answerDue?: boolean;
  poller?: NodeJS.Timeout;
  resolve: (result: InvocationResult) => void;
  reject: (err: InstanceGoneError) => void;
}

interface Ending {
  status: InvocationStatus;
  payload: Buffer;
  errorType?: string;
  at: number;
  /** A failure of the sandbox itself (timeout, memory, exit): shown in REPORT, and the instance is gone. */
  fatal?: boolean;
  extraLog?: string;
}

/** One child process running one function version, speaking the Runtime API; one invocation at a time. */
export class FunctionInstance {
  readonly id = randomBytes(6).toString('hex');
  busy = false;
  /** Epoch ms of the last invocation's end (or of creation). */
  lastUsedAt = Date.now();
  private state: 'new' | 'starting' | 'ready' | 'dead' = 'new';
  private child: ChildProcess | null = null;
  private api: RuntimeApi | null = null;
  private box: IsolatedInstance | null = null;
  /** Kernel OOM kills seen so far: one more during an invocation ends it as Runtime.OutOfMemory. */
  private oomKills = 0;
  /** Between invocations: parked (1 ms of CPU per period), then frozen; awake while invoked. */
  private rest: 'awake' | 'parked' | 'frozen' = 'awake';
  private freezeTimer: NodeJS.Timeout | null = null;
  private freezeTimerMs = 0;
  private spawnedAt = 0;
  private firstNextAt: number | undefined;
  private active: Active | null = null;
  private readonly output: OutputCapture;
  private readonly lines = new LineCollector();
  private readonly limitKb: number;
  private exited: Promise<void> | null = null;
  private cleanedUp = false;
  private releaseImage: (() => void) | null = null;
  private releaseCode: (() => void) | null = null;

  constructor(
    readonly spec: FunctionSpec,
    private readonly options: InstanceOptions,
  ) {
    this.output = new OutputCapture(options.maxLogBytes ?? 64 * 1024);
    this.limitKb = spec.memoryMb * 1024;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Where the executor serves this instance's Runtime API on the host (inside, the runtime sees 127.0.0.1:9001). */
  get runtimeApiAddress(): string | undefined {
    return this.api?.address;
  }

  /** False once the child died or was killed; such an instance never runs again. */
  get alive(): boolean {
    return this.state !== 'dead';
  }

  invoke(event: Buffer, opts: InvokeOptions): Promise<InvocationResult> {
    if (this.busy || this.state === 'dead') return Promise.reject(new Error(`instance ${this.id} cannot take an invocation`));
    this.busy = true;
    const cold = this.state === 'new';
    const timeoutMs = Math.round(this.spec.timeoutS * 1000);
    return new Promise<InvocationResult>((resolve, reject) => {
      const active: Active = { requestId: opts.requestId, cold, limitMs: timeoutMs, initLog: '', peakKb: 0, resolve, reject };
      this.active = active;
      const deliver = (): void => this.deliver(active, event, timeoutMs, opts);
      if (!cold) {
        if (this.wake()) {
          active.wokeAt = performance.now();
          return deliver();
        }
        // Its CPU could not be given back: it is stopped, and the call, not taken, goes to another instance.
        this.active = null;
        this.busy = false;
        this.kill();
        return reject(new InstanceGoneError(`instance ${this.id} could not be woken for ${opts.requestId}`));
      }
      // start() fails only before the runtime is launched (after that, failures are the function's and
      // end its invocation as results): nothing ran.
      this.start(opts.startBy).then(deliver, (err: unknown) => {
        if (this.active === active) this.active = null;
        this.busy = false;
        this.kill();
        void this.cleanUp();
        // Refusals before anything was made: the invoke server answers them for what they are, not as a failed start.
        if (err instanceof CodeUnavailableError || err instanceof NoDiskRoomError) return reject(err);
        this.options.log.error(
          { err, functionId: this.spec.functionId },
          'function instance failed to start; nothing ran, nothing is billed',
        );
        reject(
          new StartFailedError(`could not start an instance of ${this.spec.name}: ${err instanceof Error ? err.message : String(err)}`),
        );
      });
    });
  }

  /** Kill every process of the instance and release its sandbox (uid, network, /tmp, Runtime API). */
  async dispose(): Promise<void> {
    const spawned = this.child !== null;
    this.kill();
    if (spawned) await this.exited;
    else await this.cleanUp();
  }

  /** Synchronous, for a process about to exit: the sandbox dies with its monitor (bwrap --die-with-parent). */
  killNow(): void {
    this.child?.kill('SIGKILL');
    this.box?.kill();
  }

  /** What the kernel counted for this instance (sandboxed instances only; zeros otherwise). */
  kernelCounters(): { cpuNanos: number; forksRefused: number } {
    return { cpuNanos: this.box?.cpuNanos() ?? 0, forksRefused: this.box?.forksRefused() ?? 0 };
  }

  private async start(startBy = Infinity): Promise<void> {
    this.state = 'starting';
    const { options } = this;
    const spec = await this.resolveCode();
    const box = await options.isolation.open(spec, { javaRuntimeDir: options.javaRuntimeDir });
    this.box = box;
    // Disposed while its sandbox was made: that clean-up ran with no box to close, so this one is
    // closed here, or its uid, network and scratch disk would stay taken until the executor stops.
    if (this.cleanedUp) {
      await box.close().catch((err: unknown) => options.log.error({ err }, 'could not release a function sandbox'));
      throw new Error('instance disposed while starting');
    }
    if (!this.alive) throw new Error('instance disposed while starting');
    // Its caller has stopped waiting (the code or image came slowly): what ran now would be billed for nothing.
    if (performance.now() > startBy) throw new Error('its code and sandbox were ready only after the api had stopped waiting');
    this.api = box.runtimeApi;
    this.api.bind({
      onNext: (at) => {
        if (this.firstNextAt === undefined) this.firstNextAt = at;
        if (this.state === 'starting') this.state = 'ready';
      },
      onInitError: (errorType, body) => this.onInitError(errorType, body),
      parkControl: () => (box.kernelLimits && box.parkControl ? box.parkControl() : null),
      onForgedAnswer: (requestId) =>
        this.options.log.warn(
          { functionId: this.spec.functionId, requestId },
          'a function runtime sent an answer-shaped request before its answer; billed to the answer the executor read (docs/billing-clock.md)',
        ),
    });
    const argv = runtimeCommand(spec, options, box.paths);
    const env = instanceEnvironment(spec, options, { paths: box.paths, instanceId: this.id });
    const child = await box.launch(argv, env);
    // Init is counted from here: the sandbox's uid, network, disk and cgroup were made before; only
    // its namespaces and mounts (a few ms of bwrap) are still to come before the runtime execs.
    this.spawnedAt = performance.now();
    this.child = child;
    if (!this.alive) this.kill();
    const onData =
      (stream: 'out' | 'err') =>
      (chunk: Buffer): void => {
        this.output.push(chunk);
        this.lines.push(chunk, Date.now(), stream);
      };
    child.stdout?.on('data', onData('out'));
    child.stderr?.on('data', onData('err'));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const onGone = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
        if (done) return;
        done = true;
        void this.onChildGone(code, signal, closed, err).then(resolve);
      };
      child.once('exit', (code, signal) => onGone(code, signal));
      child.once('error', (err) => onGone(null, null, err));
    });
    const active = this.active;
    if (active) this.watch(active, options.initTimeoutMs ?? 10_000, () => this.onInitTimeout(active));
  }

  /**
   * The spec with its code folder (or its image, unpacked and resolved), held until the instance is
   * gone. A failure to get them is a CodeUnavailableError: nothing has run.
   */
  private async resolveCode(): Promise<FunctionSpec> {
    const { spec, options } = this;
    if (spec.imageRef) {
      if (!options.images) throw new Error('this executor cannot run container images');
      const { digest, config } = spec.imageRef;
      const images = options.images;
      const image = await images.acquire(digest).catch((err: unknown) => {
        throw new CodeUnavailableError(`could not load code ${digest}: ${String(err)}`);
      });
      this.releaseImage = () => images.release(digest);
      this.disposedWhileStarting();
      const { handler, ...run } = imageRun(image, config);
      return { ...spec, handler, codeDir: image.rootfs, image: run };
    }
    if (spec.codeSha256 === undefined || !options.code) return spec;
    const { codeSha256 } = spec;
    const code = options.code;
    const codeDir = await code.acquire(codeSha256).catch((err: unknown) => {
      throw new CodeUnavailableError(`could not load code ${codeSha256}: ${String(err)}`);
    });
    this.releaseCode = () => code.release(codeSha256);
    this.disposedWhileStarting();
    return { ...spec, codeDir };
  }

  /** Disposed while its code was fetched: its clean-up has run, without this hold to give back. */
  private disposedWhileStarting(): void {
    if (!this.cleanedUp) return;
    this.giveBackCode();
    throw new Error('instance disposed while starting');
  }

  /** Each hold once, whichever of clean-up and a start cut short comes to it. */
  private giveBackCode(): void {
    this.releaseImage?.();
    this.releaseImage = null;
    this.releaseCode?.();
    this.releaseCode = null;
  }

  private deliver(active: Active, event: Buffer, timeoutMs: number, opts: InvokeOptions): void {
    const { deadlineMs, clientContext } = opts;
    if (this.active !== active || !this.api) return;
    if (!active.poller) this.watch(active);
    // A warm runtime takes its event at once: it waits in /next. One that never asks for it runs, woken,
    // until its timeout, and is billed that as a timeout (a handoff clears this timer first).
    if (!active.cold) active.timer = setTimeout(() => this.onNeverTaken(active, timeoutMs), timeoutMs);
    this.api.deliver(
      {
        requestId: active.requestId,
        event,
        timeoutMs,
        deadlineMs,
        functionArn: functionArn(this.spec, this.options, opts.qualifier),
        traceId: traceId(),
        ...(clientContext ? { clientContext } : {}),
      },
      {
        onHandoff: (at, deadline) => {
          if (this.active !== active) return;
          active.handedOffAt = at;
          active.initLog = this.output.take();
          active.initLines = this.lines.take();
          // The function's own timeout exactly; a caller's earlier deadline, as wall-clock time left.
          active.limitMs = deadlineMs === undefined ? timeoutMs : Math.max(0, Math.min(timeoutMs, deadline - Date.now()));
          if (active.cold)
            void this.box?.startBilledCpu().catch((err: unknown) => this.options.log.warn({ err }, 'could not set the instance CPU quota'));
          clearTimeout(active.timer);
          active.timer = setTimeout(() => this.onTimeout(active), active.limitMs);
        },
        onOutcome: (outcome, at, parkedWith) => {
          // Waited for past the deadline on the clock's word, but what the loop read was not that answer.
          if (active.answerDue && at - active.handedOffAt! > active.limitMs) return this.onTimeout(active, true);
          // Parked in the answer's own turn: from here on what the runtime runs is not billed, so the
          // quota bounds it at once rather than after the executor's next turns (docs/sandbox.md).
          if (this.active === active) this.park(parkedWith);
          // The child wrote its last output before posting; one turn of the loop lets the pipes drain.
          setImmediate(() => this.end(active, fromOutcome(outcome, at)));
        },
      },
    );
  }

  /** Starts the memory watch where the kernel does not enforce memory (and, during init, the init timer). */
  private watch(active: Active, initTimeoutMs?: number, onInitTimeout?: () => void): void {
    if (initTimeoutMs !== undefined && onInitTimeout) active.timer = setTimeout(onInitTimeout, initTimeoutMs);
    if (this.box?.kernelLimits) return;
    active.poller ??= setInterval(() => this.pollMemory(active), this.options.memoryPollMs ?? 50);
    active.poller.unref();
  }

  private pollMemory(active: Active): void {
    if (this.active !== active) return;
    const sample = this.box?.memory();
    if (!sample) return;
    active.peakKb = Math.max(active.peakKb, sample.peakKb, sample.rssKb);
    if (sample.rssKb > this.limitKb) {
      this.end(active, fatalExit(active.requestId, 'Runtime.OutOfMemory', 'signal: killed'));
      this.kill();
    }
  }

  private onTimeout(active: Active, final = false): void {
    if (this.active !== active) return;
    // The answer was whole in the executor's socket before the deadline, and this loop, busy, has not
    // read it yet: it reads it in this turn (timers run before I/O). A function that answered in time
    // succeeds, as on Lambda, however busy the executor (docs/billing-clock.md).
    const answered = final ? null : (this.api?.answeredAt() ?? null);
    if (answered !== null && answered - active.handedOffAt! <= active.limitMs) {
      active.answerDue = true;
      active.timer = setTimeout(() => this.onTimeout(active, true), ANSWER_DUE_MS);
      return;
    }
    const message = timeoutMessage(active.limitMs);
    this.end(active, {
      status: 'timeout',
      payload: errorJson('Sandbox.Timedout', message),
      errorType: 'Sandbox.Timedout',
      at: performance.now(),
      fatal: true,
      extraLog: `${new Date().toISOString()} ${active.requestId} ${message}\n`,
    });
    this.kill();
  }

  /** A warm instance, woken for this call, did not take its event within the timeout: a timeout from its waking. */
  private onNeverTaken(active: Active, timeoutMs: number): void {
    if (this.active !== active || active.handedOffAt !== undefined) return;
    active.handedOffAt = active.wokeAt ?? performance.now() - timeoutMs;
    active.limitMs = timeoutMs;
    this.onTimeout(active, true);
  }

  private onInitTimeout(active: Active): void {
    if (this.active !== active || active.handedOffAt !== undefined) return;
    // A timer may fire a little early against performance.now() (the event loop's clock is cached):
    // the init that timed out lasted its limit at least.
    const at = Math.max(performance.now(), this.spawnedAt + (this.options.initTimeoutMs ?? 10_000));
    const message = `Init timed out after ${((at - this.spawnedAt) / 1000).toFixed(2)} seconds`;
    this.end(active, {
      status: 'timeout',
      payload: errorJson('Sandbox.Timedout', message),
      errorType: 'Sandbox.Timedout',
      at,
      fatal: true,
      extraLog: `${message}\n`,
    });
    this.kill();
  }

  private onInitError(errorType: string, body: Buffer): void {
    const active = this.active;
    this.options.log.debug({ functionId: this.spec.functionId, errorType }, 'function init failed');
    if (active && active.handedOffAt === undefined) {
      const ending: Ending = { status: 'error', payload: body, errorType: 'Runtime.InitError', at: performance.now(), fatal: true };
      setImmediate(() => this.end(active, ending));
    }
    this.kill();
  }

  private async onChildGone(code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>, err?: Error): Promise<void> {
    this.state = 'dead';
    // The runtime is gone; anything it left behind (in its session or not) goes with it.
    this.box?.kill();
    // Let the pipes deliver the dying words (a stack trace, "heap out of memory"), but not forever.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 100))]);
    const active = this.active;
    if (active && !active.cold && active.handedOffAt === undefined) {
      // Typically a runtime exiting right after reporting an uncaught exception, as Lambda's does.
      this.active = null;
      this.busy = false;
      clearInterval(active.poller);
      clearTimeout(active.timer);
      active.reject(new InstanceGoneError(`instance ${this.id} exited before taking ${active.requestId}`));
    } else if (active) {
      const outOfMemory = this.outOfMemory(active.peakKb) || OOM_WORDS.test(this.output.peek());
      // bwrap reports a sandboxed runtime killed by a signal as 128 + its number, as a shell does.
      const bySignal = code !== null && code > 128 && code < 160 ? signalName(code - 128) : undefined;
      const reason = err ? `failed to start: ${err.message}` : bySignal ? describeExit(null, bySignal) : describeExit(code, signal);
      this.end(active, fatalExit(active.requestId, outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError', reason));
    }
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.state = 'dead';
    if (this.freezeTimer) clearTimeout(this.freezeTimer);
    await this.box?.close().catch((err: unknown) => this.options.log.error({ err }, 'could not release a function sandbox'));
    this.giveBackCode();
    this.options.onExit?.(this);
  }

  private end(active: Active, ending: Ending): void {
    if (this.active !== active) return;
    this.active = null;
    clearTimeout(active.timer);
    clearInterval(active.poller);
    this.api?.cancel();
    const sample = this.state === 'dead' && !this.box?.kernelLimits ? null : this.box?.memory();
    const peakKb = Math.max(active.peakKb, sample?.peakKb ?? 0);
    if (!ending.fatal && this.outOfMemory(peakKb)) {
      // The kernel killed one of its processes for memory, or (unsandboxed) it went over between two
      // polls: Lambda would have ended the invocation.
      ending = fatalExit(active.requestId, 'Runtime.OutOfMemory', 'signal: killed', ending.at);
      this.kill();
    }
    const handedOff = active.handedOffAt !== undefined;
    // Never more than the timeout: an answer that a busy loop read past the deadline, before the
    // timer's turn came and with no clock's time to show when it arrived, is not billed the delay.
    const durationMs = toMicrosecond(
      !handedOff ? 0 : ending.status === 'timeout' ? active.limitMs : Math.min(ending.at - active.handedOffAt!, active.limitMs),
    );
    // Init is counted from the spawn: a start that failed before it (no sandbox, no code) ran nothing,
    // and was billed up to init's 10 s from time 0 of the executor's clock before this was found.
    // Never more than its limit, as the handler's time: an init is stopped there, and a stalled loop
    // that ran the init timer (or read the first /next) late would otherwise report the stall as init,
    // which ingest refuses past the limit with the whole invocation (quarantined, billed nothing).
    const initDurationMs = active.cold
      ? this.spawnedAt === 0
        ? 0
        : toMicrosecond(Math.min((this.firstNextAt ?? ending.at) - this.spawnedAt, this.options.initTimeoutMs ?? 10_000))
      : undefined;
    const billed = billedDurationMs(durationMs, initDurationMs);
    const maxMemoryUsedMb = Math.ceil(peakKb / 1024);
    const initLog = handedOff ? active.initLog : '';
    const output = this.output.take();
    const outputLines = this.lines.take();
    const start = startLine(active.requestId, this.spec.version);
    const end = endLine(active.requestId);
    const report = reportLine({
      requestId: active.requestId,
      version: this.spec.version,
      durationMs,
      billedDurationMs: billed,
      memoryMb: this.spec.memoryMb,
      maxMemoryUsedMb,
      initDurationMs,
      failure: ending.fatal ? { status: ending.status === 'timeout' ? 'timeout' : 'error', errorType: ending.errorType } : undefined,
    });
    const log = initLog + start + output + (ending.extraLog ?? '') + end + report;
    const now = Date.now();
    const startedAt = handedOff ? Math.round(now - (performance.now() - active.handedOffAt!)) : now;
    const lines = [
      ...(handedOff ? (active.initLines ?? []) : []),
      platformLine(start, startedAt),
      ...outputLines,
      ...textLines(ending.extraLog ?? '', now),
      platformLine(end, now),
      platformLine(report, now),
    ];
    this.busy = false;
    this.lastUsedAt = Date.now();
    if (this.state !== 'dead') this.restSoon();
    active.resolve({
      requestId: active.requestId,
      status: ending.status,
      payload: ending.payload,
      errorType: ending.errorType,
      durationMs,
      billedDurationMs: billed,
      initDurationMs,
      maxMemoryUsedMb,
      log,
      lines,
    });
  }

  /** Marks the instance dead at once (the pool must not hand it out again) and kills all its processes. */
  private kill(): void {
    this.state = 'dead';
    this.box?.kill();
  }

  private outOfMemory(peakKb: number): boolean {
    if (!this.box?.kernelLimits) return peakKb > this.limitKb;
    const kills = this.box.oomKills();
    const more = kills > this.oomKills;
    this.oomKills = kills;
    return more;
  }

  /**
   * Between invocations the instance gets no CPU, as on Lambda. The moment its answer is taken it is
   * parked, a CPU ceiling of 1 ms per period (one write); once idle for half the CPU period (`parkMs`:
   * 500 ms, or 10 ms under a quota), it is frozen. An invocation in between lifts the ceiling (one
   * write) where a frozen instance must thaw, which wakes every thread of the runtime; the most it
   * can run unbilled is 2 ms per parked stretch (docs/sandbox.md).
   */
  private park(parkedWith: string | null = null): void {
    if (!this.box?.kernelLimits || this.state === 'dead' || this.rest !== 'awake') return;
    // The answer clock's thread parked it already, with what park writes now: no second write.
    if (parkedWith !== null && this.box.parkedWith?.(parkedWith)) this.rest = 'parked';
    else this.stopCpu('parked');
  }

  /** After an invocation: parked if it is not yet (an ending that was not an answer), then frozen when idle. */
  private restSoon(): void {
    if (!this.box?.kernelLimits || this.state === 'dead') return;
    this.park();
    if (this.rest !== 'parked') return;
    // The window shrinks when `TALLY_SANDBOX_CPU=quota` shortens the period at the first call.
    const ms = this.options.parkMs ?? this.box.parkMs();
    if (this.freezeTimer && this.freezeTimerMs === ms) this.freezeTimer.refresh();
    else {
      if (this.freezeTimer) clearTimeout(this.freezeTimer);
      this.freezeTimer = setTimeout(() => this.freezeIdle(), ms).unref();
      this.freezeTimerMs = ms;
    }
  }

  private freezeIdle(): void {
    if (this.busy || this.state === 'dead' || this.rest !== 'parked') return;
    this.stopCpu('frozen');
  }

  /**
   * Parks or freezes. An instance that cannot be parked is frozen instead (the freeze timer is then
   * not needed: false), and one that cannot be frozen either is killed.
   */
  private stopCpu(to: 'parked' | 'frozen'): boolean {
    try {
      if (to === 'parked') this.box?.park();
      else this.box?.freeze();
      this.rest = to;
      return true;
    } catch (err) {
      if (to === 'parked') {
        this.options.log.warn({ err }, 'could not park an instance; it is frozen instead');
        this.stopCpu('frozen');
        return false;
      }
      this.options.log.warn({ err }, 'could not freeze an instance; it is stopped instead');
      this.kill();
      return false;
    }
  }

  /** Gives the instance its CPU back for an invocation; false when that failed. */
  private wake(): boolean {
    if (this.rest === 'awake') return true;
    try {
      if (this.rest === 'frozen') this.box?.thaw();
      this.box?.unpark();
      this.rest = 'awake';
      return true;
    } catch (err) {
      this.options.log.warn({ err }, 'could not wake an instance; it is stopped and the invocation goes to another');
      return false;
    }
  }
}

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
}

function fromOutcome(outcome: RuntimeOutcome, at: number): Ending {
  if (outcome.kind === 'response') return { status: 'success', payload: outcome.body, at };
  return { status: 'error', payload: outcome.body, errorType: outcome.errorType, at };
}

function fatalExit(requestId: string, errorType: string, reason: string, at = performance.now()): Ending {
  const message = `RequestId: ${requestId} Error: Runtime exited with error: ${reason}`;
  const extraLog = `${message}\n${errorType}\n`;
  return { status: 'error', payload: errorJson(errorType, message), errorType, at, fatal: true, extraLog };
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  // randomUUID draws from a cached entropy pool: far cheaper than randomBytes on every invocation.
  const random = randomUUID().replaceAll('-', '') + randomUUID().slice(0, 8);
  return `Root=1-${epoch}-${random.slice(0, 24)};Parent=${random.slice(24)};Sampled=0`;
}
