import type { Router, Request } from "../../http/router";
import { AmlHttpError, unauthorized } from "../../http/errors";
import { keyMatches, bearerKey } from "../../auth";
import { parseFaultSettings } from "../fault-settings";
import type { ServiceContext } from "./context";

/**
 * The emulator's own admin API (not part of the classic contract): fault injection and call
 * counts, so tests can reproduce real-world failures and assert what was attempted.
 */
export function adminRoutes(router: Router, ctx: ServiceContext): void {
  const guard = (req: Request) => {
    if (!keyMatches(bearerKey(req.raw), [ctx.config.managementToken])) throw unauthorized();
  };
  router.add("GET", "/_admin/faults", (req) => (guard(req), { status: 200, body: ctx.faults.current() }));
  router.add("POST", "/_admin/faults", async (req) => {
    guard(req);
    try {
      ctx.faults.set(parseFaultSettings(await req.json()));
    } catch (e) {
      if (e instanceof AmlHttpError) throw e;
      throw new AmlHttpError(400, "BadArgument", (e as Error).message, "InvalidFaultSettings");
    }
    return { status: 200, body: ctx.faults.current() };
  });
  router.add("DELETE", "/_admin/faults", (req) => (guard(req), ctx.faults.clear(), { status: 204 }));
  router.add("GET", "/_admin/calls", (req) => (guard(req), { status: 200, body: ctx.faults.calls }));
  router.add("GET", "/_admin/received", (req) => (guard(req), { status: 200, body: ctx.faults.received }));
  router.add("GET", "/_admin/abandoned", (req) => (guard(req), { status: 200, body: ctx.faults.abandoned }));
  router.add("GET", "/_admin/inflight", (req) => (guard(req), { status: 200, body: { count: ctx.faults.inFlight } }));
  router.add("GET", "/_admin/jobs", (req) => {
    guard(req);
    return { status: 200, body: ctx.workspace.jobs.map((j) => ({ id: j.id, state: j.state, createdAt: j.createdAt, startedAt: j.startedAt, runningAt: j.runningAt, endedAt: j.endedAt, details: j.details })) };
  });
}
