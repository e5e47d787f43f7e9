/**
 * The last `capacity` bytes of a stream, in a fixed ring: memory stays the same however
 * much passes through, so an error report can quote the end of a 200 MB build log.
 */
export class TailBuffer {
  readonly capacity: number;
  private readonly ring: Buffer;
  private end = 0;
  private filled = false;
  /** Bytes ever pushed. */
  total = 0;

  constructor(capacity = 64 * 1024) {
    this.capacity = capacity;
    this.ring = Buffer.alloc(capacity);
  }

  push(bytes: Uint8Array): void {
    this.total += bytes.length;
    // Only the last `capacity` bytes of a large write can survive; skip the rest.
    const data =
      bytes.length > this.capacity ? bytes.subarray(bytes.length - this.capacity) : bytes;
    const first = Math.min(data.length, this.capacity - this.end);
    this.ring.set(data.subarray(0, first), this.end);
    this.ring.set(data.subarray(first), 0);
    const next = this.end + data.length;
    if (next >= this.capacity) this.filled = true;
    this.end = next % this.capacity;
  }

  /** The kept bytes in order, as text; a character cut by the window's start is dropped. */
  toString(): string {
    const bytes = this.filled
      ? Buffer.concat([this.ring.subarray(this.end), this.ring.subarray(0, this.end)])
      : this.ring.subarray(0, this.end);
    let start = 0;
    // UTF-8 continuation bytes (10xxxxxx) at the start belong to a character that was cut.
    if (this.filled) while (start < 3 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
    return bytes.subarray(start).toString('utf8');
  }
}
