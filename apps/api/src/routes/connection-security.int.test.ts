import http from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningSimulator, startSimulator } from "@occ/newbook-sim";
import request from "supertest";
import { UNREACHABLE_REASON } from "../services/newbook-probe";
import { addKitchenWithManager, type Harness, startHarness, type TestKitchen } from "../testing/harness";
import { simulatorConnection } from "../testing/simulator";

/** A stand-in "Newbook" that records what reached it and answers each action as told. */
async function fakeNewbook(answer: (action: string, res: http.ServerResponse) => void) {
  const received: { action: string; authorization?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      const action = (req.url ?? "").split("/").pop() ?? "";
      received.push({ action, authorization: req.headers.authorization, body });
      answer(action, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/rest`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: http.ServerResponse, body: unknown) => {
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(body));
};

describe("Newbook connection: where saved secrets may go", () => {
  let h: Harness;
  let sim: RunningSimulator;
  let k: TestKitchen;
  const connectionPath = "/api/settings/newbook-connection";
  const testPath = `${connectionPath}/test`;
  const as = () => ({ Authorization: `Bearer ${k.token}` });
  const property = () => sim.properties[0]!;
  const full = () => simulatorConnection(sim);

  beforeAll(async () => {
    sim = await startSimulator({ properties: 1, rooms: 12, seed: 11 });
    h = await startHarness({
      env: { NEWBOOK_RETRY_BASE_MS: "1", NEWBOOK_TIMEOUT_MS: "2000", NEWBOOK_TEST_TIMEOUT_MS: "1500" },
    });
    k = await addKitchenWithManager(h, "Bound");
    const saved = await request(h.app).put(connectionPath).set(as()).send(full());
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
  });

  const fieldsOf = (res: request.Response) =>
    (res.body.error.details as { field: string }[]).map((d) => d.field).sort();

  it("never sends the saved secrets to another origin, username or region", async () => {
    const trap = await fakeNewbook((_, res) => json(res, { success: "true", data: [] }));
    try {
      for (const change of [
        { base_url: trap.baseUrl },
        { username: "someone-else" },
        { region: property().region === "eu" ? "au" : "eu" },
      ]) {
        const tested = await request(h.app).post(testPath).set(as()).send(change);
        expect(tested.status).toBe(400);
        expect(fieldsOf(tested)).toEqual(["api_key", "password"]);
        const onlyPassword = await request(h.app)
          .post(testPath)
          .set(as())
          .send({ ...change, password: "typed-again-1" });
        expect(onlyPassword.status).toBe(400);
        expect(fieldsOf(onlyPassword)).toEqual(["api_key"]);
        const { password: _p, api_key: _k, ...rest } = full();
        const put = await request(h.app)
          .put(connectionPath)
          .set(as())
          .send({ ...rest, ...change });
        expect(put.status).toBe(400);
        expect(fieldsOf(put)).toEqual(["api_key", "password"]);
      }
      expect(trap.received).toEqual([]);
      // The same origin with another path keeps the saved secrets (and they still work).
      const samePlace = await request(h.app)
        .post(testPath)
        .set(as())
        .send({ base_url: `${sim.baseUrl}/` });
      expect(samePlace.body).toMatchObject({ ok: true, rooms: 12 });
      // With both secrets typed in, the connection may move.
      const moved = await request(h.app)
        .post(testPath)
        .set(as())
        .send({ base_url: trap.baseUrl, password: "new-pass-1", api_key: "new-key-1" });
      expect(moved.status).toBe(200);
      expect(trap.received.map((r) => r.body)).not.toContain(property().apiKey);
    } finally {
      await trap.close();
    }
  });

  it("accepts only allowlisted hosts, and internal addresses only when named explicitly", async () => {
    const outside = await request(h.app)
      .put(connectionPath)
      .set(as())
      .send({ ...full(), base_url: "https://newbook.evil.example/rest" });
    expect(outside.status).toBe(400);
    expect(fieldsOf(outside)).toEqual(["base_url"]);
    const testedOutside = await request(h.app)
      .post(testPath)
      .set(as())
      .send({ ...full(), base_url: "https://newbook.evil.example/rest" });
    expect(testedOutside.status).toBe(400);
    for (const base_url of [`${sim.baseUrl}?x=1`, `${sim.baseUrl}#frag`, "http://u:p@127.0.0.1:9/rest"]) {
      const res = await request(h.app)
        .put(connectionPath)
        .set(as())
        .send({ ...full(), base_url });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(["base_url"]);
    }
    // "*" allows public hosts; loopback (by address or by name) still needs its own entry.
    const anyPublic = h.makeApp({ config: { ...h.config, NEWBOOK_ALLOWED_HOSTS: ["*"] } });
    for (const base_url of [
      sim.baseUrl,
      sim.baseUrl.replace("127.0.0.1", "localhost"),
      "http://[::1]:9/rest",
    ]) {
      const res = await request(anyPublic)
        .post(testPath)
        .set(as())
        .send({ ...full(), base_url });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ field: "base_url" });
    }
    const named = h.makeApp({ config: { ...h.config, NEWBOOK_ALLOWED_HOSTS: ["*", "127.0.0.1"] } });
    const ok = await request(named).post(testPath).set(as()).send(full());
    expect(ok.body).toMatchObject({ ok: true });
  });

  it("gives one generic reason whatever is (or is not) listening", async () => {
    const closed = await fakeNewbook(() => undefined);
    await closed.close();
    const reasons = new Set<string>();
    // A closed port, Redis, PostgreSQL and a web server that is not Newbook all read the same.
    const notNewbook = await fakeNewbook((_, res) => res.end("<html>hello</html>"));
    try {
      for (const base_url of [
        `http://127.0.0.1:${closed.port}/rest`,
        "http://127.0.0.1:6379/rest",
        "http://127.0.0.1:5432/rest",
        notNewbook.baseUrl,
      ]) {
        const res = await request(h.app)
          .post(testPath)
          .set(as())
          .send({ ...full(), base_url });
        expect(res.status).toBe(200);
        reasons.add(res.body.reason);
      }
    } finally {
      await notNewbook.close();
    }
    expect([...reasons]).toEqual([UNREACHABLE_REASON]);
  });
});

