import type { Socket } from 'node:net';

/**
 * The api's invocations to an executor in another process, over one long-lived connection instead
 * of an HTTP request each (docs/architecture.md, "The invoke stream"). The api opens it with
 * `GET /invoke` carrying `Connection: Upgrade`, `Upgrade: tally-invoke/1` and the executor's bearer
 * token; the executor answers `101 Switching Protocols`, and from then on both sides send frames:
 *
 *   u32 length of what follows · u32 id · u16 meta length · meta (JSON) · payload
 *
 * (big-endian). A request's meta is `{ r: requestId, s: spec length, t?: 1 (log tail), c?: client
 * context }` and its payload the InvokeSpec JSON followed by the event bytes, as the body of
 * `POST /invoke`; an answer carries the request's id, `{ s: status, h: headers }` and the body.
 * Answers come back in any order. Frames queued in one turn of the event loop leave in one write,
 * so under load many invocations share a system call and a wake-up of the other side.
 *
 * An executor that does not know the protocol answers the upgrade with a 404, and the api keeps
 * using `POST /invoke`.
 */
export const INVOKE_STREAM_PROTOCOL = 'tally-invoke/1';

/** The largest frame either side accepts: a spec and a 6 MiB payload with room to spare. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface RequestMeta {
  /** The invocation id. */
  r: string;
  /** Bytes of InvokeSpec JSON at the start of the payload. */
  s: number;
  /** 1: send the log's tail back. */
  t?: 1;
  /** The caller's client context (base64 JSON). */
  c?: string;
}

export interface AnswerMeta {
  s: number;
  h: Record<string, string | string[] | undefined>;
}

export interface Frame {
  id: number;
  meta: unknown;
  payload: Buffer;
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/** A frame as the buffers to write: a header, then the payload's parts as they are (no copy). */
export function encodeFrame(id: number, meta: object, parts: Buffer[]): Buffer[] {
  const metaBytes = Buffer.from(JSON.stringify(meta));
  if (metaBytes.length > 0xffff) throw new FrameError('frame meta too long');
  let payload = 0;
  for (const p of parts) payload += p.length;
  const length = 4 + 2 + metaBytes.length + payload;
  if (length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${length} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
  const head = Buffer.allocUnsafe(10 + metaBytes.length);
  head.writeUInt32BE(length, 0);
  head.writeUInt32BE(id, 4);
  head.writeUInt16BE(metaBytes.length, 8);
  metaBytes.copy(head, 10);
  return [head, ...parts];
}

/** Cuts a byte stream into frames, whatever the chunks' boundaries. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** The frames completed by this chunk; throws FrameError on a frame no peer of ours would send. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    while (this.buffered >= 4) {
      const first = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.merge();
      const length = first.readUInt32BE(0);
      if (length < 6 || length > MAX_FRAME_BYTES) throw new FrameError(`bad frame length ${length}`);
      if (this.buffered < 4 + length) break;
      const whole = first.length >= 4 + length ? first : this.merge();
      const metaLength = whole.readUInt16BE(8);
      if (6 + metaLength > length) throw new FrameError('frame meta longer than its frame');
      let meta: unknown;
      try {
        meta = JSON.parse(whole.toString('utf8', 10, 10 + metaLength));
      } catch {
        throw new FrameError('frame meta is not JSON');
      }
      frames.push({ id: whole.readUInt32BE(4), meta, payload: whole.subarray(10 + metaLength, 4 + length) });
      const rest = whole.subarray(4 + length);
      this.chunks[0] = rest;
      this.buffered -= 4 + length;
      if (rest.length === 0) this.chunks.shift();
    }
    return frames;
  }

  private merge(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}

/**
 * Hands each frame arriving on the socket (after `head`, the bytes read with the upgrade) to
 * `onFrame`; a byte stream that is not frames destroys the socket with the FrameError.
 */
export function readFrames(socket: Socket, head: Buffer, onFrame: (frame: Frame) => void): void {
  const reader = new FrameReader();
  const onData = (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = reader.push(chunk);
    } catch (err) {
      socket.destroy(err as Error);
      return;
    }
    for (const frame of frames) onFrame(frame);
  };
  socket.on('data', onData);
  if (head.length > 0) onData(head);
}

/**
 * Writes frames to a socket, the frames of one turn of the event loop together: corked when the
 * first is queued, uncorked (one writev) in the check phase, after every callback of this poll.
 */
export function frameWriter(socket: Socket): (frame: Buffer[]) => void {
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork();
  };
  return (frame) => {
    if (socket.destroyed) return;
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(flush);
    }
    for (const part of frame) if (part.length > 0) socket.write(part);
  };
}
