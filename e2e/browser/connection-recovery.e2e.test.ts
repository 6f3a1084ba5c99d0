/**
 * What the pages say when things go wrong and how they heal: a connection save that tests first and
 * reconnects at once, a new kitchen without a connection, offline requests with Retry, an expired
 * session, and no serious accessibility violations (axe-core) on any page.
 */
import type { Page } from "playwright-core";
import {
  expectAccessible,
  expectText,
  type KitchenFixture,
  MANAGER_PASSWORD,
  screenshot,
  useBrowserStack,
  waitFor,
} from "./harness";

jest.setTimeout(400_000);

const TIMEZONES = ["Europe/Berlin", "Australia/Sydney", "America/New_York", "Pacific/Auckland"];

interface Settings {
  last_sync_status: string | null;
  consecutive_failures: number;
  schedule_off_reason: string | null;
}

const env = useBrowserStack({ timezones: TIMEZONES });

/** A link of the main navigation (pages link to Settings elsewhere too). */
const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

async function settingsOf(kitchen: KitchenFixture): Promise<Settings> {
  return (
    await env.stack.api<Settings>("/api/settings/newbook-frequent-sync", { token: kitchen.managerToken })
  ).body;
}

async function openAlerts(kitchen: KitchenFixture): Promise<{ kind: string }[]> {
  return (await env.stack.api<{ alerts: { kind: string }[] }>("/api/alerts", { token: kitchen.managerToken }))
    .body.alerts;
}

/** HH:MM of an instant in a zone, as the page writes clock times. */
function clock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" }).format(
    new Date(iso),
  );
}

/** Waits until the page has nothing left loading (no "Loading…" anywhere). */
async function settled(page: Page, heading: string | RegExp) {
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  await waitFor("the page to finish loading", async () => (await page.getByText("Loading…").count()) === 0);
}

