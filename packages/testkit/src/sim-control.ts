import { addDays } from "@occ/core";

/** The simulator's request-log entry (GET /_sim/requests), as far as our tests read it. */
export interface SimRequest {
  seq: number;
  at: string;
  username: string | null;
  action: string;
  params: { data_offset?: string | number; data_limit?: string | number; list_type?: string };
  status: number | null;
  outcome: string | null;
}

export interface SimFault {
  type:
    | "http500"
    | "http502"
    | "http503"
    | "http429"
    | "hang"
    | "malformed_json"
    | "success_false"
    | "http401";
  count?: number;
  actions?: string[];
  after?: number;
  retry_after_seconds?: number;
}

/** A non-2xx answer of the control API, with its status so callers can tell "full hotel" (409) apart. */
export class SimControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "SimControlError";
  }
}

/**
 * The one client of the simulator's control API (/_sim) for tests and benchmarks: typed helpers for what
 * several tests do, and `request` for the rest.
 */
export class SimControl {
  constructor(private readonly controlUrl: string) {}

  /** Any control endpoint (path below /_sim); a non-2xx answer throws with its status and body. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new SimControlError(`${method} ${path}: HTTP ${response.status} ${text}`, response.status);
    return (text ? JSON.parse(text) : null) as T;
  }

  addFault(propertyId: string, fault: SimFault): Promise<unknown> {
    return this.request("POST", `/properties/${propertyId}/faults`, fault);
  }

  /** Clears faults, counters, the request log and throttle windows (not the data). */
  reset(): Promise<unknown> {
    return this.request("POST", "/reset", { data: false });
  }

  setSwitches(switches: Record<string, unknown>): Promise<unknown> {
    return this.request("PUT", "/switches", switches);
  }

  async requests(since = 0): Promise<SimRequest[]> {
    const { requests } = await this.request<{ requests: SimRequest[] }>("GET", `/requests?since=${since}`);
    return requests;
  }

  async cancelBooking(propertyId: string, bookingId: string): Promise<void> {
    await this.request("POST", `/properties/${propertyId}/bookings/${bookingId}/cancel`);
  }

  /** Adds `count` one-night unallocated bookings from `firstArrival` on, one per day. */
  async addBookings(propertyId: string, firstArrival: string, count: number): Promise<void> {
    const batch = 50;
    for (let start = 0; start < count; start += batch) {
      const size = Math.min(batch, count - start);
      await Promise.all(
        Array.from({ length: size }, (_, i) => {
          const arrival = addDays(firstArrival, start + i);
          return this.request("POST", `/properties/${propertyId}/bookings`, {
            arrival,
            departure: addDays(arrival, 1),
            adults: 2,
            site_id: null,
            status: "Confirmed",
          });
        }),
      );
    }
  }
}
