/**
 * The wire format between Kestrel and its helper processes, in both directions over stdio:
 *
 *   u32 LE header length | u32 LE body length | header (UTF-8 JSON object) | body (raw bytes)
 *
 * JSON keeps requests readable in a helper's log; the body carries file content without base64.
 * A helper written in C, C++ or JavaScript needs only these few lines to speak it.
 */
export interface Frame {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

/** Larger frames mean a helper is out of step with us; we stop reading rather than allocate. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

export function encodeFrame(header: Record<string, unknown>, body: Buffer = EMPTY): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32LE(json.length, 0);
  prefix.writeUInt32LE(body.length, 4);
  return Buffer.concat([prefix, json, body]);
}

/** Collects chunks from a stream and hands out whole frames; throws on a frame that cannot be one. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 8) return frames;
      const head = this.peek(8);
      const headerLength = head.readUInt32LE(0);
      const bodyLength = head.readUInt32LE(4);
      if (headerLength + bodyLength > MAX_FRAME_BYTES) {
        throw new Error(`frame of ${headerLength + bodyLength} bytes exceeds ${MAX_FRAME_BYTES}`);
      }
      const total = 8 + headerLength + bodyLength;
      if (this.buffered < total) return frames;
      const whole = this.take(total);
      const parsed: unknown = JSON.parse(whole.subarray(8, 8 + headerLength).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('frame header is not a JSON object');
      }
      frames.push({ header: parsed as Record<string, unknown>, body: whole.subarray(8 + headerLength) });
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