describe("connection, errors, sessions and accessibility", () => {
  it("tests a changed connection before saving, saves rejected credentials only when confirmed, and reconnects at once", async () => {
    const kitchen = await env.stack.createKitchen(env.property(0), { enabled: true });
    await waitFor("a first sync", async () => (await settingsOf(kitchen)).last_sync_status === "success");
    // Newbook starts refusing the login: the kitchen fails and pauses.
    await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "POST", { type: "http401" });
    await waitFor(
      "the rejected login to pause the schedule",
      async () => (await settingsOf(kitchen)).schedule_off_reason === "credentials_rejected",
      { timeoutMs: 60_000 },
    );
    await waitFor("the rejected-login alert", async () =>
      (await openAlerts(kitchen)).some((a) => a.kind === "credentials_rejected"),
    );
    const before = (
      await env.stack.api<{ updated_at: string }>("/api/settings/newbook-connection", {
        token: kitchen.managerToken,
      })
    ).body.updated_at;

    const { context, page } = await env.asManager(kitchen);
    try {
      await nav(page, "Settings").click();
      await page.locator("#nb-password").fill("a-wrong-password");
      await page.getByRole("button", { name: "Save connection" }).click();
      // Newbook's answer comes first, and nothing is saved until the manager says so.
      await expectText(page.getByTestId("connection-rejected"), "Newbook did not accept these details");
      const unchanged = await env.stack.api<{ updated_at: string }>("/api/settings/newbook-connection", {
        token: kitchen.managerToken,
      });
      expect(unchanged.body.updated_at).toBe(before);
      await screenshot(page, "settings-connection-rejected");
      await expectAccessible(page, "settings with the rejected-connection question");

      await page.getByRole("button", { name: "Save anyway" }).click();
      await expectText(page.getByTestId("connection-after-save"), "Saved although Newbook did not accept it");
      await expectText(page.getByTestId("connection-after-save"), "Saved, but the sync failed", 120_000);
      await expectText(page.getByTestId("connection-untested-note"), "Automatic sync is off until");
      expect((await settingsOf(kitchen)).schedule_off_reason).toBe("connection_untested");

      // Newbook accepts the right password again: saving it tests, saves, syncs and heals at once.
      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "DELETE");
      await page.locator("#nb-password").fill(kitchen.property.password);
      await page.getByRole("button", { name: "Save connection" }).click();
      await expectText(page.getByTestId("connection-after-save"), "Newbook accepted the connection");
      await expectText(page.getByTestId("connection-synced"), "Connected again — synced", 120_000);
      const runs = await env.stack.api<{ runs: { status: string; finished_at: string }[] }>(
        "/api/newbook/sync-runs",
        { token: kitchen.managerToken },
      );
      const last = runs.body.runs.find((r) => r.status === "success")!;
      expect(await page.getByTestId("connection-synced").textContent()).toContain(
        `synced ${clock(last.finished_at, kitchen.timezone)}`,
      );
      expect(await openAlerts(kitchen)).toEqual([]);
      const settings = await settingsOf(kitchen);
      expect(settings).toMatchObject({ consecutive_failures: 0, schedule_off_reason: null });
      expect(await page.getByTestId("connection-untested-note").count()).toBe(0);
      for (const width of [390, 768, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await screenshot(page, `settings-connected-again-${width}`);
      }
    } finally {
      await context.close();
      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "DELETE");
    }
  });

  it("a new kitchen: region from its zone, Sync now off without a connection, automatic sync once it works", async () => {
    const kitchen = await env.stack.createKitchen(env.property(3), { connect: false });
    expect(kitchen.timezone).toBe("Pacific/Auckland");
    const { context, page } = await env.asManager(kitchen, 390);
    try {
      const syncNow = page.getByRole("button", { name: "Sync now" });
      await waitFor("Sync now to be disabled", async () => syncNow.isDisabled());
      await expectText(page.locator(".sync-now-status"), "Connect to Newbook in Settings first");
      await screenshot(page, "dashboard-not-connected-390");

      await nav(page, "Settings").click();
      await expect(page.locator("#nb-region").inputValue()).resolves.toBe("au");
      await expectText(page.locator("#nb-region-hint"), "Pacific/Auckland");
      await expectText(page.getByTestId("connection-untested-note"), "Automatic sync starts once");
      await screenshot(page, "settings-new-kitchen-390");
      await expectAccessible(page, "settings of a new kitchen (390 px)");

      await page.locator("#nb-username").fill(kitchen.property.username);
      await page.locator("#nb-password").fill(kitchen.property.password);
      await page.locator("#nb-api-key").fill(kitchen.property.apiKey);
      await page.getByText("Advanced").click();
      await page.locator("#nb-base-url").fill(env.stack.sim.baseUrl);
      await page.locator("#nb-region").selectOption(kitchen.property.region);
      await page.getByRole("button", { name: "Save connection" }).click();
      await expectText(page.getByTestId("connection-synced"), /^Connected — synced \d\d:\d\d$/, 120_000);
      await waitFor("the schedule", async () => (await settingsOf(kitchen)).schedule_off_reason === null);
      await waitFor("Sync now to be enabled", async () => syncNow.isEnabled());
    } finally {
      await context.close();
    }
  });

  it("offline or a failed request: a visible error with Retry, never Loading… or Saving… forever", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1));
    const { context, page } = await env.asManager(kitchen);
    try {
      await nav(page, "Settings").click();
      await settled(page, "Settings");

      // The API cannot be reached: every query of the next page says so and offers Retry.
      await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
      await nav(page, "Sync history").click();
      const retry = page.getByRole("button", { name: "Retry" });
      await waitFor(
        "errors with Retry, nothing left loading",
        async () => (await retry.count()) >= 2 && (await page.getByText("Loading…").count()) === 0,
      );
      expect(await page.getByText("Cannot reach the server").count()).toBeGreaterThanOrEqual(2);
      await screenshot(page, "sync-history-offline");
      await expectAccessible(page, "sync history offline");
      await page.unroute("**/api/**");
      // One Retry may bring the others' answers too (a refetch of the page): retry until none is left.
      await waitFor("every error retried away", async () => {
        if ((await retry.count()) > 0)
          await retry
            .first()
            .click({ timeout: 2_000 })
            .catch(() => undefined);
        return (await page.getByText("Cannot reach").count()) === 0 && (await retry.count()) === 0;
      });

      // Even the first request of a reload (who am I?) fails visibly and recovers with Retry.
      await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
      await page.reload();
      await retry.first().waitFor();
      await page.unroute("**/api/**");
      await retry.first().click();
      await settled(page, "Sync history");
      await nav(page, "Settings").click();
      await settled(page, "Settings");

      // A save that cannot get through says so (not "Saving…"), and Retry sends it again.
      await page.route("**/api/settings/newbook-connection", (route) =>
        route.request().method() === "PUT" ? route.abort("internetdisconnected") : route.continue(),
      );
      await page.getByRole("button", { name: "Save connection" }).click();
      await expectText(page.getByTestId("connection-save-status"), "Cannot reach the server");
      expect(await page.getByTestId("connection-save-status").textContent()).not.toContain("Saving");
      await page.unroute("**/api/settings/newbook-connection");
      await page.getByTestId("connection-save-status").getByRole("button", { name: "Retry" }).click();
      await expectText(page.getByTestId("connection-after-save"), "Saved", 60_000);

      // The browser itself offline: the dashboard fails at once rather than waiting for the network.
      await context.setOffline(true);
      await nav(page, "Dashboard").click();
      await waitFor("an error with Retry offline", async () => (await retry.count()) >= 1);
      expect(await page.getByText("Loading…").count()).toBe(0);
      await context.setOffline(false);
      await waitFor(
        "the dashboard back",
        async () => {
          if ((await retry.count()) > 0)
            await retry
              .first()
              .click({ timeout: 2_000 })
              .catch(() => undefined);
          return (await page.getByText("Cannot reach").count()) === 0;
        },
        { timeoutMs: 60_000 },
      );
    } finally {
      await context.close();
    }
  });

  it("an expired session returns the user to the page they were on after signing in", async () => {
    const kitchen = await env.stack.createKitchen(env.property(2));
    const { context, page } = await env.asManager(kitchen);
    try {
      await page.goto(`${env.stack.apiUrl}/residents`);
      await page.getByRole("heading", { name: "Residents", level: 1 }).waitFor();
      const token = await page.evaluate<string>("localStorage.getItem('occ.token')");
      await page.evaluate(
        `localStorage.setItem('occ.token', ${JSON.stringify(env.stack.expiredToken(token))})`,
      );
      await page.reload();
      await page.waitForURL(/\/login$/);
      await expectText(page.getByTestId("session-expired"), "Your session has expired");
      await page.getByLabel("Email").fill(kitchen.managerEmail);
      await page.getByLabel("Password").fill(MANAGER_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/residents$/);
      await page.getByRole("heading", { name: "Residents", level: 1 }).waitFor();
    } finally {
      await context.close();
    }
  });

  it("has no serious or critical axe-core violations on any page, at phone and desktop widths", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1), { enabled: true });
    await waitFor("a first sync", async () => (await settingsOf(kitchen)).last_sync_status === "success");
    const pages: [string, string | RegExp][] = [
      ["/", "Dashboard"],
      ["/residents", "Residents"],
      ["/arrivals", "Arrivals"],
      ["/sheets/breakfast", /Breakfast/],
      ["/sheets/dinner", /Dinner/],
      ["/settings", "Settings"],
      ["/history", "Sync history"],
    ];
    for (const width of [390, 1280]) {
      const login = await env.openTab(width);
      try {
        await login.page.goto(`${env.stack.apiUrl}/login`);
        await login.page.getByRole("heading", { name: "Occupancy Sync" }).waitFor();
        await expectAccessible(login.page, `login (${width} px)`);
      } finally {
        await login.context.close();
      }
      const { context, page } = await env.asManager(kitchen, width);
      try {
        for (const [path, heading] of pages) {
          await page.goto(`${env.stack.apiUrl}${path}`);
          await settled(page, heading);
          await expectAccessible(page, `${path} (${width} px)`);
        }
      } finally {
        await context.close();
      }
      const admin = await env.asAdmin(width);
      try {
        for (const [path, heading] of [
          ["/ops", "Ops"],
          ["/admin", "Kitchens & users"],
        ] as const) {
          await admin.page.goto(`${env.stack.apiUrl}${path}`);
          await settled(admin.page, heading);
          await expectAccessible(admin.page, `${path} (${width} px)`);
        }
      } finally {
        await admin.context.close();
      }
    }
  });
});
