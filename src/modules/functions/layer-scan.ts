import { errors } from '../../lib/errors.js';
import { number as tarNumber, TarError } from '../../lib/tar.js';

const BLOCK = 512;
/** Longest pax extended header kept to read: real ones are a few hundred bytes. */
const MAX_PAX_BYTES = 1024 * 1024;

/**
 * Reads a layer's tar as it streams by, entry headers only, and refuses a sparse file: its entry
 * stores a few bytes and a map, and unpacks (umoci, as root, on the executor) to its full declared
 * size on disk. So a 10 KB layer could fill the disk every tenant shares, while the unpacked size the
 * api bounds counts the layer's tar bytes. Sparse entries are GNU's `S` type and the pax `GNU.sparse.*`
 * records; `docker build` and `buildah` make neither.
 */
export class LayerScanner {
  private header = Buffer.alloc(BLOCK);
  private headerFilled = 0;
  /** Bytes of entry data (padded to a block) still to pass. */
  private skip = 0;
  /** A pax header's data being collected, and how much of it (unpadded) is still to come. */
  private pax: Buffer[] | null = null;
  private paxLeft = 0;
  private paxPadding = 0;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      if (this.pax) {
        const n = Math.min(this.paxLeft, chunk.length - at);
        this.pax.push(chunk.subarray(at, at + n));
        this.paxLeft -= n;
        at += n;
        if (this.paxLeft === 0) {
          const text = Buffer.concat(this.pax).toString('utf8');
          this.pax = null;
          if (text.includes('GNU.sparse.')) throw sparse();
          this.skip = this.paxPadding;
        }
        continue;
      }
      const n = Math.min(BLOCK - this.headerFilled, chunk.length - at);
      chunk.copy(this.header, this.headerFilled, at, at + n);
      this.headerFilled += n;
      at += n;
      if (this.headerFilled < BLOCK) continue;
      this.headerFilled = 0;
      this.onHeader();
    }
  }

  private onHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) return; // the end-of-archive blocks
    const type = String.fromCharCode(h[156]!);
    let size: number;
    try {
      size = tarNumber(h, 124, 12);
    } catch (err) {
      if (err instanceof TarError) throw errors.invalidImage('a layer holds a tar entry with an unreadable size');
      throw err;
    }
    if (!Number.isSafeInteger(size)) throw errors.invalidImage('a layer holds a tar entry with an unreadable size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'S') throw sparse();
    if (type === 'x' || type === 'g') {
      if (size > MAX_PAX_BYTES) throw errors.invalidImage('a layer holds a pax header of more than 1 MB');
      this.pax = [];
      this.paxLeft = size;
      this.paxPadding = padded - size;
      if (size === 0) {
        this.pax = null;
        this.skip = this.paxPadding;
      }
      return;
    }
    this.skip = padded;
  }
}

const sparse = () =>
  errors.invalidImage('a layer holds a sparse file, which would unpack to far more than the layer: rebuild the image without it');
