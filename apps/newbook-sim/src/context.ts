import type { Response } from "express";
import { Faults } from "./faults";
import { SimStore, type StoreOptions } from "./store";
import { defaultSwitches, type Switches } from "./switches";
import { Telemetry } from "./telemetry";
import { Throttle } from "./throttle";

/** Everything the two routers share: data, switches and the per-request machinery. */
export class SimContext {
  readonly store: SimStore;
  readonly faults = new Faults();
  readonly telemetry: Telemetry;
  readonly throttle: Throttle;
  switches: Switches;
  latency: { defaultMs: number; perProperty: Map<string, number> };
  /** Requests held open by the "hang" fault; destroyed on close so the server can stop. */
  readonly hung = new Set<Response>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    storeOptions: StoreOptions,
    readonly now: () => number,
    latencyMs: number,
    throttlePerMinute: number,
  ) {
    this.store = new SimStore(storeOptions);
    this.telemetry = new Telemetry(now);
    this.switches = defaultSwitches(throttlePerMinute);
    this.throttle = new Throttle(() => this.switches.throttle_per_minute, now);
    this.latency = { defaultMs: latencyMs, perProperty: new Map() };
  }

  setSwitches(patch: Partial<Switches>): void {
    this.switches = { ...this.switches, ...patch };
    this.applyBookingTimes();
  }

  /** Queries read the times from the property, so the switch is applied there. */
  private applyBookingTimes(): void {
    const midnight = this.switches.booking_times === "midnight";
    for (const p of this.store.properties) {
      p.checkInTime = midnight ? "00:00:00" : "14:00:00";
      p.checkOutTime = midnight ? "00:00:00" : "10:00:00";
    }
  }

  latencyFor(propertyId: string | undefined): number {
    return (
      (propertyId === undefined ? undefined : this.latency.perProperty.get(propertyId)) ??
      this.latency.defaultMs
    );
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Reset of counters, log, faults and throttle windows; data only when asked. */
  reset(data: boolean): void {
    this.telemetry.reset();
    this.faults.clear();
    this.throttle.reset();
    if (data) {
      this.store.regenerate();
      this.applyBookingTimes();
    }
  }

  shutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }
}
