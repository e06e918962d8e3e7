/** Keeps the last `maxBytes` of a child's stdout and stderr, so a chatty function cannot grow the executor. */
export class OutputCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.maxBytes;
      this.dropped = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** The kept text, without consuming it. */
  peek(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }

  /** Everything kept since the last take(), as text; a line that was cut is marked. */
  take(): string {
    if (this.size === 0) return '';
    let text = Buffer.concat(this.chunks, this.size).toString('utf8');
    if (this.dropped) text = `[...truncated]${text}`;
    if (!text.endsWith('\n')) text += '\n';
    this.chunks = [];
    this.size = 0;
    this.dropped = false;
    return text;
  }
}
