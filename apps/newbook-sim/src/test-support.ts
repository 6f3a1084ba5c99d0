import type { RunningSimulator } from "./server";
import type { SimProperty } from "./types";

/** Helpers for the simulator's own HTTP tests (kept out of index.ts: not part of the package API). */
export type Wire = Record<string, unknown>;

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: Wire;
}

export interface CallOptions {
  /** Override the Authorization header; null sends none. */
  authorization?: string | null;
  /** "legacy" posts to <base>/ with request_action in the body. */
  style?: "path" | "legacy";
  signal?: AbortSignal;
  /** Replace the body's api_key/region (undefined keeps the property's). */
  credentials?: { api_key?: string; region?: string };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export async function call(
  sim: RunningSimulator,
  prop: SimProperty,
  action: string,
  params: Wire = {},
  options: CallOptions = {},
): Promise<CallResult> {
  const body: Wire = { api_key: prop.apiKey, region: prop.region, ...options.credentials, ...params };
  const url = options.style === "legacy" ? `${sim.baseUrl}/` : `${sim.baseUrl}/${action}`;
  if (options.style === "legacy") body.request_action = action;
  const headers: Record<string, string> = { "content-type": "application/json" };
  const authorization =
    options.authorization === undefined ? basic(prop.username, prop.password) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    signal: options.signal,
  });
  const text = await res.text();
  let json: Wire = {};
  try {
    json = JSON.parse(text) as Wire;
  } catch {
    // Non-JSON bodies (gateway HTML, malformed_json fault) are checked through `text`.
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function control<T = Wire>(
  sim: RunningSimulator,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export function rows(result: CallResult): Wire[] {
  return result.json.data as Wire[];
}
