/**
 * The admin UI in Chromium against the real stack (built API serving the built UI, a worker, PostgreSQL,
 * Redis, the Newbook simulator). Each scenario uses a kitchen of its own so they cannot disturb each other.
 */
import { schedulerIdFor } from "@occ/core";
import type { Page } from "playwright-core";
import {
  ADMIN_EMAIL,
  expectText,
  holdKitchenLock,
  type KitchenFixture,
  MANAGER_PASSWORD,
  optionLabels,
  SYNC_MINUTE_MS,
  screenshot,
  sideScroll,
  useBrowserStack,
  waitFor,
} from "./harness";

jest.setTimeout(180_000);

/** One simulator property per zone; the browser runs in UTC, so none of them may be UTC-like for long. */
const TIMEZONES = ["Australia/Sydney", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "Pacific/Auckland"];

interface OccupancyDay {
  date: string;
  rooms_occupied: number;
  guests: number;
  arrivals: number;
  departures: number;
  breakfast_covers: number;
  dinner_covers: number;
}

interface Settings {
  is_enabled: boolean;
  sync_interval_minutes: number;
  last_sync_status: string | null;
  last_sync_at: string | null;
  consecutive_failures: number;
  last_error_message: string | null;
  schedule_off_reason: string | null;
}

const env = useBrowserStack({ timezones: TIMEZONES });

async function getSettings(kitchen: KitchenFixture): Promise<Settings> {
  const res = await env.stack.api<Settings>("/api/settings/newbook-frequent-sync", {
    token: kitchen.managerToken,
  });
  return res.body;
}

/** A kitchen syncing on its own every 5 minutes, once its first sync has succeeded. */
async function syncingKitchen(propertyIndex: number): Promise<KitchenFixture> {
  const kitchen = await env.stack.createKitchen(env.property(propertyIndex), { enabled: true });
  await env.stack.api("/api/settings/newbook-frequent-sync", {
    method: "PATCH",
    token: kitchen.managerToken,
    body: { sync_interval_minutes: 5 },
  });
  await waitFor(
    "a first successful sync",
    async () => (await getSettings(kitchen)).last_sync_status === "success",
  );
  return kitchen;
}