describe("Newbook connection test: big and slow answers", () => {
  let h: Harness;
  let k: TestKitchen;
  let server: http.Server;
  let apiUrl: string;
  const as = () => ({ Authorization: `Bearer ${k.token}` });
  const MAX_BYTES = 4 * 1024 * 1024;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        NEWBOOK_RETRY_BASE_MS: "1",
        NEWBOOK_MAX_RESPONSE_BYTES: String(MAX_BYTES),
        NEWBOOK_TEST_TIMEOUT_MS: "6000",
      },
    });
    k = await addKitchenWithManager(h, "Big");
    server = h.app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Boots the probe thread (slow from TypeScript on a busy machine), so the timings below are the tests'.
    await testAgainst(await fakeNewbook((_, res) => json(res, { success: "true", data: [] })));
  }, 120_000);
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  /** Runs the connection test while polling /healthz; returns its answer and the slowest /healthz. */
  async function testWhilePolling(baseUrl: string) {
    let done = false;
    let slowestMs = 0;
    const poll = (async () => {
      while (!done) {
        const started = performance.now();
        await fetch(`${apiUrl}/healthz`);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const started = performance.now();
    const res = await fetch(`${apiUrl}/api/settings/newbook-connection/test`, {
      method: "POST",
      headers: { ...as(), "Content-Type": "application/json" },
      body: JSON.stringify({
        base_url: baseUrl,
        region: "eu",
        username: "u",
        password: "p-big-1",
        api_key: "k-big-1",
      }),
    });
    const tookMs = performance.now() - started;
    done = true;
    await poll;
    return {
      status: res.status,
      body: (await res.json()) as { ok: boolean; rooms?: number; reason?: string },
      slowestMs,
      tookMs,
    };
  }

  /**
   * Runs the connection test against a fake upstream, which it then closes; with a label, prints how long
   * the test took and the slowest /healthz meanwhile (the figures the assertions bound).
   */
  async function testAgainst(upstream: Awaited<ReturnType<typeof fakeNewbook>>, label?: string) {
    try {
      const result = await testWhilePolling(upstream.baseUrl);
      if (label)
        console.log(
          `${label}: test took ${result.tookMs.toFixed(0)} ms, slowest /healthz ${result.slowestMs.toFixed(0)} ms`,
        );
      return result;
    } finally {
      await upstream.close();
    }
  }

  it("refuses an answer over NEWBOOK_MAX_RESPONSE_BYTES without stalling the API", async () => {
    const huge = Buffer.alloc(24 * 1024 * 1024, " ");
    const upstream = await fakeNewbook((_, res) => {
      res.setHeader("Content-Type", "application/json");
      res.write('{"success":"true","data":[');
      res.end(huge);
    });
    const result = await testAgainst(upstream, "24 MB answer");
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: false, reason: UNREACHABLE_REASON });
    // The cap stopped reading early: far from the 24 MB sent.
    expect(result.tookMs).toBeLessThan(6_000);
    expect(result.slowestMs).toBeLessThan(1_000);
  });

  it("parses a big valid answer off the event loop", async () => {
    // About 3 MB of sites (under the cap): parsed and validated in the probe thread.
    const sites = Array.from({ length: 9_000 }, (_, i) => ({
      site_id: String(i),
      site_name: `Room ${i} ${"x".repeat(250)}`,
      category_id: String(i % 7),
      category_name: `Category ${i % 7}`,
      site_status: "Clean",
    }));
    const body = JSON.stringify({ success: "true", data: sites });
    expect(body.length).toBeGreaterThan(2_500_000);
    const upstream = await fakeNewbook((action, res) =>
      action === "sites_list" ? res.end(body) : json(res, { success: "true", data: [] }),
    );
    const result = await testAgainst(upstream, "3 MB answer");
    expect(result.body).toMatchObject({ ok: true, rooms: 9_000, categories: 7 });
    expect(result.slowestMs).toBeLessThan(1_000);
  });

  it("ends the whole test at NEWBOOK_TEST_TIMEOUT_MS when the upstream stays silent (15 s before)", async () => {
    const result = await testAgainst(await fakeNewbook(() => undefined));
    expect(result.body).toEqual({ ok: false, reason: UNREACHABLE_REASON });
    expect(result.tookMs).toBeGreaterThanOrEqual(5_900);
    expect(result.tookMs).toBeLessThan(9_000);
  });
});
