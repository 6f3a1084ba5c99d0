/**
 * The frequent-sync form in Chromium against the real stack: the busy-hours editor, what the form saves
 * (one request per change, counted), what it refuses and how it says so, the interval advice by room
 * count, and the alerts list (action link, times on the kitchen's clock and relative).
 */
import type { Page, Request } from "playwright-core";
import {
  expectText,
  type KitchenFixture,
  optionLabels,
  screenshot,
  useBrowserStack,
  waitFor,
} from "./harness";

jest.setTimeout(240_000);

/**
 * A fixed-offset zone whose clock reads 08:xx now, so 06:00-10:00 busy hours hold for the whole test
 * whatever time it runs. Etc/GMT-N is UTC+N (POSIX sign).
 */
function zoneAtEightAm(now: Date): string {
  let offset = 8 - now.getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

const BUSY_ZONE = zoneAtEightAm(new Date());
/** 40 rooms: the plan's table recommends every 10 minutes from 26 rooms up. */
const ROOMS = 40;
const SETTINGS_PATH = "/api/settings/newbook-frequent-sync";

interface Settings {
  is_enabled: boolean;
  sync_interval_minutes: number;
  days_ahead: number;
  last_sync_status: string | null;
  last_success_at: string | null;
  last_duration_ms: number | null;
  consecutive_failures: number;
  busy_hours: { start: string; end: string }[];
  busy_interval_minutes: number | null;
  effective_interval_minutes: number;
  next_sync_busy: boolean;
  schedule_off_reason: string | null;
  rooms_total: number | null;
  change_webhook_min_bookings: number | null;
}

interface AlertView {
  kind: string;
  message: string;
  action: string | null;
  times: { at: string; clock: string }[];
}

const env = useBrowserStack({ timezones: [BUSY_ZONE, "America/New_York"], rooms: ROOMS });

async function getSettings(kitchen: KitchenFixture): Promise<Settings> {
  return (await env.stack.api<Settings>(SETTINGS_PATH, { token: kitchen.managerToken })).body;
}

/** Every PATCH of the frequent-sync settings the page sends, by body. */
function countSaves(page: Page): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  page.on("request", (request: Request) => {
    if (request.method() === "PATCH" && new URL(request.url()).pathname === SETTINGS_PATH)
      bodies.push(request.postDataJSON() as Record<string, unknown>);
  });
  return bodies;
}

