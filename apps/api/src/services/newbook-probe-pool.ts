import path from "node:path";
import { Worker } from "node:worker_threads";
import type { NewbookClientOptions } from "@occ/core";
import {
  type ConnectionTestResult,
  LimiterUnavailableError,
  ProbeUnavailableError,
  UNREACHABLE_REASON,
} from "./newbook-probe";

/** Client options that survive structured cloning (no limiter, logger or clock functions). */
export type ProbeOptions = Omit<
  NewbookClientOptions,
  "rateLimiter" | "onRequest" | "sleep" | "random" | "now" | "logger"
>;

export type ProbeRequest =
  | { type: "probe"; options: ProbeOptions }
  | { type: "slot"; id: number; granted: boolean };

export type ProbeReply =
  | { type: "ready" }
  | { type: "acquire"; id: number; key: string }
  | { type: "done"; result: ConnectionTestResult | "refused" | "failed" };

/**
 * Our side's slot for one request to Newbook, on the main thread (the shared limiter's Redis connection):
 * resolves when the request may go out; rejects, bounded in time, with why it may not (e.g.
 * OwnBudgetUsedUpError, LimiterUnavailableError), which becomes the test's outcome.
 */
export type TakeSlot = (credentialKey: string) => Promise<void>;

export interface ProbePoolOptions {
  /** Threads at most (each runs one test at a time; more tests queue). */
  size: number;
  /** Heap of one thread: a hostile answer that gets past the byte cap kills the thread, not the API. */
  maxHeapMb: number;
  /** Idle threads end after this long so an idle API holds no threads. */
  idleMs: number;
  /** A new thread that has not loaded its modules by then is given up on. */
  bootMs: number;
}

const DEFAULTS: ProbePoolOptions = { size: 2, maxHeapMb: 256, idleMs: 60_000, bootMs: 30_000 };

/** From the build, the compiled thread; from source (tests, tsx), the TypeScript file through tsx. */
function threadEntry(): { file: string; execArgv: string[] } {
  const source = __filename.endsWith(".ts");
  const file = path.join(__dirname, `newbook-probe-thread.${source ? "ts" : "js"}`);
  return { file, execArgv: source ? ["--require", "tsx/cjs"] : [] };
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /**
   * Settles once the thread has loaded its modules (the deadline covers Newbook, not the boot): null, or
   * why it did not.
   */
  ready: Promise<string | null>;
  idleTimer?: NodeJS.Timeout;
}

