import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/**
 * The answer clock (docs/billing-clock.md): a thread of the executor's own, in a small C addon
 * (executor/native/answer-clock.c), that notes when a runtime's answer has arrived in its Runtime
 * API socket, so that a busy event loop's delay in reading it is not billed. Without the addon (not
 * built, or `TALLY_ANSWER_CLOCK=off`) `answerClock` is null and billed time ends at the loop's read.
 */
interface Native {
  start(capacity: number): boolean;
  arm(slot: number, fd: number, fresh: boolean, prefix: string, parkFd: number, parkValue: string): boolean;
  stamp(slot: number, bytes: number, disarm: boolean): number;
  parked(slot: number): boolean;
  release(slot: number): void;
  now(): number;
}

/** The instance's cgroup CPU control file and what parks it (cgroups.ts), for the clock's thread to write. */
export interface ParkControl {
  fd: number;
  value: string;
}

/** More instances than one executor runs at once; a Runtime API past it goes without the clock. */
const CAPACITY = 4096;

/** One Runtime API's place in the clock: armed at each handoff, taken at the answer. */
export interface AnswerWatch {
  /**
   * Watches `socket` for the answer to `requestId`, which the runtime sends after the event written
   * next. `park` is written to the instance's group as soon as the answer is whole. False when it
   * cannot watch (the loop's read then ends the billed time).
   */
  arm(socket: Socket, requestId: string, park: ParkControl | null): boolean;
  /**
   * Stops watching. Returns when (performance.now()) the answer that `socket` delivered was whole in
   * it, or null: not armed on that socket, or not seen yet. `'forged'`: the clock saw an answer, but
   * the loop read more bytes since the arm than the clock had counted: something shaped like the
   * answer came before the real one (a runtime trying to end its billed time early, or a broken one).
   */
  take(socket: Socket | null): number | null | 'forged';
  /**
   * What the clock's thread wrote to park the instance (the `park` value given at the last arm) when it
   * saw the answer whole, if that write landed; null otherwise. Read after `take` returned a time: the
   * executor then need not write the same again.
   */
  parkedWith(): string | null;
  /**
   * When the answer was whole in the socket, if the clock has seen it and the loop has not taken it
   * yet (null otherwise). Not yet checked against what the loop reads: `take` still decides the billed end.
   */
  seen(): number | null;
  release(): void;
}

function load(): { native: Native } | { off: string } {
  if (process.env.TALLY_ANSWER_CLOCK === 'off') return { off: 'TALLY_ANSWER_CLOCK=off' };
  if (process.platform !== 'linux') return { off: 'it runs on Linux only' };
  const file = fileURLToPath(new URL('../native/build/answer-clock.node', import.meta.url));
  if (!existsSync(file)) return { off: 'not built: `node scripts/build-native.mjs` needs a C compiler and Node.js headers' };
  const native = createRequire(import.meta.url)(file) as Native;
  return native.start(CAPACITY) ? { native } : { off: 'its thread could not start' };
}

const loaded = load();
const native = 'native' in loaded ? loaded.native : null;
/** Why the clock is off (said once at the executor's start), or null when it runs. */
export const answerClockOff: string | null = 'off' in loaded ? loaded.off : null;

/** CLOCK_MONOTONIC (ns) minus performance.now() (ms) in ns: the same clock, another origin. */
const originNs = (() => {
  if (!native) return 0;
  let best = Infinity;
  let origin = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const mono = native.now();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      origin = mono - ((before + after) / 2) * 1e6;
    }
  }
  return origin;
})();

const free: number[] = Array.from({ length: CAPACITY }, (_, i) => CAPACITY - 1 - i);
const INVOCATION_PREFIX = 'POST /2018-06-01/runtime/invocation/';

function fdOf(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** A watch for one Runtime API, or null when the clock is off or full. */
function watch(): AnswerWatch | null {
  const clock = native;
  const slot = clock ? free.pop() : undefined;
  if (!clock || slot === undefined) return null;
  let armed: Socket | null = null;
  /** The socket registered with the clock's epoll (it stays registered while open). */
  let registered: Socket | null = null;
  let bytesAtArm = 0;
  /** The park value given to the clock at the last arm that succeeded. */
  let armedPark: string | null = null;
  let released = false;
  return {
    arm(socket, requestId, park) {
      const fd = fdOf(socket);
      armed = null;
      if (released || fd < 0) return false;
      bytesAtArm = socket.bytesRead;
      const fresh = socket !== registered;
      registered = null;
      armedPark = null;
      if (!clock.arm(slot, fd, fresh, `${INVOCATION_PREFIX}${requestId}/`, park?.fd ?? -1, park?.value ?? '')) return false;
      armed = registered = socket;
      armedPark = park?.value ?? null;
      return true;
    },
    take(socket) {
      if (armed === null) return null;
      const same = socket === armed;
      const at = clock.stamp(slot, same ? armed.bytesRead - bytesAtArm : Infinity, true);
      armed = null;
      return at === -2 && same ? 'forged' : at < 0 ? null : (at - originNs) / 1e6;
    },
    parkedWith: () => (!released && armedPark !== null && clock.parked(slot) ? armedPark : null),
    seen() {
      if (armed === null) return null;
      const at = clock.stamp(slot, 0, false);
      return at < 0 ? null : (at - originNs) / 1e6;
    },
    release() {
      if (released) return;
      released = true;
      armed = null;
      clock.release(slot);
      free.push(slot);
    },
  };
}

export const answerClock = native ? { watch } : null;
