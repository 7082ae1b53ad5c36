import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
import { DataSourceError } from "./data-source";

/**
 * Addresses a URL data source may never reach: this machine and its private networks, where
 * the Functions host (Durable's management API included), the instance metadata service
 * (169.254.169.254) and Azure's platform endpoint (168.63.129.16) listen. Loopback is allowed
 * only where a local-only setting says so (RETRAIN_ALLOW_LOOPBACK_SOURCES, off in Azure).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24],
  ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4], ["168.63.129.16", 32],
] as const) PRIVATE.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [["::", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["fd00:ec2::", 32]] as const) PRIVATE.addSubnet(net, prefix, "ipv6");
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

export interface UrlPolicy {
  readonly allowLoopback: boolean;
}

/** The one answer for every refused target: which internal addresses or ports exist is not the caller's business. */
export const refusedTarget = (url: string) =>
  new DataSourceError(`Data source URL ${originOf(url)} was refused: it, or a redirect from it, leads to an address this app does not fetch data from.`);

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
};

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function classify(address: string): "loopback" | "private" | "public" {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const a = mapped ?? address;
  const family = isIP(a) === 6 ? "ipv6" : "ipv4";
  if (LOOPBACK.check(a, family)) return "loopback";
  return PRIVATE.check(a, family) ? "private" : "public";
}

/**
 * Resolves a URL's host and checks every address it resolves to; returns the one to connect to,
 * so the connection goes where the check looked (no second lookup a DNS answer could change).
 * Scheme: https, or http only to an allowed loopback host.
 */
export async function checkedTarget(url: string, policy: UrlPolicy): Promise<{ address: string; family: 4 | 6 }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refusedTarget(url);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await lookup(host, { all: true, verbatim: true }).catch(() => {
    throw new DataSourceError(`Data source URL ${u.origin} cannot be reached: its host name does not resolve.`);
  });
  if (addresses.length === 0) throw refusedTarget(url);
  const kinds = addresses.map((a) => classify(a.address));
  const allowed = kinds.every((k) => k === "public" || (k === "loopback" && policy.allowLoopback));
  const scheme = u.protocol === "https:" || (u.protocol === "http:" && kinds.every((k) => k === "loopback"));
  if (!allowed || !scheme) throw refusedTarget(url);
  return { address: addresses[0]!.address, family: addresses[0]!.family as 4 | 6 };
}
