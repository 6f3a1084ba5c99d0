import type { Readable } from "node:stream";
import { answerDigest } from "./answers";

/**
 * An answer's raw body as it came off the socket, in its chunks. Its digest is taken from the chunks and
 * its bytes are joined only when something reads them. Most answers are recognised by their digest alone
 * (a bookings page as read last time); joining a 1.3 MB page for nothing doubled the buffer memory each of
 * those syncs allocated, and buffer memory is what drives V8 into full collections of the worker's heap
 * (bench:cpu profiles them as the largest single cost of a sync).
 */
export class AnswerBody {
  private joined: Buffer | undefined;
  private digested: string | undefined;

  constructor(
    private chunks: readonly Buffer[],
    readonly length: number,
  ) {}

  /** The whole body in one buffer (joined once, when first asked). */
  get bytes(): Buffer {
    if (this.joined === undefined) {
      this.joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      // Joined: the chunks are garbage now, not held as long as the answer is.
      this.chunks = [this.joined];
    }
    return this.joined;
  }

  /** answerDigest of the bytes, without joining them. */
  get digest(): string {
    this.digested ??= answerDigest(this.chunks);
    return this.digested;
  }
}

/** The body was longer than the cap: reading stopped there and the stream was destroyed. */
export const TOO_LARGE = Symbol("too large");

/**
 * Reads a response stream to its end, keeping its chunks, or stops (destroying the stream, and so the
 * connection) as soon as it passes `maxBytes`: nothing beyond the cap is buffered. Rejects with the
 * stream's error (a reset, or the caller's abort).
 */
export function readAnswerBody(stream: Readable, maxBytes: number): Promise<AnswerBody | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        stream.off("data", onData);
        stream.destroy();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    stream.on("data", onData);
    stream.once("end", () => resolve(new AnswerBody(chunks, length)));
    stream.once("error", reject);
  });
}
