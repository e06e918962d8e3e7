import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError, FrameReader, MAX_FRAME_BYTES } from '../../src/contracts/invoke-stream.js';

const frames = [
  { id: 1, meta: { r: 'a', s: 3 }, payload: Buffer.from('{}x') },
  { id: 0xffffffff, meta: { s: 200, h: { 'x-tally-status': 'success' } }, payload: Buffer.alloc(0) },
  { id: 7, meta: { r: 'é', s: 1, t: 1, c: 'e30=' }, payload: Buffer.from('€'.repeat(1000)) },
];
const bytes = Buffer.concat(frames.flatMap((f) => encodeFrame(f.id, f.meta, [f.payload])));
const plain = (got: { id: number; meta: unknown; payload: Buffer }[]) => got.map((f) => ({ ...f, payload: f.payload.toString('hex') }));
const expected = plain(frames);

describe('invoke stream frames', () => {
  it('reads back every frame, whatever the chunks: all in one, byte by byte, and cut at every point', () => {
    expect(plain(new FrameReader().push(bytes))).toEqual(expected);

    const reader = new FrameReader();
    const oneByOne = [];
    for (let i = 0; i < bytes.length; i++) oneByOne.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(plain(oneByOne)).toEqual(expected);

    for (let cut = 1; cut < bytes.length; cut += 37) {
      const r = new FrameReader();
      expect(plain([...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))])).toEqual(expected);
    }
  });

  it('keeps the payload parts as given, spec then event', () => {
    const [frame] = new FrameReader().push(Buffer.concat(encodeFrame(3, { r: 'x', s: 2 }, [Buffer.from('{}'), Buffer.from('[1]')])));
    expect(frame!.payload.toString()).toBe('{}[1]');
  });

  it('refuses what no peer of ours sends: a length over the limit or too short, meta that is not JSON or overruns its frame', () => {
    const header = (length: number, metaLength: number) => {
      const b = Buffer.alloc(10);
      b.writeUInt32BE(length, 0);
      b.writeUInt16BE(metaLength, 8);
      return b;
    };
    expect(() => new FrameReader().push(header(MAX_FRAME_BYTES + 1, 0))).toThrow(FrameError);
    expect(() => new FrameReader().push(header(5, 0))).toThrow(FrameError);
    expect(() => new FrameReader().push(Buffer.concat([header(6 + 3, 3), Buffer.from('{x}')]))).toThrow(/not JSON/);
    expect(() => new FrameReader().push(Buffer.concat([header(6 + 2, 9), Buffer.from('{}')]))).toThrow(/longer than its frame/);
    expect(() => encodeFrame(1, {}, [Buffer.alloc(MAX_FRAME_BYTES)])).toThrow(FrameError);
  });
});
