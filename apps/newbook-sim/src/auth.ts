import type { PropertyData } from "./types";

export const REGIONS = ["au", "ap", "eu", "us", "uk"] as const;

export interface BasicCredentials {
  username: string;
  password: string;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  if (!header) return null;
  const m = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export type BasicResult = { ok: true; property: PropertyData } | { ok: false; username: string | null };

export function checkBasic(
  header: string | undefined,
  find: (username: string) => PropertyData | undefined,
): BasicResult {
  const creds = parseBasicAuth(header);
  if (!creds) return { ok: false, username: null };
  const property = find(creds.username);
  if (!property || property.password !== creds.password) return { ok: false, username: creds.username };
  return { ok: true, property };
}

/** The body half of Newbook auth: api_key must be the property's, region one of Newbook's (any case). */
export function checkApiKey(property: PropertyData, body: Record<string, unknown>): string | null {
  const apiKey = body.api_key;
  const region = body.region;
  if (typeof apiKey !== "string" || apiKey === "") return "Missing api_key";
  if (typeof region !== "string" || region === "") return "Missing region";
  const r = region.toLowerCase();
  if (!(REGIONS as readonly string[]).includes(r)) return `Invalid region '${region}'`;
  if (apiKey !== property.apiKey) return "Invalid API key";
  if (r !== property.region) return `API key is not valid for region '${region}'`;
  return null;
}
