/**
 * The real stack for browser tests: the built API (serving the built admin UI) and a worker as child
 * processes on free ports, a database of their own, a unique BullMQ prefix, and the Newbook simulator
 * in-process. Plus Chromium through playwright-core and small helpers shared by the scenarios.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createQueues, kitchenLockKey, type QueueSet } from "@occ/core";
import { type RunningSimulator, type SimProperty, startSimulator } from "@occ/newbook-sim";
import { createTestDatabase, deleteKeysUnder, freePort, SimControl, type TestDatabase } from "@occ/testkit";
import type { AxeResults } from "axe-core";
import IORedis from "ioredis";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

export const ROOT = path.resolve(__dirname, "..", "..");
export const SCREENSHOT_DIR = path.join(ROOT, "test-artifacts", "screenshots");
const LOG_DIR = path.join(ROOT, "test-artifacts", "logs");
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export const ADMIN_EMAIL = "admin@e2e.test";
export const ADMIN_PASSWORD = "admin-password-e2e";
export const MANAGER_PASSWORD = "manager-password-e2e";

/** One "minute" of sync intervals in these tests: a 5-minute interval fires every second. */
export const SYNC_MINUTE_MS = 200;

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

interface ManagedProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

function startProcess(name: string, script: string, env: NodeJS.ProcessEnv): ManagedProcess {
  const entry = path.join(ROOT, script);
  if (!existsSync(entry)) throw new Error(`${script} is missing: build first (npm run build)`);
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 2000) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    name,
    child,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ApiCall {
  method?: string;
  token?: string;
  body?: unknown;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Stack {
  apiUrl: string;
  sim: RunningSimulator;
  db: TestDatabase;
  queues: QueueSet;
  prefix: string;
  adminToken: string;
  api<T = unknown>(pathname: string, call?: ApiCall): Promise<ApiResponse<T>>;
  login(email: string, password: string): Promise<string>;
  /** A kitchen for a simulator property, with a manager and (unless `connect: false`) a Newbook connection. */
  createKitchen(
    property: SimProperty,
    opts?: { enabled?: boolean; connect?: boolean },
  ): Promise<KitchenFixture>;
  /** The same session as `token`, signed by the API's key but expired an hour ago. */
  expiredToken(token: string): string;
  /** POST to the simulator's control API. */
  simControl(pathname: string, method: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export interface KitchenFixture {
  id: number;
  name: string;
  timezone: string;
  managerEmail: string;
  managerToken: string;
  property: SimProperty;
}

export interface StackOptions {
  timezones?: string[];
  rooms?: number;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (!existsSync(path.join(ROOT, "apps/admin-ui/dist/index.html"))) {
    throw new Error("apps/admin-ui/dist is missing: run `npm run build -w apps/admin-ui` first");
  }
  const tag = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const prefix = `e2e-ui-${tag}`;
  const db = await createTestDatabase("occ_e2e_ui");
  const sim = await startSimulator({
    properties: opts.timezones?.length ?? 4,
    ...(opts.timezones ? { timezones: opts.timezones } : {}),
    rooms: opts.rooms ?? 20,
    throttlePerMinute: 100_000,
  });
  const [apiPort, apiMetricsPort, workerMetricsPort] = [await freePort(), await freePort(), await freePort()];
  const jwtSecret = randomBytes(32).toString("hex");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    JWT_SECRET: jwtSecret,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SYNC_MINUTE_MS: String(SYNC_MINUTE_MS),
    JOB_BACKOFF_MS: "100",
    NEWBOOK_RATE_LIMIT: "10000",
    NEWBOOK_RETRY_BASE_MS: "10",
    NEWBOOK_RETRY_MAX_TOTAL_MS: "2000",
    NEWBOOK_TIMEOUT_MS: "5000",
    // The simulator listens on loopback, which only an explicit entry allows.
    NEWBOOK_ALLOWED_HOSTS: "127.0.0.1",
    UI_DIST_DIR: path.join(ROOT, "apps/admin-ui/dist"),
  };
  const api = startProcess("api", "apps/api/dist/main.js", {
    ...env,
    API_HOST: "127.0.0.1",
    API_PORT: String(apiPort),
    METRICS_PORT: String(apiMetricsPort),
  });
  const worker = startProcess("worker", "apps/worker/dist/main.js", {
    ...env,
    METRICS_PORT: String(workerMetricsPort),
  });
  const processes = [api, worker];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const queues = createQueues({ redis: REDIS_URL, prefix });

  const stop = async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
    mkdirSync(LOG_DIR, { recursive: true });
    for (const p of processes)
      writeFileSync(path.join(LOG_DIR, `${prefix}-${p.name}.log`), p.output.join(""));
    await queues.close().catch(() => undefined);
    await deleteRedisKeys(prefix);
    await sim.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
  };

  const call = async <T>(pathname: string, c: ApiCall = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    if (c.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${apiUrl}${pathname}`, {
      method: c.method ?? (c.body === undefined ? "GET" : "POST"),
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  };

  const login = async (email: string, password: string) => {
    const res = await call<{ access_token: string }>("/api/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token;
  };

  const expectOk = <T>(what: string, res: ApiResponse<T>): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  let adminToken: string;
  try {
    await waitFor(
      "the API to be ready",
      async () => {
        for (const p of processes) {
          if (p.child.exitCode !== null) {
            throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output.join("").slice(-3000)}`);
          }
        }
        const res = await fetch(`${apiUrl}/readyz`);
        return res.ok;
      },
      { timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      const logs = processes.map((p) => `--- ${p.name}\n${p.output.join("").slice(-3000)}`).join("\n");
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
    });
    adminToken = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  } catch (error) {
    // Nothing may outlive a failed start: the processes would keep Jest (and ports) busy.
    await stop();
    throw error;
  }

  let kitchensCreated = 0;
  const createKitchen = async (
    property: SimProperty,
    kitchenOpts: { enabled?: boolean; connect?: boolean } = {},
  ) => {
    kitchensCreated += 1;
    const kitchen = expectOk(
      "create kitchen",
      await call<{ id: number; name: string; timezone: string }>("/api/admin/kitchens", {
        token: adminToken,
        body: { name: `${property.name} Kitchen ${kitchensCreated}`, timezone: property.timezone },
      }),
    );
    const managerEmail = `manager-${kitchen.id}-${tag}@e2e.test`;
    expectOk(
      "create manager",
      await call("/api/admin/users", {
        token: adminToken,
        body: { email: managerEmail, password: MANAGER_PASSWORD, role: "manager", kitchen_id: kitchen.id },
      }),
    );
    const managerToken = await login(managerEmail, MANAGER_PASSWORD);
    if (kitchenOpts.connect === false) return { ...kitchen, managerEmail, managerToken, property };
    // Save the settings first so the connection does not start a schedule the scenario did not ask for.
    expectOk(
      "frequent-sync settings",
      await call("/api/settings/newbook-frequent-sync", {
        method: "PATCH",
        token: managerToken,
        body: { is_enabled: kitchenOpts.enabled ?? false },
      }),
    );
    expectOk(
      "save connection",
      await call("/api/settings/newbook-connection", {
        method: "PUT",
        token: managerToken,
        body: {
          base_url: sim.baseUrl,
          region: property.region,
          username: property.username,
          password: property.password,
          api_key: property.apiKey,
        },
      }),
    );
    return { ...kitchen, managerEmail, managerToken, property };
  };

  const control = new SimControl(sim.controlUrl);
  const simControl = (pathname: string, method: string, body?: unknown) =>
    control.request<unknown>(method, pathname, body);

  const expiredToken = (token: string) => {
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as object;
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ ...claims, iat: now - 7200, exp: now - 3600 })}`;
    return `${unsigned}.${createHmac("sha256", jwtSecret).update(unsigned).digest("base64url")}`;
  };

  return {
    apiUrl,
    sim,
    db,
    queues,
    prefix,
    adminToken,
    api: call,
    login,
    createKitchen,
    expiredToken,
    simControl,
    stop,
  };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * Holds a kitchen's sync lock as a run would that has not written its row yet (a schedule tick picked up a
 * moment before), until `release`.
 */
export async function holdKitchenLock(
  prefix: string,
  kitchenId: number,
): Promise<{ release(): Promise<void> }> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const key = kitchenLockKey(prefix, kitchenId);
  const holder = randomUUID();
  // Taken only when free: overwriting a real run's lock would make that run lose it.
  await waitFor(
    "the kitchen lock to be free",
    async () => (await redis.set(key, holder, "PX", 120_000, "NX")) === "OK",
  );
  return {
    release: async () => {
      await redis.del(key);
      redis.disconnect();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
}

/** A test file's running stack and browser, with the tabs and fixtures its scenarios start from. */
export interface BrowserEnv {
  stack: Stack;
  browser: Browser;
  /** A tab in UTC while the kitchens are elsewhere, so kitchen-timezone formatting is really exercised. */
  openTab(width?: number, height?: number): Promise<Tab>;
  /** A tab signed in as the kitchen's manager, on the dashboard. */
  asManager(kitchen: KitchenFixture, width?: number, height?: number): Promise<Tab>;
  /** A tab signed in as the first admin, on the dashboard. */
  asAdmin(width?: number, height?: number): Promise<Tab>;
  /** The simulator's property `index` (one per zone the stack was started with). */
  property(index: number): SimProperty;
}

/**
 * A test file's stack and browser: started before its tests (the stack first, so a browser that cannot
 * start still lets afterAll stop the stack) and stopped after them. Use its members inside tests only.
 */
export function useBrowserStack(opts: StackOptions = {}): BrowserEnv {
  const env: BrowserEnv = {
    stack: undefined as unknown as Stack,
    browser: undefined as unknown as Browser,
    async openTab(width = 1280, height = 900) {
      const context = await env.browser.newContext({ viewport: { width, height }, timezoneId: "UTC" });
      return { context, page: await context.newPage() };
    },
    async asManager(kitchen, width, height) {
      const tab = await env.openTab(width, height);
      await signIn(tab.page, env.stack.apiUrl, kitchen.managerEmail, MANAGER_PASSWORD);
      return tab;
    },
    async asAdmin(width, height) {
      const tab = await env.openTab(width, height);
      await signIn(tab.page, env.stack.apiUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
      return tab;
    },
    property(index) {
      const property = env.stack.sim.properties[index];
      if (!property) throw new Error(`the simulator has no property ${index}`);
      return property;
    },
  };
  beforeAll(async () => {
    env.stack = await startStack(opts);
    env.browser = await launchBrowser();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.stop();
  });
  return env;
}

/** Waits until the element's text contains `text` (or matches it). */
export async function expectText(locator: Locator, text: string | RegExp, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `text ${text}`,
    async () => {
      const content = (await locator.textContent()) ?? "";
      return typeof text === "string" ? content.includes(text) : text.test(content);
    },
    { timeoutMs },
  );
}

/**
 * The labels of a select's options once it has any: allTextContents() reads the page as it is at that
 * instant, so right after a navigation it can read a form that has not rendered yet (an empty list).
 */
export async function optionLabels(select: Locator): Promise<string[]> {
  await select.locator("option").first().waitFor({ state: "attached" });
  return select.locator("option").allTextContents();
}

/** How far the page scrolls sideways (0 when it fits): wide tables scroll inside their own region instead. */
export function sideScroll(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // No chart tooltip left open by the last click.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the login form and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
}

/** One axe-core finding as the checks report it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.x A/AA rules, colour contrast included) on the page as it is now and returns the
 * serious and critical violations, each with the elements it found; the scenarios expect none. axe's
 * source is injected into the page, so nothing is installed in the browser.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
  // Evaluated in the page, where the injected source defined `axe`.
  const result = await page.evaluate<AxeResults>(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(tags)} }, resultTypes: ["violations"] })`,
  );
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    targets: v.nodes.map((n) => `${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`),
  }));
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Fails with every serious/critical axe-core finding of the page named `where`. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const found = await seriousAxeViolations(page);
  if (found.length === 0) return;
  const lines = found.map((v) => `- ${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join("\n    ")}`);
  throw new Error(`${where}: ${found.length} serious/critical accessibility violations\n${lines.join("\n")}`);
}