async function getOccupancy(kitchen: KitchenFixture): Promise<{ today: string; days: OccupancyDay[] }> {
  const today = (await env.stack.api<{ today: string }>("/api/occupancy", { token: kitchen.managerToken }))
    .body.today;
  const to = new Date(`${today}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 6);
  const res = await env.stack.api<{ today: string; days: OccupancyDay[] }>(
    `/api/occupancy?from=${today}&to=${to.toISOString().slice(0, 10)}`,
    { token: kitchen.managerToken },
  );
  return res.body;
}

/** The dashboard table as {date: {field: number}} read from the DOM. */
async function readOccupancyTable(page: Page): Promise<Record<string, Record<string, number>>> {
  const table: Record<string, Record<string, number>> = {};
  for (const row of await page.locator("[data-testid=occupancy-table] tbody tr").all()) {
    const cells: Record<string, number> = {};
    for (const cell of await row.locator("td[data-field]").all()) {
      // The figure leads the cell ("12" of "12 / 20").
      cells[(await cell.getAttribute("data-field")) ?? ""] = Number.parseInt(
        (await cell.textContent()) ?? "",
        10,
      );
    }
    table[(await row.getAttribute("data-date")) ?? ""] = cells;
  }
  return table;
}

const FIELDS = [
  "rooms_occupied",
  "guests",
  "arrivals",
  "departures",
  "breakfast_covers",
  "dinner_covers",
] as const;

describe("admin UI", () => {
  it("signs in with clear errors and shows the kitchen's name and timezone", async () => {
    const kitchen = await env.stack.createKitchen(env.property(0));
    const { context, page } = await env.openTab();
    try {
      await page.goto(`${env.stack.apiUrl}/`);
      await page.waitForURL(/\/login$/);
      await page.getByLabel("Email").fill(kitchen.managerEmail);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expectText(page.getByTestId("login-error"), "Email or password is incorrect.");
      await screenshot(page, "login-error");

      await page.getByLabel("Password").fill(MANAGER_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      const header = await page.getByTestId("kitchen-name").textContent();
      expect(header).toContain(kitchen.name);
      expect(header).toContain(kitchen.timezone);
      // Managers get no Ops link.
      expect(await page.getByRole("link", { name: "Ops" }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("tests the Newbook connection, fills the GL pickers and keeps secrets write-only", async () => {
    const kitchen = await env.stack.createKitchen(env.property(3));
    const { context, page } = await env.asManager(kitchen);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      await expectText(page.locator("label[for=nb-password]"), "saved");
      await expect(page.getByLabel("Password", { exact: false }).first().inputValue()).resolves.toBe("");

      // Unsaved values are tested as typed: a wrong password gives the reason.
      await page.locator("#nb-password").fill("definitely-wrong");
      await page.getByRole("button", { name: "Test connection" }).click();
      await expectText(page.getByTestId("connection-test-result"), "Connection failed:");

      await page.locator("#nb-password").fill("");
      await page.getByRole("button", { name: "Test connection" }).click();
      await expectText(
        page.getByTestId("connection-test-result"),
        `Connected: ${kitchen.property.rooms} rooms`,
      );
      const options = page.locator("#nb-breakfast-gl option");
      expect(await options.count()).toBeGreaterThan(0);
      const first = (await options.first().getAttribute("value")) ?? "";
      await page.locator("#nb-breakfast-gl").selectOption([first]);
      await page.getByRole("button", { name: "Save connection" }).click();
      await waitFor("the GL mapping to be saved", async () => {
        const res = await env.stack.api<{ breakfast_gl_account_ids: string[] }>(
          "/api/settings/newbook-connection",
          {
            token: kitchen.managerToken,
          },
        );
        return res.body.breakfast_gl_account_ids.includes(first);
      });
      await screenshot(page, "settings-connection");

      // An invalid base URL comes back as a message next to that field.
      await page.getByText("Advanced").click();
      await page.locator("#nb-base-url").fill("not a url");
      await page.getByRole("button", { name: "Save connection" }).click();
      await expectText(page.locator("#nb-base-url-error"), "base_url must be an http(s) URL");
    } finally {
      await context.close();
    }
  });

  it("saves the interval, and the BullMQ job scheduler follows it", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1));
    const { context, page } = await env.asManager(kitchen);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      const interval = page.getByLabel("Sync Interval");
      // Not synced yet (nothing runs before sync is enabled), so the room count the recommendation follows
      // is unknown: none is marked. Read before enabling: the first sync starts at once and may finish
      // before the options are read, and then one is marked (settings-form.e2e checks that case).
      expect(await optionLabels(interval)).toEqual([
        "Every 5 minutes",
        "Every 10 minutes",
        "Every 15 minutes",
        "Every 30 minutes",
        "Every 60 minutes",
      ]);
      const enable = page.getByLabel("Enable automatic frequent sync");
      await enable.check();
      await waitFor("sync to be enabled", async () => (await getSettings(kitchen)).is_enabled);
      await interval.selectOption({ label: "Every 30 minutes" });
      await waitFor(
        "the interval to be saved",
        async () => (await getSettings(kitchen)).sync_interval_minutes === 30,
      );
      await expectText(page.getByTestId("frequent-sync-save-status"), "Saved");

      const scheduler = await env.stack.queues.frequent.getJobScheduler(schedulerIdFor(kitchen.id));
      expect(Number(scheduler?.every)).toBe(30 * SYNC_MINUTE_MS);

      // Still there after a reload: it came from the server, not from the form's state.
      await page.reload();
      await expect(page.getByLabel("Sync Interval").inputValue()).resolves.toBe("30");

      // A value out of range is refused next to the field, in the page's words.
      const days = page.getByLabel("Days Ahead");
      await days.fill("45");
      await days.press("Enter");
      await expectText(page.locator("#days-ahead-error"), "Days ahead must be 1-30");
      await screenshot(page, "settings-validation");

      await enable.uncheck();
      await waitFor("the scheduler to be removed", async () => {
        const gone = await env.stack.queues.frequent.getJobScheduler(schedulerIdFor(kitchen.id));
        return gone === undefined || gone === null;
      });
    } finally {
      await context.close();
    }
  });

  it("Sync now turns the widget green and fills the 7-day table with the synced figures", async () => {
    const kitchen = await env.stack.createKitchen(env.property(2), { enabled: true });
    const { context, page } = await env.asManager(kitchen);
    try {
      const widget = page.getByTestId("sync-status-widget");
      // A run that took the kitchen a moment before the click and has not recorded itself yet: the click's
      // run waits for it, saying so, instead of ending as "skipped".
      const lock = await holdKitchenLock(env.stack.prefix, kitchen.id);
      try {
        await widget.getByRole("button", { name: "Sync now" }).click();
        await expectText(
          widget.locator("[data-run-status=queued]"),
          "Waiting for the sync already running for this kitchen to finish",
        );
        await screenshot(page, "sync-now-waiting");
        // On a tablet and a phone the waiting line wraps inside the status card, which fits the screen.
        for (const width of [768, 390]) {
          await page.setViewportSize({ width, height: 900 });
          const box = await widget.boundingBox();
          expect(box !== null && box.x >= 0 && box.x + box.width <= width).toBe(true);
          await screenshot(page, `sync-now-waiting-${width}`);
        }
        await page.setViewportSize({ width: 1280, height: 900 });
      } finally {
        await lock.release();
      }
      await page.locator("[data-run-status=success]").waitFor({ timeout: 60_000 });
      await page.locator("[data-testid=sync-status-badge][data-tone=green]").waitFor({ timeout: 30_000 });

      const api = await getOccupancy(kitchen);
      expect(api.days).toHaveLength(7);
      await page.locator("[data-testid=occupancy-table] tbody tr").nth(6).waitFor();
      const table = await readOccupancyTable(page);
      for (const day of api.days) {
        for (const field of FIELDS)
          expect({ date: day.date, field, value: table[day.date]?.[field] }).toEqual({
            date: day.date,
            field,
            value: day[field],
          });
      }
      expect(api.days.some((d) => d.guests > 0)).toBe(true);

      // "3 min ago" with the exact time on hover, in the kitchen's zone rather than the browser's (UTC).
      const lastSync = page.getByTestId("last-sync").locator("time");
      const iso = (await lastSync.getAttribute("datetime")) ?? "";
      const title = await lastSync.getAttribute("title");
      // The clock part of "24 Nov 2025, 14:03:12" is the kitchen's wall clock, not the browser's.
      const wallClock = (timeZone: string) =>
        new Date(iso).toLocaleTimeString("en-GB", { timeZone, hourCycle: "h23" });
      expect(title).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2}$/);
      expect(title?.endsWith(`, ${wallClock(kitchen.timezone)}`)).toBe(true);
      expect(title?.endsWith(`, ${wallClock("UTC")}`)).toBe(false);
      expect(await lastSync.textContent()).toMatch(/just now|min ago/);
      await screenshot(page, "dashboard");

      await page.getByRole("link", { name: "Residents" }).click();
      await page.locator("[data-testid=residents-table] .stay").first().waitFor();
      await screenshot(page, "residents");
      const firstNight = async () =>
        page.locator("[data-testid=residents-table] thead th").nth(1).textContent();
      const thisWeek = await firstNight();
      await page.getByRole("button", { name: "Next week →" }).click();
      await waitFor("the next week", async () => (await firstNight()) !== thisWeek);
      await page.getByRole("button", { name: "← Previous week" }).click();
      await waitFor("this week again", async () => (await firstNight()) === thisWeek);

      await page.getByRole("link", { name: "Sync history" }).click();
      await page.locator("[data-testid=sync-runs-table] tbody tr").first().waitFor();
      // Each run says how it read Newbook; a kitchen's first run (the oldest shown) reads the window whole.
      const reads = await page.getByTestId("run-read").allTextContents();
      expect(reads.at(-1)).toBe("whole window");
      expect(reads.filter((read) => !["whole window", "changes only", "—"].includes(read))).toEqual([]);
      await page.locator(".recharts-surface").first().waitFor();
      await screenshot(page, "sync-history");
      // On a phone the history table scrolls sideways inside its own box, the Read column with it; the
      // page itself stays as wide as the screen.
      const phone = await env.asManager(kitchen, 390);
      try {
        await phone.page.getByRole("link", { name: "Sync history" }).click();
        await phone.page.getByTestId("run-read").first().waitFor();
        expect(await sideScroll(phone.page)).toBe(0);
        await screenshot(phone.page, "sync-history-390");
      } finally {
        await phone.context.close();
      }
    } finally {
      await context.close();
    }
  });

  it("a booking added in Newbook appears after the next sync, highlighted as a change", async () => {
    const kitchen = await syncingKitchen(3);
    const before = await getOccupancy(kitchen);
    const today = before.days[0];
    if (!today) throw new Error("no occupancy for today");

    const { context, page } = await env.asManager(kitchen);
    try {
      await page.locator(`[data-testid=occupancy-table] tr[data-date="${today.date}"]`).waitFor();
      const tomorrow = new Date(`${today.date}T00:00:00Z`);
      tomorrow.setUTCDate(tomorrow.getUTCDate() + 2);
      await env.stack.simControl(`/properties/${kitchen.property.id}/bookings`, "POST", {
        arrival: today.date,
        departure: tomorrow.toISOString().slice(0, 10),
        adults: 2,
        children: 1,
        meals: "bb",
      });

      // No reload: the dashboard refreshes itself.
      const guestsCell = page.locator(
        `[data-testid=occupancy-table] tr[data-date="${today.date}"] td[data-field=guests]`,
      );
      await guestsCell.and(page.locator(".cell-changed")).waitFor({ timeout: 60_000 });
      const title = await guestsCell.getAttribute("title");
      expect(title).toContain(`${today.guests} -> ${today.guests + 3}`);
      expect(Number.parseInt((await guestsCell.textContent()) ?? "", 10)).toBe(today.guests + 3);
      await screenshot(page, "dashboard-changed");
    } finally {
      await context.close();
    }
  });

  it("rejected credentials pause the schedule at the first failure, say what to do, and Sync now heals", async () => {
    const kitchen = await syncingKitchen(4);
    await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "POST", { type: "http401" });

    const { context, page } = await env.asManager(kitchen);
    try {
      await page.locator("[data-testid=sync-status-badge][data-tone=red]").waitFor({ timeout: 60_000 });
      // Not an outage: one failure pauses the schedule (no back-off retries with a rejected login).
      await waitFor(
        "the paused schedule",
        async () => (await getSettings(kitchen)).schedule_off_reason === "credentials_rejected",
        { timeoutMs: 60_000 },
      );
      await page.reload();
      expect(await page.getByTestId("consecutive-failures").textContent()).toMatch(/1 consecutive failure$/);
      await expectText(page.getByTestId("schedule-paused"), "update it in Settings");
      expect(await page.getByTestId("last-error").textContent()).toMatch(/Newbook rejected the login/);
      await screenshot(page, "dashboard-failed");

      await page.getByRole("link", { name: "Settings", exact: true }).click();
      await expectText(page.getByTestId("sync-status-box"), "consecutive failure");
      await screenshot(page, "settings-failed");

      await page.getByRole("link", { name: "Sync history" }).click();
      await page.getByLabel("Outcome").selectOption("failed");
      const rows = page.locator("[data-testid=sync-runs-table] tbody tr");
      await waitFor("only failed runs listed", async () => {
        const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-status")));
        return statuses.length >= 1 && statuses.every((s) => s === "failed");
      });
      await screenshot(page, "sync-history-failed");

      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "DELETE");
      await page.getByRole("link", { name: "Dashboard" }).click();
      await page.getByRole("button", { name: "Sync now" }).click();
      await page.locator("[data-testid=sync-status-badge][data-tone=green]").waitFor({ timeout: 60_000 });
      expect(await page.getByTestId("consecutive-failures").count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("a historical sync's progress bar follows the job to 100 %, with Resume after a failure", async () => {
    const kitchen = await env.stack.createKitchen(env.property(0));
    const { context, page } = await env.asManager(kitchen);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      const from = page.getByLabel("From", { exact: true });
      const to = page.getByLabel("To", { exact: true });
      const end = await to.inputValue();
      const start = new Date(`${end}T00:00:00Z`);
      start.setUTCDate(start.getUTCDate() - 75);

      // First attempt fails on bad credentials, and can be resumed once they are fixed.
      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "POST", { type: "http401" });
      await from.fill(start.toISOString().slice(0, 10));
      await page.getByRole("button", { name: "Start historical sync" }).click();
      await page.locator("[data-testid=historical-job][data-state=failed]").waitFor({ timeout: 60_000 });
      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "DELETE");
      await page.getByRole("button", { name: "Resume" }).click();

      const done = page.locator("[data-testid=historical-job][data-state=success]");
      await done.waitFor({ timeout: 60_000 });
      const bar = done.getByRole("progressbar", { name: "Historical sync progress (days)" });
      await expect(bar.getAttribute("aria-valuenow")).resolves.toBe("100");
      await expectText(done, `Started by ${kitchen.managerEmail}`);
      await expectText(page.locator("[data-testid=historical-job][data-state=failed]"), "Resumed.");
      await screenshot(page, "settings-historical");

      // The list lives on the server: another device (a new browser context) and the admin, through the
      // kitchen switcher, see the same syncs, with no "Sync job not found".
      const other = await env.asManager(kitchen, 390);
      try {
        await other.page.getByRole("link", { name: "Settings", exact: true }).click();
        await other.page.locator("[data-testid=historical-job][data-state=success]").waitFor();
        await screenshot(other.page, "settings-historical-390");
      } finally {
        await other.context.close();
      }
      // The admin starts one in another kitchen, then switches to this one in the same tab: the page
      // used to follow the other kitchen's job here and say "Sync job not found".
      const elsewhere = await env.stack.createKitchen(env.property(1), { enabled: false });
      const admin = await env.asAdmin(768);
      try {
        const picker = admin.page.getByRole("combobox", { name: "Kitchen" });
        await picker.selectOption(String(elsewhere.id));
        await admin.page.getByRole("link", { name: "Settings", exact: true }).click();
        await admin.page.getByRole("button", { name: "Start historical sync" }).click();
        await admin.page.locator("[data-testid=historical-job]").first().waitFor();
        await expectText(
          admin.page.locator("[data-testid=historical-job]").first(),
          `Started by ${ADMIN_EMAIL}`,
        );
        await picker.selectOption(String(kitchen.id));
        const theirs = admin.page.locator("[data-testid=historical-job][data-state=success]");
        await theirs.waitFor();
        await expectText(theirs, `Started by ${kitchen.managerEmail}`);
        expect(await admin.page.locator("[data-testid=historical-job]").count()).toBe(2);
        expect(await admin.page.getByText("not found").count()).toBe(0);
        await screenshot(admin.page, "settings-historical-admin-768");
      } finally {
        await admin.context.close();
      }
    } finally {
      await context.close();
    }
  });

  it("ops: admins see every kitchen and open Bull Board; a manager gets 403", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1));
    const denied = await env.stack.api("/api/admin/queues-session", {
      method: "POST",
      token: kitchen.managerToken,
    });
    expect(denied.status).toBe(403);
    const anonymous = await fetch(`${env.stack.apiUrl}/admin/queues`);
    expect([401, 403]).toContain(anonymous.status);

    const manager = await env.asManager(kitchen);
    try {
      await manager.page.goto(`${env.stack.apiUrl}/ops`);
      await expectText(manager.page.locator("main"), "This page is for administrators.");
      await manager.page.goto(`${env.stack.apiUrl}/admin/queues`);
      await manager.page.waitForURL(/\/open-queues$/);
      await expectText(manager.page.locator("main"), "The queue dashboard is for administrators.");
    } finally {
      await manager.context.close();
    }

    const { context, page } = await env.asAdmin();
    try {
      await page.getByRole("link", { name: "Ops" }).click();
      const rows = page.locator("[data-testid=kitchens-health] tbody tr");
      await rows.first().waitFor();
      const listed = await env.stack.api<{ kitchens: unknown[]; total: number }>(
        "/api/admin/kitchens/health",
        {
          token: env.stack.adminToken,
        },
      );
      expect(await rows.count()).toBe(listed.body.kitchens.length);
      await expectText(page.getByTestId("pager-status"), `of ${listed.body.total}`);
      // The state counts say when they were counted (shared across requests for a few seconds).
      const asOf = page.getByTestId("counts-as-of");
      await expectText(asOf, "Counts as of");
      expect(await asOf.textContent()).toMatch(/^Counts as of \d\d:\d\d:\d\d, (just now|\d{1,2} s ago)$/);
      const countedAt = Date.parse((await asOf.locator("time").getAttribute("datetime")) ?? "");
      expect(Date.now() - countedAt).toBeLessThan(60_000);
      // The fleet at a glance: the stack's worker by host and pid, queues, and the simulator's credentials.
      const fleet = await env.stack.api<{ workers: Array<{ host: string; pid: number }> }>(
        "/api/admin/fleet",
        {
          token: env.stack.adminToken,
        },
      );
      expect(fleet.body.workers.length).toBeGreaterThan(0);
      const workers = page.getByTestId("fleet-workers");
      await expectText(workers, fleet.body.workers[0]!.host);
      await expectText(workers, String(fleet.body.workers[0]!.pid));
      await expectText(page.getByTestId("fleet-queues"), "frequent-sync");
      await screenshot(page, "ops");
      for (const width of [390, 768]) {
        const narrow = await env.asAdmin(width);
        try {
          await narrow.page.goto(`${env.stack.apiUrl}/ops`);
          await narrow.page.getByTestId("fleet-workers").waitFor();
          await screenshot(narrow.page, `ops-${width}`);
        } finally {
          await narrow.context.close();
        }
      }
      // Search narrows the list on the server.
      await page.getByRole("searchbox").fill(kitchen.name);
      await page.locator(`[data-testid=kitchens-health] tbody tr[data-kitchen-id="${kitchen.id}"]`).waitFor();
      await expectText(page.getByTestId("pager-status"), "of 1 ");
      await screenshot(page, "ops-search");
      await page.getByRole("searchbox").fill("");

      const [popup] = await Promise.all([
        page.waitForEvent("popup"),
        page.getByRole("button", { name: "Open Bull Board" }).click(),
      ]);
      await popup.waitForURL(/\/admin\/queues/);
      await popup.waitForLoadState("load");
      const response = await popup.reload();
      expect(response?.status()).toBe(200);
      // Bull Board's own API answers with the session cookie too: the queues get listed.
      await popup.getByText("frequent-sync").first().click();
      await popup.getByText("Completed", { exact: false }).first().waitFor();
      await screenshot(popup, "bull-board");
      await popup.close();

      // An admin looks into one kitchen: its dashboard, its timezone, its data (?kitchen_id=).
      const row = page.locator(`[data-testid=kitchens-health] tr[data-kitchen-id="${kitchen.id}"]`);
      await row.getByRole("button").click();
      await page.getByTestId("sync-status-widget").waitFor();
      await expectText(page.getByTestId("kitchen-name"), `${kitchen.name} · ${kitchen.timezone}`);
    } finally {
      await context.close();
    }
  });

  it("admin: creates and edits kitchens and users in the page's words; a direct board link works", async () => {
    const { context, page } = await env.asAdmin();
    try {
      await page.getByRole("link", { name: "Kitchens & users" }).click();
      await page.getByRole("heading", { level: 1, name: "Kitchens & users" }).waitFor();

      // The page's own words for a bad form, before anything reaches the API.
      await page.locator("#new-kitchen-timezone").fill("Mars/Olympus");
      await page.getByRole("button", { name: "Create kitchen" }).click();
      await expectText(page.locator("main"), "Give the kitchen a name.");
      await expectText(page.locator("main"), "Pick the kitchen's time zone from the list");
      await screenshot(page, "admin-kitchen-invalid");
      const name = `Harbour ${Date.now()}`;
      await page.locator("#new-kitchen-name").fill(name);
      await page.locator("#new-kitchen-timezone").fill("Europe/Berlin");
      await page.getByRole("button", { name: "Create kitchen" }).click();
      const row = page.locator("[data-testid=admin-kitchens] tr", { hasText: name });
      await row.waitFor();
      await row.getByRole("button", { name: "Edit" }).click();
      await row.locator("input[id$=-timezone]").fill("Asia/Tokyo");
      await row.getByRole("button", { name: "Save" }).click();
      await expectText(row, "Asia/Tokyo");

      // A manager of the new kitchen; a taken e-mail is said in words.
      const email = `chef-${Date.now()}@example.com`;
      await page.locator("#new-user-email").fill(email);
      await page.locator("#new-user-password").fill("a-long-password-1");
      await page.locator("#new-user-kitchen").selectOption({ label: name });
      await page.getByRole("button", { name: "Create user" }).click();
      const userRow = page.locator("[data-testid=admin-users] tr", { hasText: email });
      await userRow.waitFor();
      await page.locator("#new-user-email").fill(email);
      await page.locator("#new-user-password").fill("a-long-password-1");
      await page.locator("#new-user-kitchen").selectOption({ label: name });
      await page.getByRole("button", { name: "Create user" }).click();
      await expectText(page.locator("main"), "Someone already uses this e-mail address.");

      const login = await fetch(`${env.stack.apiUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "a-long-password-1" }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      await userRow.getByRole("button", { name: "Deactivate" }).click();
      await expectText(userRow, "Deactivated");
      expect((await env.stack.api("/api/me", { token })).status).toBe(401);
      await screenshot(page, "admin-users");

      // A bookmarked board link: the admin UI opens a session and Bull Board comes up.
      await page.goto(`${env.stack.apiUrl}/admin/queues`);
      await page.waitForURL(/\/admin\/queues\/?$/);
      await page.getByText("frequent-sync").first().waitFor();
      await screenshot(page, "bull-board-direct");
    } finally {
      await context.close();
    }
  });

  it("is usable at tablet width (768 px)", async () => {
    const kitchen = await env.stack.createKitchen(env.property(2), { enabled: true });
    await env.stack.api("/api/newbook/frequent-sync/run", { method: "POST", token: kitchen.managerToken });
    await waitFor("a sync", async () => (await getSettings(kitchen)).last_sync_status === "success");
    const { context, page } = await env.asManager(kitchen, 768);
    try {
      for (const [link, name] of [
        ["Dashboard", "dashboard-768"],
        ["Settings", "settings-768"],
        ["Residents", "residents-768"],
      ] as const) {
        await page.getByRole("link", { name: link, exact: true }).click();
        await page.getByRole("heading", { level: 1, name: link }).waitFor();
        // Not "networkidle": the page keeps its live event stream open.
        await waitFor(
          "the page's data",
          async () => !((await page.locator("main").textContent()) ?? "").includes("Loading…"),
        );
        // Wide tables scroll inside their card; the page itself never scrolls sideways.
        const overflow = await sideScroll(page);
        expect({ page: link, overflow }).toEqual({ page: link, overflow: 0 });
        await screenshot(page, name);
      }
      // Keyboard: Tab reaches the navigation and shows a focus ring.
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      const outline = await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle");
      expect(outline).not.toBe("none");
    } finally {
      await context.close();
    }
  });
});
