/**
 * Every page at a phone, a tablet and a desktop width: the page never scrolls sideways (wide tables scroll
 * inside their own region), with a kitchen that has data and an open alert so the fullest views are checked.
 */
import type { Page } from "playwright-core";
import { screenshot, sideScroll, useBrowserStack, waitFor } from "./harness";

jest.setTimeout(240_000);

const WIDTHS = [390, 768, 1280];
const KITCHEN_PAGES = ["/", "/settings", "/residents", "/arrivals", "/sheets/breakfast", "/history"];
const ADMIN_PAGES = ["/ops", "/admin"];

const env = useBrowserStack({ timezones: ["Europe/Berlin"] });

interface Overflow {
  pathname: string;
  width: number;
  sideScroll: number;
  /** The outermost elements that stick out past the right edge, to say where to look. */
  culprits: string[];
}

/** Evaluated in the page: elements reaching past the viewport whose parent does not. */
const CULPRITS = `[...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((el) => el.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " " + Math.round(el.getBoundingClientRect().right))`;

/** Opens `pathname`, waits for its data, then measures and photographs it at every width. */
async function checkEveryWidth(page: Page, pathname: string): Promise<Overflow[]> {
  const found: Overflow[] = [];
  await page.goto(`${env.stack.apiUrl}${pathname}`);
  await page.locator("h1").first().waitFor();
  // Not "networkidle": the page keeps its live event stream open.
  await waitFor(
    "the page's data",
    async () => !((await page.locator("body").textContent()) ?? "").includes("Loading…"),
  );
  const name = pathname === "/" ? "dashboard" : pathname.slice(1).replaceAll("/", "-");
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // Charts re-measure after a resize: give the layout a moment to settle, then report what is left.
    await waitFor("the layout to fit", async () => (await sideScroll(page)) === 0, {
      timeoutMs: 2_000,
    }).catch(() => undefined);
    const overflow = await sideScroll(page);
    if (overflow !== 0)
      found.push({
        pathname,
        width,
        sideScroll: overflow,
        culprits: await page.evaluate<string[]>(CULPRITS),
      });
    await screenshot(page, `layout-${name}-${width}`);
  }
  return found;
}

it("no page scrolls sideways at 390, 768 or 1280 px", async () => {
  const { stack } = env;
  const kitchen = await stack.createKitchen(env.property(0));
  const syncNow = () =>
    stack.api("/api/newbook/frequent-sync/run", { method: "POST", token: kitchen.managerToken });
  await syncNow();
  await waitFor("a first sync", async () => {
    const settings = await stack.api<{ last_sync_status: string | null }>(
      "/api/settings/newbook-frequent-sync",
      {
        token: kitchen.managerToken,
      },
    );
    return settings.body.last_sync_status === "success";
  });
  // Rejected credentials raise an alert: the dashboard's alert view is part of the layout.
  await stack.simControl(`/properties/${kitchen.property.id}/faults`, "POST", { type: "http401" });
  await syncNow();
  await waitFor("an open alert", async () => {
    const alerts = await stack.api<{ alerts: unknown[] }>("/api/alerts", { token: kitchen.managerToken });
    return alerts.body.alerts.length > 0;
  });

  // Every page and width is measured before the verdict, so one run names all that overflow.
  const overflows: Overflow[] = [];
  const login = await env.openTab(WIDTHS[0]);
  try {
    overflows.push(...(await checkEveryWidth(login.page, "/login")));
  } finally {
    await login.context.close();
  }
  const manager = await env.asManager(kitchen);
  try {
    for (const pathname of KITCHEN_PAGES) overflows.push(...(await checkEveryWidth(manager.page, pathname)));
  } finally {
    await manager.context.close();
  }
  const admin = await env.asAdmin();
  try {
    for (const pathname of ADMIN_PAGES) overflows.push(...(await checkEveryWidth(admin.page, pathname)));
  } finally {
    await admin.context.close();
  }
  expect(overflows).toEqual([]);
});
