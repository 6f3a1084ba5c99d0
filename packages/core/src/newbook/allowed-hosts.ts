import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where a Newbook connection may point (NEWBOOK_ALLOWED_HOSTS). Saved Newbook secrets are sent to that
 * host, so a manager must not be able to name an internal service (SSRF) or their own server.
 *
 * Entries: "host" or "host:port" (exact), "*.example.com" (any subdomain), "*" (any host). Only an
 * exact entry may resolve to a loopback, private or link-local address: a wildcard never reaches
 * inside the network.
 */
export type HostVerdict = { ok: true; explicit: boolean } | { ok: false; reason: string };

const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 3],
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  INTERNAL.addSubnet(net, prefix, "ipv6");

/** Loopback, private, carrier-grade NAT, link-local, multicast or unspecified (IPv4-mapped included). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

/** Host (lower case, IPv6 without brackets) and the allowlist's judgement, before any DNS. */
export function checkNewbookHost(url: URL, allowed: readonly string[]): HostVerdict {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const hostPort = `${host}:${defaultPort(url)}`;
  for (const entry of allowed) {
    if (entry === host || entry === hostPort || entry === `[${host}]:${defaultPort(url)}`)
      return { ok: true, explicit: true };
  }
  const wildcard = allowed.some(
    (entry) => entry === "*" || (entry.startsWith("*.") && host.endsWith(entry.slice(1))),
  );
  if (wildcard) return { ok: true, explicit: false };
  return { ok: false, reason: `base_url: host ${host} is not an allowed Newbook host` };
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The full check: the allowlist, then (for hosts allowed only by a wildcard) every address the name
 * resolves to must be public. An unresolvable name is refused with the same generic reason.
 */
export async function verifyNewbookUrl(
  baseUrl: string,
  allowed: readonly string[],
  resolve: Resolver = systemResolver,
): Promise<HostVerdict> {
  const url = new URL(baseUrl);
  const verdict = checkNewbookHost(url, allowed);
  if (!verdict.ok || verdict.explicit) return verdict;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolve(host).catch(() => null);
  if (addresses === null || addresses.length === 0)
    return { ok: false, reason: `base_url: host ${host} could not be resolved` };
  if (addresses.some(isInternalAddress))
    return {
      ok: false,
      reason: `base_url: host ${host} resolves to an internal address; name it in NEWBOOK_ALLOWED_HOSTS to allow it`,
    };
  return verdict;
}
