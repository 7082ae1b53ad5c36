import { AmlHttpError } from "../http/errors";
import { emptyRecord } from "../../shared/own-record";
import type { EndpointRecord } from "./state";

/** ARM errors: `{error:{code,message}}` [CT]; the codes for rule breaches are unverified (U), these are plausible. */
export const armError = (status: number, code: string, message: string) => new AmlHttpError(status, code, message);
export const badRequest = (message: string) => armError(400, "BadRequest", message);
export const notFound = (what: string) => armError(404, "ResourceNotFound", `${what} was not found.`);

/** Online endpoint and deployment names: a letter, then letters, digits and dashes, 3–32 in all [Q]. */
export const ONLINE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{2,31}$/;
export const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$/;
export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;

/**
 * Deployment name → percent, in a record without a prototype: `"__proto__"` stays a key (a `{}`
 * would take it as its prototype and drop it), so it meets the same check as any unknown name.
 */
function percentages(value: unknown, what: string): Record<string, number> {
  const out = emptyRecord<number>();
  if (value === undefined || value === null) return out;
  if (typeof value !== "object" || Array.isArray(value)) throw badRequest(`${what} must be an object of deployment name to percent.`);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 100) throw badRequest(`${what} for deployment ${k} must be a whole number from 0 to 100.`);
    out[k.toLowerCase()] = v;
  }
  return out;
}

/**
 * The traffic rules as Azure enforces them [SR, S]: only existing deployments, live traffic sums to
 * 0 or 100, mirror traffic at most 50 % to one deployment, and never to one that takes live traffic.
 */
export function checkedTraffic(e: EndpointRecord, traffic: unknown, mirror: unknown): { traffic: Record<string, number>; mirrorTraffic: Record<string, number> } {
  const t = percentages(traffic, "traffic");
  const m = percentages(mirror, "mirrorTraffic");
  const known = new Set([...e.deployments.keys()].map((k) => k.toLowerCase()));
  for (const d of [...Object.keys(t), ...Object.keys(m)]) if (!known.has(d)) throw badRequest(`Deployment ${d} does not exist on endpoint ${e.name}; traffic can only be set for existing deployments.`);
  const sum = Object.values(t).reduce((a, b) => a + b, 0);
  if (sum !== 0 && sum !== 100) throw badRequest(`Traffic on endpoint ${e.name} sums to ${sum}; it must sum to 0 or 100.`);
  const mirrored = Object.entries(m).filter(([, v]) => v > 0);
  if (mirrored.length > 1) throw badRequest("Mirror traffic can go to one deployment only.");
  const [target] = mirrored;
  if (target) {
    if (target[1] > 50) throw badRequest(`Mirror traffic to ${target[0]} is ${target[1]} %; at most 50 % can be mirrored.`);
    if ((t[target[0]] ?? 0) > 0) throw badRequest(`Deployment ${target[0]} takes live traffic, so it cannot also take mirror traffic.`);
  }
  return { traffic: t, mirrorTraffic: m };
}
