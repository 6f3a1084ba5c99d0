import { z } from "zod";
import {
  CONNECT_TIMEOUT_CODE,
  classifyAnswer,
  classifyTransportFailure,
  type HttpAnswer,
  protocolErrorFromZod,
} from "./classify";
import {
  NewbookApiError,
  NewbookAuthError,
  type NewbookError,
  NewbookNetworkError,
  NewbookProtocolError,
  NewbookServerError,
  NewbookThrottledError,
  NewbookTimeoutError,
} from "./errors";
import { rawBookingSchema } from "./types";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const answer = (status: number, body: unknown, retryAfter?: string): HttpAnswer => ({
  status,
  retryAfter,
  body: typeof body === "string" ? body : JSON.stringify(body),
});

function errorOf(a: HttpAnswer): NewbookError {
  const result = classifyAnswer("bookings_list", a, NOW);
  if (result.ok) throw new Error("expected a failure");
  return result.error;
}

describe("classifyAnswer", () => {
  it('accepts success as the string "true" and, defensively, boolean true', () => {
    expect(classifyAnswer("x", answer(200, { success: "true", data: [] }), NOW).ok).toBe(true);
    expect(classifyAnswer("x", answer(200, { success: true, data: [] }), NOW).ok).toBe(true);
  });

  it('treats "false" and false as failures, never as truthy success', () => {
    for (const success of ["false", false]) {
      const error = errorOf(answer(200, { success, message: "Booking 9 not found" }));
      expect(error).toBeInstanceOf(NewbookApiError);
      expect((error as NewbookApiError).newbookMessage).toBe("Booking 9 not found");
      expect(error.retryable).toBe(false);
    }
  });

  it("maps 401 to a non-retryable username/password rejection", () => {
    const error = errorOf(answer(401, { success: "false", message: "Invalid username or password" }));
    expect(error).toBeInstanceOf(NewbookAuthError);
    expect(error.message).toBe("Newbook rejected the username or password");
    expect(error.retryable).toBe(false);
    expect(error.outcome).toBe("auth_error");
  });

  it("maps api_key and region rejections (HTTP 200 or 403) to an API-key auth error", () => {
    for (const [status, message] of [
      [200, "Invalid API key"],
      [200, "API key is not valid for region 'eu'"],
      [200, "Invalid region 'xx'"],
      [200, "Missing api_key"],
      [403, "Forbidden"],
    ] as const) {
      const error = errorOf(answer(status, { success: "false", message }));
      expect(error).toBeInstanceOf(NewbookAuthError);
      expect(error.message).toBe("Newbook rejected the API key or region");
    }
  });

  it("recognises throttling by 429 or by message, with Retry-After", () => {
    const by429 = errorOf(answer(429, { success: "false", message: "Too many requests" }, "12"));
    expect(by429).toBeInstanceOf(NewbookThrottledError);
    expect((by429 as NewbookThrottledError).retryAfterMs).toBe(12_000);
    // The throttle message mentions the API key: it must not be mistaken for a key rejection.
    const by200 = errorOf(
      answer(200, {
        success: "false",
        message: "Rate limit exceeded: more than 100 requests per minute for this API key",
      }),
    );
    expect(by200).toBeInstanceOf(NewbookThrottledError);
    expect((by200 as NewbookThrottledError).retryAfterMs).toBeNull();
    expect(by200.retryable).toBe(true);
  });

  it("maps 5xx, with or without a JSON body, to a retryable server error", () => {
    for (const status of [500, 502, 503]) {
      const error = errorOf(answer(status, "<html><h1>Bad Gateway</h1></html>"));
      expect(error).toBeInstanceOf(NewbookServerError);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(true);
    }
  });

  it("reports malformed JSON and envelopes without success as protocol errors", () => {
    const broken = errorOf(answer(200, '{"success":"true","data":[{"booking_id":"1","booking_arr'));
    expect(broken).toBeInstanceOf(NewbookProtocolError);
    expect(broken.retryable).toBe(true);
    const shapeless = errorOf(answer(200, { data: [] }));
    expect(shapeless).toBeInstanceOf(NewbookProtocolError);
    expect((shapeless as NewbookProtocolError).field).toBe("success");
  });

  it("flags unknown actions so an alias can be tried", () => {
    const error = errorOf(answer(404, { success: "false", message: "Unknown action 'sites_list'" }));
    expect(error).toBeInstanceOf(NewbookApiError);
    expect((error as NewbookApiError).unknownAction).toBe(true);
    const other = errorOf(answer(412, { success: "false", message: "Invalid list_type 'x'" }));
    expect((other as NewbookApiError).unknownAction).toBe(false);
  });
});

describe("classifyTransportFailure", () => {
  const timeouts = { timeoutMs: 30_000, connectTimeoutMs: 5_000 };

  it("tells connect timeouts, total timeouts and network failures apart", () => {
    const connect = classifyTransportFailure(
      "x",
      { code: CONNECT_TIMEOUT_CODE, totalTimedOut: false },
      timeouts,
    );
    expect(connect).toBeInstanceOf(NewbookTimeoutError);
    expect((connect as NewbookTimeoutError).phase).toBe("connect");
    expect(connect.message).toContain("5000 ms");
    const total = classifyTransportFailure("x", { code: "ERR_CANCELED", totalTimedOut: true }, timeouts);
    expect((total as NewbookTimeoutError).phase).toBe("response");
    const refused = classifyTransportFailure("x", { code: "ECONNREFUSED", totalTimedOut: false }, timeouts);
    expect(refused).toBeInstanceOf(NewbookNetworkError);
    expect(refused.retryable).toBe(true);
  });
});

describe("protocolErrorFromZod", () => {
  it("names the action and the offending field", () => {
    const good = {
      booking_id: "1",
      booking_status: "Confirmed",
      booking_arrival: "2025-06-01",
      booking_departure: "2025-06-02",
    };
    const parsed = z
      .object({ data: z.array(rawBookingSchema) })
      .safeParse({ data: [good, { ...good, booking_arrival: "soon" }] });
    if (parsed.success) throw new Error("expected a failure");
    const error = protocolErrorFromZod("bookings_list", parsed.error);
    expect((error as NewbookProtocolError).field).toBe("data.1.booking_arrival");
    expect(error.message).toContain("bookings_list");
    expect(error.message).toContain("data.1.booking_arrival");
  });
});