/** A deadline that counts only while it runs: paused while the probe waits for our own budget. */
class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private runningSince = 0;
  private onExpiry: () => void = () => undefined;

  constructor(private remainingMs: number) {}

  start(onExpiry: () => void): void {
    this.onExpiry = onExpiry;
    this.resume();
  }

  pause(): void {
    if (this.timer === undefined) return;
    this.stop();
    this.remainingMs -= performance.now() - this.runningSince;
  }

  resume(): void {
    if (this.timer !== undefined) return;
    this.runningSince = performance.now();
    this.timer = setTimeout(() => this.onExpiry(), Math.max(0, this.remainingMs));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Connection tests in worker threads with a deadline for Newbook. On the deadline the thread is terminated,
 * which also closes its sockets: a silent upstream holds the request for the deadline, not 15 s or more.
 */
export class NewbookProbePool {
  private readonly slots: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private readonly options: ProbePoolOptions;

  constructor(options: Partial<ProbePoolOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * The test's result; "unreachable" when Newbook's deadline passes or the thread dies mid-test (a hostile
   * answer can exhaust its heap). Newbook's deadline counts only while no request waits for its slot: the
   * wait for our own budget (takeSlot, bounded on its own) is never read as Newbook's silence. A refused
   * slot ends the test with takeSlot's error; a ProbeUnavailableError when the thread never started:
   * Newbook was not asked either way.
   */
  async run(options: ProbeOptions, takeSlot: TakeSlot, deadlineMs: number): Promise<ConnectionTestResult> {
    const slot = await this.take();
    const bootFailure = await slot.ready;
    if (bootFailure !== null) {
      this.release(slot);
      throw new ProbeUnavailableError(bootFailure);
    }
    const clock = new PausableTimer(deadlineMs);
    let settled = false;
    try {
      return await new Promise<ConnectionTestResult>((resolve, reject) => {
        // Why our side refused a slot; the thread then ends its probe, and the test answers with this.
        let refusal: unknown = null;
        let waitingForSlots = 0;
        const finish = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          slot.worker.off("message", onMessage);
          slot.worker.off("exit", onExit);
          outcome();
        };
        const onExit = () => finish(() => resolve({ ok: false, reason: UNREACHABLE_REASON }));
        // A slot granted after the test ended, or after another slot was refused, would send a request
        // nobody waits for: it is refused instead.
        const answerSlot = (id: number, granted: boolean) => {
          if (--waitingForSlots === 0 && !settled) clock.resume();
          this.reply(slot, { type: "slot", id, granted: granted && refusal === null && !settled });
        };
        const onMessage = (message: ProbeReply) => {
          if (message.type === "ready") return;
          if (message.type === "acquire") {
            if (waitingForSlots++ === 0) clock.pause();
            if (refusal !== null) return answerSlot(message.id, false);
            takeSlot(message.key).then(
              () => answerSlot(message.id, true),
              (error: unknown) => {
                refusal ??= error;
                answerSlot(message.id, false);
              },
            );
            return;
          }
          const { result } = message;
          if (result === "refused")
            finish(() => reject(refusal ?? new LimiterUnavailableError("the probe was refused a slot")));
          else if (result === "failed") finish(() => resolve({ ok: false, reason: UNREACHABLE_REASON }));
          else finish(() => resolve(result));
        };
        slot.worker.on("message", onMessage);
        slot.worker.once("exit", onExit);
        clock.start(() => {
          finish(() =>
            refusal === null ? resolve({ ok: false, reason: UNREACHABLE_REASON }) : reject(refusal),
          );
          this.discard(slot);
        });
        slot.worker.postMessage({ type: "probe", options } satisfies ProbeRequest);
      });
    } finally {
      clock.stop();
      this.release(slot);
    }
  }

  /** Ends every thread (tests, shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private reply(slot: Slot, message: ProbeRequest): void {
    if (this.slots.includes(slot)) slot.worker.postMessage(message);
  }

  private async take(): Promise<Slot> {
    const idle = this.slots.find((slot) => !slot.busy);
    if (idle) return this.claim(idle);
    if (this.slots.length < this.options.size) return this.claim(this.spawn());
    return new Promise<Slot>((resolve) => this.waiting.push((slot) => resolve(this.claim(slot))));
  }

  private claim(slot: Slot): Slot {
    clearTimeout(slot.idleTimer);
    slot.busy = true;
    slot.worker.ref();
    return slot;
  }

  private release(slot: Slot): void {
    slot.busy = false;
    if (!this.slots.includes(slot)) {
      // Its thread was discarded; a queued test gets a fresh one.
      const next = this.waiting.shift();
      if (next) next(this.spawn());
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(slot);
      return;
    }
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => this.discard(slot), this.options.idleMs);
    slot.idleTimer.unref();
  }

  private spawn(): Slot {
    const { file, execArgv } = threadEntry();
    const worker = new Worker(file, {
      execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
    });
    let lastError: unknown;
    const ready = new Promise<string | null>((resolve) => {
      const timer = setTimeout(
        () => resolve(`the probe thread did not start within ${this.options.bootMs} ms`),
        this.options.bootMs,
      );
      const done = (failure: string | null) => {
        clearTimeout(timer);
        resolve(failure);
      };
      worker.once("message", (message: ProbeReply) =>
        done(message.type === "ready" ? null : `the probe thread sent ${message.type} before ready`),
      );
      worker.once("exit", (code) =>
        done(`the probe thread exited with code ${code} while starting: ${String(lastError ?? "no error")}`),
      );
    });
    const slot: Slot = { worker, busy: false, ready };
    void ready.then((failure) => failure === null || this.discard(slot));
    // A thread that dies (out of memory, crash) leaves the pool; the test it ran reads "unreachable". While
    // starting, its error is the reason the test could not start.
    worker.on("error", (error) => {
      lastError = error;
    });
    worker.once("exit", () => this.remove(slot));
    this.slots.push(slot);
    return slot;
  }

  private remove(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
  }

  private discard(slot: Slot): void {
    this.remove(slot);
    clearTimeout(slot.idleTimer);
    void slot.worker.terminate();
  }
}
