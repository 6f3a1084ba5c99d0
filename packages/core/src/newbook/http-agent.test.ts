import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { NewbookAgentPool } from "./http-agent";

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
