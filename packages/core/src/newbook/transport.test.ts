import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { answerDigest } from "./answers";
import { NewbookNetworkError, NewbookProtocolError, NewbookTimeoutError } from "./errors";
import { NewbookTransport } from "./transport";

/** A local upstream that answers every request with `handler`; what each test needs of a broken Newbook. */
async function upstream(handler: (res: http.ServerResponse) => void) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(res));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function transport(baseUrl: string, options: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
  return new NewbookTransport({
    baseUrl,
    region: "au",
    username: "user",
    password: "pass",
    apiKey: "key",
    timeoutMs: options.timeoutMs ?? 5_000,
    connectTimeoutMs: 1_000,
    maxResponseBytes: options.maxResponseBytes,
  });
}

/** The error of one request that must fail, the transport and upstream closed either way. */
async function failure(server: Awaited<ReturnType<typeof upstream>>, client: NewbookTransport) {
  try {
    const sent = await client.send("bookings_list", {});
    if (sent.ok) throw new Error(`expected a failure, got HTTP ${sent.answer.status}`);
    return sent.error;
  } finally {
    client.close();
    await server.close();
  }
}

/** A body sent in several writes, so it arrives in several chunks. */
const PARTS = Array.from({ length: 40 }, (_, i) => `{"part":${i},"pad":"${"x".repeat(16_000)}"}`);
const BODY = `[${PARTS.join(",")}]`;

describe("NewbookTransport", () => {
  it("digests a chunked answer as its whole bytes without joining them, and joins them once read", async () => {
    const server = await upstream((res) => {
      res.write("[");
      for (const [i, part] of PARTS.entries()) res.write(i === 0 ? part : `,${part}`);
      res.end("]");
    });
    const client = transport(server.url);
    try {
      const sent = await client.send("bookings_list", {});
      if (!sent.ok) throw sent.error;
      const concat = jest.spyOn(Buffer, "concat");
      expect(sent.answer.raw.length).toBe(Buffer.byteLength(BODY));
      expect(sent.answer.raw.digest).toBe(answerDigest(BODY));
      expect(concat).not.toHaveBeenCalled();
      expect(sent.answer.raw.bytes.toString("utf8")).toBe(BODY);
      expect(sent.answer.raw.bytes).toBe(sent.answer.raw.bytes);
      expect(concat).toHaveBeenCalledTimes(1);
      concat.mockRestore();
      expect(sent.answer.body).toBe(BODY);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("stops reading at maxResponseBytes with a protocol error that is not retried", async () => {
    const server = await upstream((res) => {
      for (const part of PARTS) res.write(part);
      res.end();
    });
    const error = await failure(server, transport(server.url, { maxResponseBytes: 100_000 }));
    expect(error).toBeInstanceOf(NewbookProtocolError);
    expect(error.message).toContain("larger than 100000 bytes");
    expect(error.retryable).toBe(false);
  });

  it("times out an answer whose body stops half-way, at the attempt's deadline", async () => {
    const server = await upstream((res) => {
      res.writeHead(200, { "content-length": String(Buffer.byteLength(BODY)) });
      res.write(BODY.slice(0, 1000));
      // ...and nothing more.
    });
    const started = Date.now();
    const error = await failure(server, transport(server.url, { timeoutMs: 400 }));
    expect(error).toBeInstanceOf(NewbookTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("sends a request again on a fresh connection when every pooled one was closed while idle", async () => {
    // A server that closed its idle connections: each one fails the next request it carries, before any answer.
    const served = new WeakSet<object>();
    let release: () => void = () => undefined;
    const bothInFlight = new Promise<void>((resolve) => {
      let waiting = 0;
      release = () => {
        waiting++;
        if (waiting === 2) resolve();
      };
    });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", async () => {
        if (served.has(req.socket)) {
          req.socket.destroy();
          return;
        }
        served.add(req.socket);
        // The first two requests are answered together, so the pool holds two connections after them.
        release();
        await bothInFlight;
        res.end('{"success":"true"}');
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const client = transport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const warm = await Promise.all([client.send("auth_test", {}), client.send("auth_test", {})]);
      expect(warm.map((sent) => sent.ok)).toEqual([true, true]);
      const sent = await client.send("bookings_list", {});
      if (!sent.ok) throw sent.error;
      expect(sent.answer.status).toBe(200);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports a connection dropped half-way through the body as a network error", async () => {
    const server = await upstream((res) => {
      res.writeHead(200, { "content-length": String(Buffer.byteLength(BODY)) });
      res.write(BODY.slice(0, 1000), () => res.socket?.destroy());
    });
    const error = await failure(server, transport(server.url));
    expect(error).toBeInstanceOf(NewbookNetworkError);
    expect(error.message).toContain("ECONNRESET");
  });
});
