/**
 * The kitchen's day in Chromium against the real stack: arrivals by hour (updating after a check-in),
 * the breakfast and dinner sheets (printed to A4 PDFs under test-artifacts/sheets/, CSV download) and the
 * chips on the residents view.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { type KitchenFixture, ROOT, screenshot, sideScroll, useBrowserStack, waitFor } from "./harness";

jest.setTimeout(180_000);

const SHEETS_DIR = path.join(ROOT, "test-artifacts", "sheets");
// Auckland's date differs from the browser's (UTC) for half the day: "today" must be the kitchen's.
const TIMEZONE = "Pacific/Auckland";
// A4 portrait at 96 px per inch less the stylesheet's 10 mm side margins: 190 mm.
const A4_PRINTABLE_WIDTH_PX = (190 / 25.4) * 96;

interface ArrivalRow {
  booking_id: string;
  arrived: boolean;
}
interface Arrivals {
  as_of: string | null;
  days: {
    date: string;
    bookings: number;
    hours: { hour: string | null; bookings: number; arrivals: ArrivalRow[] }[];
  }[];
}
interface Sheet {
  date: string;
  as_of: string | null;
  rows: { room: string; booking_id: string }[];
  totals: { rooms: number; covers: number };
}

const env = useBrowserStack({ timezones: [TIMEZONE], rooms: 60 });
let kitchen: KitchenFixture;
let page: Page;

const clock = (iso: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: TIMEZONE,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));

async function syncNow(): Promise<void> {
  const before = (
    await env.stack.api<{ last_success_at: string | null }>("/api/settings/newbook-frequent-sync", {
      token: kitchen.managerToken,
    })
  ).body.last_success_at;
  await env.stack.api("/api/newbook/frequent-sync/run", { method: "POST", token: kitchen.managerToken });
  await waitFor("a successful sync", async () => {
    const s = (
      await env.stack.api<{ last_success_at: string | null }>("/api/settings/newbook-frequent-sync", {
        token: kitchen.managerToken,
      })
    ).body;
    return s.last_success_at !== null && s.last_success_at !== before;
  });
}

const arrivalsApi = async () =>
  (await env.stack.api<Arrivals>("/api/arrivals", { token: kitchen.managerToken })).body;

beforeAll(async () => {
  kitchen = await env.stack.createKitchen(env.property(0));
  await syncNow();
  // Playwright contexts accept downloads by default: the CSV test relies on it.
  ({ page } = await env.asManager(kitchen));
});

describe("the kitchen's day in the browser", () => {
  it("shows today's and tomorrow's arrivals grouped by hour, and a check-in after the next sync", async () => {
    await page.getByRole("link", { name: "Arrivals" }).click();
    await page.getByTestId("arrivals-today").waitFor();
    const api = await arrivalsApi();
    for (const [i, name] of [
      [0, "today"],
      [1, "tomorrow"],
    ] as const) {
      const section = page.getByTestId(`arrivals-${name}`);
      const groups = section.locator("tbody[data-hour]");
      expect(await groups.evaluateAll((els) => els.map((e) => e.getAttribute("data-hour")))).toEqual(
        api.days[i]!.hours.map((h) => h.hour ?? "none"),
      );
      expect(await section.locator("tr[data-booking-id]").count()).toBe(api.days[i]!.bookings);
    }
    await expect(page.getByTestId("arrivals-as-of").textContent()).resolves.toContain(
      `as of ${clock(api.as_of!)}`,
    );
    await screenshot(page, "kitchen-day-arrivals");

    const waiting = api.days[0]!.hours.flatMap((h) => h.arrivals).find((r) => !r.arrived);
    expect(waiting).toBeDefined();
    const row = page.locator(`[data-testid=arrivals-today] tr[data-booking-id="${waiting!.booking_id}"]`);
    await expect(row.textContent()).resolves.toContain("Expected");
    await env.stack.simControl(
      `/properties/${kitchen.property.id}/bookings/${waiting!.booking_id}`,
      "PATCH",
      {
        status: "arrived",
      },
    );
    await syncNow();
    // The open page refreshes on the sync's pushed event (polling is only the fallback): no reload.
    await waitFor(
      "the check-in on the open page",
      async () => /In \d{2}:\d{2}/.test((await row.textContent()) ?? ""),
      {
        timeoutMs: 40_000,
      },
    );
    await screenshot(page, "kitchen-day-arrivals-checked-in");
  });

  for (const meal of ["breakfast", "dinner"] as const) {
    it(`prints the ${meal} sheet on A4 and downloads the same rows as CSV`, async () => {
      const sheet = (await env.stack.api<Sheet>(`/api/sheets/${meal}`, { token: kitchen.managerToken })).body;
      expect(sheet.rows.length).toBeGreaterThan(0);
      await page.goto(`${env.stack.apiUrl}/sheets/${meal}`);
      await page.getByTestId("sheet-table").waitFor();
      await expect(page.getByTestId("sheet-as-of").textContent()).resolves.toBe(
        `as of ${clock(sheet.as_of!)}`,
      );
      const rooms = await page
        .locator("[data-testid=sheet-table] tbody tr")
        .evaluateAll((trs) => trs.map((tr) => tr.querySelector("td")?.textContent ?? ""));
      expect(rooms).toEqual(sheet.rows.map((r) => r.room));
      await screenshot(page, `kitchen-day-${meal}-sheet`);

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${meal}-${sheet.date}.csv`);
      const csv = readFileSync((await download.path())!, "utf8")
        .trimEnd()
        .split("\r\n");
      expect(csv.slice(1, -1).map((line) => line.split(",")[0])).toEqual(sheet.rows.map((r) => r.room));
      expect(csv[csv.length - 1]).toMatch(new RegExp(`^TOTAL,${sheet.totals.rooms} rooms,`));

      // Laid out as on paper (print media, A4's printable width): nothing may stick out sideways.
      await page.emulateMedia({ media: "print" });
      await page.setViewportSize({ width: Math.floor(A4_PRINTABLE_WIDTH_PX), height: 1100 });
      try {
        expect(await page.locator(".app-header").isVisible()).toBe(false);
        expect(await page.getByRole("button", { name: "Print" }).isVisible()).toBe(false);
        expect(await sideScroll(page)).toBe(0);
      } finally {
        await page.emulateMedia({ media: null });
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      mkdirSync(SHEETS_DIR, { recursive: true });
      const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true, printBackground: true });
      writeFileSync(path.join(SHEETS_DIR, `${meal}.pdf`), pdf);
      // A4 portrait media box: 595 x 842 points.
      expect(pdf.toString("latin1")).toMatch(/\/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/);
    });
  }

  it("shows dietary, VIP, group and note chips on the residents view", async () => {
    await page.goto(`${env.stack.apiUrl}/residents`);
    await page.getByTestId("residents-table").waitFor();
    await waitFor(
      "chips",
      async () => (await page.locator("[data-testid=residents-table] .chip").count()) > 0,
    );
    expect(await page.locator("[data-testid=residents-table] .chip-diet").count()).toBeGreaterThan(0);
    await screenshot(page, "kitchen-day-residents-chips");
  });
});
