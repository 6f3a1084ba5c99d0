import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createAgents, NewbookAgentPool } from "./http-agent";

describe("NewbookAgentPool", () => {
  it("gives every client of a credential the same agents, and keeps at most maxCredentials", () => {
    const pool = new NewbookAgentPool(2);
    const a = pool.forCredential("a", 5_000);
    expect(pool.forCredential("a", 5_000)).toBe(a);
    expect(pool.forCredential("b", 5_000)).not.toBe(a);
    pool.forCredential("a", 5_000);
    // "b" is now the least recently used one and makes room for "c".
    pool.forCredential("c", 5_000);
    expect(pool.size).toBe(2);
    expect(pool.forCredential("a", 5_000)).toBe(a);
    pool.destroy();
    expect(pool.size).toBe(0);
  });

  it("lets consecutive clients of a credential reuse one kept-alive connection", async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => res.end("ok"));
    server.on("connection", () => connections++);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const pool = new NewbookAgentPool();
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const get = (agent: http.Agent) =>
        new Promise<void>((resolve, reject) => {
          http
            .get(url, { agent }, (res) => {
              res.resume();
              res.on("end", resolve);
            })
            .on("error", reject);
        });
      // One sync's client after another's: each asks the pool for its credential's agents.
      for (let sync = 0; sync < 3; sync++) await get(pool.forCredential("key", 5_000).httpAgent);
      expect(connections).toBe(1);
    } finally {
      pool.destroy();
      server.close();
    }
  });
});

describe("createAgents: idle kept-alive connections", () => {
  let server: http.Server;
  let url: string;

  beforeEach(async () => {
    server = http.createServer((req, res) => {
      // "/slow" answers after longer than the agents' idle timeout in these tests.
      const delay = req.url === "/slow" ? 600 : 0;
      setTimeout(() => res.end("ok"), delay);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => server.close());

  /** One request; resolves with the socket it used once the answer is read. */
  const get = (agent: http.Agent, path = "/") =>
    new Promise<Socket>((resolve, reject) => {
      const req = http.get(`${url}${path}`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(req.socket!));
      });
      req.on("error", reject);
    });

  /** How long after the answer the client closed the connection it left in the pool. */
  const idleLifetime = async (agent: http.Agent) => {
    const socket = await get(agent);
    const readAt = Date.now();
    await once(socket, "close");
    return Date.now() - readAt;
  };

  it("closes an idle connection itself after the idle time, before the server would", async () => {
    server.keepAliveTimeout = 60_000;
    const { httpAgent } = createAgents(5_000, 200);
    try {
      const lifetime = await idleLifetime(httpAgent);
      expect(lifetime).toBeGreaterThanOrEqual(150);
      expect(lifetime).toBeLessThan(2_000);
    } finally {
      httpAgent.destroy();
    }
  });

  it("closes one second before the server's Keep-Alive hint when that comes first", async () => {
    server.keepAliveTimeout = 2_000; // sent as "Keep-Alive: timeout=2"
    const { httpAgent } = createAgents(5_000);
    try {
      const lifetime = await idleLifetime(httpAgent);
      expect(lifetime).toBeGreaterThanOrEqual(900);
      expect(lifetime).toBeLessThan(1_900);
    } finally {
      httpAgent.destroy();
    }
  });

  it("does not cut a request that takes longer than the idle time", async () => {
    const { httpAgent } = createAgents(5_000, 200);
    try {
      await get(httpAgent);
      // The same kept-alive connection, now busy for three idle periods.
      await expect(get(httpAgent, "/slow")).resolves.toBeDefined();
    } finally {
      httpAgent.destroy();
    }
  });
});
