import type { RunningSimulator } from "@occ/newbook-sim";

export interface DemoLogin {
  email: string;
  password: string;
  kitchen: string | null;
}

interface Kitchen {
  id: number;
  name: string;
}

/** A thin client of our own REST API: the demo is seeded through the same doors a manager uses. */
class ApiClient {
  private token = "";
  constructor(private readonly baseUrl: string) {}

  async login(email: string, password: string): Promise<void> {
    const body = await this.call<{ access_token: string }>("POST", "/api/auth/login", { email, password });
    this.token = body.access_token;
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} -> ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

const demoKitchenName = (propertyName: string) => `${propertyName} Kitchen`;

/**
 * Idempotent: creates each demo hotel's kitchen, manager and Newbook connection on first start, and on every
 * start points the connection at this run's simulator and asks for a sync so the dashboard fills at once.
 */
export async function seedDemo(
  apiUrl: string,
  sim: RunningSimulator,
  admin: { email: string; password: string },
  managerPassword: string,
): Promise<DemoLogin[]> {
  const api = new ApiClient(apiUrl);
  await api.login(admin.email, admin.password);
  const existing = await api.call<{ kitchens: Kitchen[] }>("GET", "/api/admin/kitchens");
  const users = await api.call<{ users: { email: string }[] }>("GET", "/api/admin/users");
  const logins: DemoLogin[] = [{ email: admin.email, password: admin.password, kitchen: null }];

  for (const [index, property] of sim.properties.entries()) {
    const name = demoKitchenName(property.name);
    const kitchen =
      existing.kitchens.find((k) => k.name === name) ??
      (await api.call<Kitchen>("POST", "/api/admin/kitchens", { name, timezone: property.timezone }));
    const email = `manager${index + 1}@demo.local`;
    if (!users.users.some((u) => u.email === email)) {
      await api.call("POST", "/api/admin/users", {
        email,
        password: managerPassword,
        role: "manager",
        kitchen_id: kitchen.id,
      });
    }
    const scope = `?kitchen_id=${kitchen.id}`;
    await api.call("PUT", `/api/settings/newbook-connection${scope}`, {
      base_url: sim.baseUrl,
      region: property.region,
      username: property.username,
      password: property.password,
      api_key: property.apiKey,
    });
    await api.call("PATCH", `/api/settings/newbook-frequent-sync${scope}`, { is_enabled: true });
    await api.call("POST", `/api/newbook/frequent-sync/run${scope}`);
    logins.push({ email, password: managerPassword, kitchen: name });
  }
  return logins;
}
