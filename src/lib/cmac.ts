import { createCipheriv, type Cipher } from 'node:crypto';

/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) of many messages at once, for the usage batches' dispatch
 * tokens (docs/usage-path.md, "1. Dispatch").
 *
 * Node.js has no CMAC, and an HMAC costs a native object per message (about 1.6 µs, most of it the
 * object, not SHA-256). CMAC is a chain of block encryptions, so a batch's messages are chained side by
 * side: step j encrypts block j of every message that has one, in one ECB call over all of them.
 * A batch of a thousand ~150-byte messages is about ten cipher calls, and about 0.4 µs per message
 * with the tags compared. Each message's own chain is exactly RFC 4493's; the tests check the RFC's
 * and NIST's vectors, and a batch against one CBC encryption per message.
 */
export interface Cmac {
  /** The 16-byte tags of `messages` (UTF-8), message i's at bytes 16i to 16i + 16. */
  tags(messages: readonly string[]): Buffer;
  /** One message's tag: one call into a CBC cipher kept for every message (a batch's set-up costs more than it saves for one). */
  tag(message: string): Buffer;
}

const BLOCK = 16;
/** Below this many messages, tags() takes them one at a time. */
const FEW = 8;

/** Doubling in GF(2^128), for the subkeys K1 and K2. */
function double(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[BLOCK - 1]! ^= 0x87;
  return out;
}

/** Four 32-bit words of a 16-byte block (the word order is the buffer's; XOR does not care). */
const words = (b: Buffer) => new Int32Array(new Uint8Array(b).buffer);

export function createCmac(key: Buffer): Cmac {
  if (key.length !== 16 && key.length !== 32) throw new Error('an AES-CMAC key is 16 or 32 bytes');
  const bits = key.length * 8;
  // ECB keeps no state between whole blocks: one cipher serves every call.
  const ecb: Cipher = createCipheriv(`aes-${bits}-ecb`, key, null).setAutoPadding(false);
  // One CBC cipher for every single message: it chains each input block to the last block it
  // output, so a message's first block is XORed with that block beforehand to start from zero, as a
  // fresh cipher would (creating a cipher per message cost more than the rest of the tag).
  const cbc: Cipher = createCipheriv(`aes-${bits}-cbc`, key, Buffer.alloc(BLOCK)).setAutoPadding(false);
  let chained = Buffer.alloc(BLOCK);
  const k1 = double(ecb.update(Buffer.alloc(BLOCK)));
  const k2 = double(k1);
  const K1 = words(k1);
  const K2 = words(k2);

  function tag(message: string): Buffer {
    const bytes = Buffer.from(message, 'utf8');
    const count = Math.max(1, Math.ceil(bytes.length / BLOCK));
    const complete = bytes.length > 0 && bytes.length % BLOCK === 0;
    const padded = Buffer.alloc(count * BLOCK);
    bytes.copy(padded);
    if (!complete) padded[bytes.length] = 0x80;
    const K = complete ? k1 : k2;
    for (let i = 0; i < BLOCK; i++) padded[(count - 1) * BLOCK + i]! ^= K[i]!;
    for (let i = 0; i < BLOCK; i++) padded[i]! ^= chained[i]!;
    const out = cbc.update(padded);
    if (out.length !== padded.length) throw new Error('the CBC cipher held back a block');
    chained = out.subarray(out.length - BLOCK);
    return Buffer.from(chained);
  }

  function tags(messages: readonly string[]): Buffer {
    const n = messages.length;
    // Side by side pays a cipher call per block position; a handful of messages go one by one.
    if (n < FEW) return Buffer.concat(messages.map(tag), n * BLOCK);
    // Each message in a zeroed slot of whole blocks (room for 3 bytes per UTF-16 unit, and for the padding).
    const slot = new Int32Array(n);
    const blocks = new Int32Array(n);
    let size = 0;
    for (let i = 0; i < n; i++) {
      slot[i] = size;
      size += (Math.ceil((messages[i]!.length * 3) / BLOCK) + 1) * BLOCK;
    }
    const memory = new ArrayBuffer(size);
    const bytes = Buffer.from(memory);
    const w = new Int32Array(memory);
    let longest = 0;
    for (let i = 0; i < n; i++) {
      const length = bytes.write(messages[i]!, slot[i]!, 'utf8');
      const count = Math.max(1, Math.ceil(length / BLOCK));
      blocks[i] = count;
      if (count > longest) longest = count;
      // The last block: complete, XOR K1; otherwise padded with 10...0, XOR K2.
      const complete = length > 0 && length % BLOCK === 0;
      if (!complete) bytes[slot[i]! + length] = 0x80;
      const K = complete ? K1 : K2;
      const last = (slot[i]! >> 2) + (count - 1) * 4;
      w[last]! ^= K[0]!;
      w[last + 1]! ^= K[1]!;
      w[last + 2]! ^= K[2]!;
      w[last + 3]! ^= K[3]!;
    }
    const state = new Int32Array(n * 4);
    const input = new ArrayBuffer(n * BLOCK);
    const x = new Int32Array(input);
    const which = new Int32Array(n);
    for (let j = 0; j < longest; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (j >= blocks[i]!) continue;
        const src = (slot[i]! >> 2) + j * 4;
        const s = i * 4;
        const d = m * 4;
        x[d] = state[s]! ^ w[src]!;
        x[d + 1] = state[s + 1]! ^ w[src + 1]!;
        x[d + 2] = state[s + 2]! ^ w[src + 2]!;
        x[d + 3] = state[s + 3]! ^ w[src + 3]!;
        which[m++] = i;
      }
      const encrypted = ecb.update(Buffer.from(input, 0, m * BLOCK));
      // Node's small buffers come from a pool, at any offset: copy to read them as words.
      const out =
        encrypted.byteOffset % 4 === 0
          ? new Int32Array(encrypted.buffer, encrypted.byteOffset, m * 4)
          : new Int32Array(new Uint8Array(encrypted).buffer);
      for (let q = 0; q < m; q++) {
        const s = which[q]! * 4;
        const d = q * 4;
        state[s] = out[d]!;
        state[s + 1] = out[d + 1]!;
        state[s + 2] = out[d + 2]!;
        state[s + 3] = out[d + 3]!;
      }
    }
    return Buffer.from(state.buffer);
  }

  return { tag, tags };
}