/** Screenshots at a phone, a tablet and a desktop width. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [390, 768, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
}

const clockIn = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(iso),
  );

describe("settings: frequent-sync form", () => {
  it("edits busy hours in the kitchen's local time, refuses bad ranges in words, and next sync follows", async () => {
    const kitchen = await env.stack.createKitchen(env.property(0), { enabled: true });
    const { context, page } = await env.asManager(kitchen);
    const saves = countSaves(page);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      const editor = page.getByTestId("busy-hours-editor");
      await expectText(editor, `kitchen's local time (${BUSY_ZONE})`);

      // Overlapping, reversed and half-typed ranges are refused at the range, and nothing is sent.
      const add = editor.getByRole("button", { name: "Add busy hours" });
      await add.click();
      await add.click();
      await add.click();
      await editor.getByLabel("Busy hours 1 start").fill("06:00");
      await editor.getByLabel("Busy hours 1 end").fill("10:00");
      await editor.getByLabel("Busy hours 2 start").fill("09:00");
      await editor.getByLabel("Busy hours 2 end").fill("12:00");
      await editor.getByLabel("Busy hours 3 start").fill("21:00");
      await editor.getByLabel("Busy hours 3 end").fill("05:00");
      await editor.getByLabel("Interval during busy hours").selectOption("5");
      await editor.getByRole("button", { name: "Save busy hours" }).click();
      await expectText(editor, "Busy hours 2 (09:00-12:00) overlaps busy hours 1 (06:00-10:00)");
      await expectText(editor, "Busy hours 3: the end (05:00) must be after the start (21:00)");
      await screenshots(page, "settings-busy-hours-errors");
      expect(saves).toEqual([]);

      // A busy interval no faster than the normal one would change nothing: said, not sent.
      await editor.getByRole("button", { name: "Remove busy hours 3" }).click();
      await editor.getByRole("button", { name: "Remove busy hours 2" }).click();
      await editor.getByLabel("Interval during busy hours").selectOption("30");
      await editor.getByRole("button", { name: "Save busy hours" }).click();
      await expectText(
        editor,
        "Busy-hours interval must be shorter than the normal interval (every 15 minutes)",
      );
      expect(saves).toEqual([]);

      await editor.getByLabel("Interval during busy hours").selectOption("5");
      await editor.getByRole("button", { name: "Save busy hours" }).click();
      await expectText(page.getByTestId("busy-hours-save-status"), "Saved");
      expect(saves).toEqual([{ busy_hours: [{ start: "06:00", end: "10:00" }], busy_interval_minutes: 5 }]);

      // From the server after a reload, and beside next sync: the kitchen's clock reads 08:xx, so the
      // next run is a busy-hours one, at the faster interval.
      await page.reload();
      const reloaded = page.getByTestId("busy-hours-editor");
      await expect(reloaded.getByLabel("Busy hours 1 start").inputValue()).resolves.toBe("06:00");
      await expect(reloaded.getByLabel("Busy hours 1 end").inputValue()).resolves.toBe("10:00");
      await expect(reloaded.getByLabel("Interval during busy hours").inputValue()).resolves.toBe("5");
      const box = page.getByTestId("sync-status-box");
      await expectText(box.getByTestId("busy-hours-summary"), "06:00-10:00: every 5 min");
      await expectText(box.getByTestId("next-sync-busy"), "(busy hours: every 5 min)");
      const saved = await getSettings(kitchen);
      expect(saved).toMatchObject({ effective_interval_minutes: 5, next_sync_busy: true });
      await screenshots(page, "settings-busy-hours");

      await page.getByRole("link", { name: "Dashboard" }).click();
      await expectText(page.getByTestId("sync-status-widget"), "06:00-10:00: every 5 min");
    } finally {
      await context.close();
    }
  });

  it("saves each change once, refuses what is not 1-30 visibly, and recommends by room count", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1), { enabled: true });
    // The first sync stores the hotel's room count, which the advice follows.
    await waitFor(
      "a first successful sync",
      async () => (await getSettings(kitchen)).last_sync_status === "success",
      { timeoutMs: 60_000 },
    );
    expect((await getSettings(kitchen)).rooms_total).toBe(ROOMS);
    const { context, page } = await env.asManager(kitchen);
    const saves = countSaves(page);
    const savesOf = (field: string) => saves.filter((body) => field in body);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      const interval = page.getByLabel("Sync Interval");
      expect(await optionLabels(interval)).toEqual([
        "Every 5 minutes",
        "Every 10 minutes (Recommended)",
        "Every 15 minutes",
        "Every 30 minutes",
        "Every 60 minutes",
      ]);
      await expectText(
        page.locator("#sync-interval-hint"),
        `Recommended for ${ROOMS} rooms: every 10 minutes`,
      );

      // The range is on the page; empty, non-numeric and out-of-range values are refused at the field.
      const days = page.getByLabel("Days Ahead");
      await expectText(page.locator("label[for=days-ahead]"), "(1-30)");
      await days.fill("abc");
      await days.press("Enter");
      await expectText(page.locator("#days-ahead-error"), "Days ahead must be a whole number, 1-30");
      await days.fill("");
      await days.press("Tab");
      await expectText(page.locator("#days-ahead-error"), "Days ahead is required (1-30)");
      await days.fill("31");
      await days.press("Enter");
      await expectText(page.locator("#days-ahead-error"), "Days ahead must be 1-30");
      await screenshots(page, "settings-days-ahead-refused");
      expect(saves).toEqual([]);

      // Enter, then leaving the field: one change, one save.
      await days.fill("12");
      await days.press("Enter");
      await days.press("Tab");
      await waitFor("days ahead saved", async () => (await getSettings(kitchen)).days_ahead === 12);
      expect(await page.locator("#days-ahead-error").count()).toBe(0);

      // Arrowing through the list (15 -> 30 -> 60) saves the value the reader stops at, once.
      await interval.focus();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      await expect(interval.inputValue()).resolves.toBe("60");
      await waitFor(
        "the interval saved",
        async () => (await getSettings(kitchen)).sync_interval_minutes === 60,
      );
      await expectText(page.getByTestId("frequent-sync-save-status"), "Saved");
      // Requests go out in order: a second days-ahead save would have been sent before the interval's.
      expect(savesOf("days_ahead")).toEqual([{ days_ahead: 12 }]);
      expect(savesOf("sync_interval_minutes")).toEqual([{ sync_interval_minutes: 60 }]);
      await screenshots(page, "settings-form");
    } finally {
      await context.close();
    }
  });

  it("sets the change alert's threshold, refuses what is not 1-1000 at the field, and empties it to never", async () => {
    const kitchen = await env.stack.createKitchen(env.property(0), { enabled: false });
    const { context, page } = await env.asManager(kitchen);
    const saves = countSaves(page);
    const savesOf = () => saves.filter((body) => "change_webhook_min_bookings" in body);
    try {
      await page.getByRole("link", { name: "Settings", exact: true }).click();
      const field = page.getByLabel("Change alert (bookings)");
      // The default threshold is shown as saved.
      await waitFor("the saved threshold", async () => (await field.inputValue()) === "3");

      await field.fill("0");
      await field.press("Enter");
      await expectText(
        page.locator("#change-alert-min-error"),
        "Enter 1-1000 bookings, or leave it empty for never",
      );
      await field.fill("a few");
      await field.press("Tab");
      await expectText(page.locator("#change-alert-min-error"), "Enter a whole number of bookings, 1-1000");
      expect(savesOf()).toEqual([]);

      // Enter, then leaving the field: one change, one save.
      await field.fill("8");
      await field.press("Enter");
      await field.press("Tab");
      await waitFor(
        "the threshold saved",
        async () => (await getSettings(kitchen)).change_webhook_min_bookings === 8,
      );
      await expectText(page.getByTestId("change-alert-save-status"), "Saved");
      expect(await page.locator("#change-alert-min-error").count()).toBe(0);
      await screenshots(page, "settings-change-alert");

      // Emptied: never for this kitchen.
      await field.fill("");
      await field.press("Enter");
      await waitFor(
        "the threshold cleared",
        async () => (await getSettings(kitchen)).change_webhook_min_bookings === null,
      );
      expect(savesOf()).toEqual([{ change_webhook_min_bookings: 8 }, { change_webhook_min_bookings: null }]);
      await page.reload();
      await page.getByLabel("Change alert (bookings)").waitFor();
      expect(await page.getByLabel("Change alert (bookings)").inputValue()).toBe("");
    } finally {
      await context.close();
    }
  });

  it("an action-needed alert links to Settings and says its times on the kitchen's clock, relatively", async () => {
    const kitchen = await env.stack.createKitchen(env.property(1));
    const syncNow = () =>
      env.stack.api<{ run_id: string }>("/api/newbook/frequent-sync/run", {
        method: "POST",
        token: kitchen.managerToken,
      });
    await syncNow();
    await waitFor(
      "a first successful sync",
      async () => (await getSettings(kitchen)).last_sync_status === "success",
      { timeoutMs: 60_000 },
    );
    const { last_success_at: lastSuccessAt } = await getSettings(kitchen);
    await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "POST", { type: "http401" });
    await syncNow();
    const alert = await waitFor(
      "the credentials_rejected alert",
      async () =>
        (
          await env.stack.api<{ alerts: AlertView[] }>("/api/alerts", { token: kitchen.managerToken })
        ).body.alerts.find((a) => a.kind === "credentials_rejected"),
      { timeoutMs: 60_000 },
    );
    expect(alert.action).toBe("settings");
    expect(alert.times[0]).toEqual({ at: lastSuccessAt, clock: clockIn(lastSuccessAt!, kitchen.timezone) });

    const { context, page } = await env.asManager(kitchen);
    try {
      const item = page.locator("[data-testid=alerts] li[data-kind=credentials_rejected]");
      await item.waitFor();
      const since = item.locator(`time[datetime="${lastSuccessAt}"]`);
      expect(await since.textContent()).toMatch(
        new RegExp(`^${clockIn(lastSuccessAt!, kitchen.timezone)}, (just now|\\d+ min ago)$`),
      );
      await expectText(item, `since ${clockIn(lastSuccessAt!, kitchen.timezone)}, `);

      // The last run failed: its own duration is the one shown, and one failure reads as one.
      const settings = await getSettings(kitchen);
      const runs = await env.stack.api<{ runs: { status: string; duration_ms: number | null }[] }>(
        "/api/newbook/sync-runs?limit=1",
        { token: kitchen.managerToken },
      );
      expect(runs.body.runs[0]).toMatchObject({ status: "failed", duration_ms: settings.last_duration_ms });
      await expectText(page.getByTestId("consecutive-failures"), "1 consecutive failure");
      expect(await page.getByTestId("consecutive-failures").textContent()).not.toMatch(/failures/);
      await screenshots(page, "dashboard-alert-action");

      await page.setViewportSize({ width: 1280, height: 900 });
      await item.getByRole("link", { name: "Fix it in Settings" }).click();
      await page.getByRole("heading", { name: "Settings", exact: true }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/settings");

      // A next-days run of the default 7 days reads as 7 days in the history.
      await page.getByRole("link", { name: "Sync history" }).click();
      await page.locator("[data-testid=sync-runs-table] tbody tr").first().waitFor();
      await expectText(page.getByTestId("sync-runs-table"), "7 days ahead");
      await env.stack.simControl(`/properties/${kitchen.property.id}/faults`, "DELETE");
    } finally {
      await context.close();
    }
  });
});
