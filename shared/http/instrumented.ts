import type { HttpTransport } from "./transport";
import { withoutQuery } from "./transport";
import type { DependencyCall, Telemetry } from "../telemetry/telemetry";

/** Records each call as a dependency (URL without its query, so no SAS or key leaves). */
export function instrumentedTransport(inner: HttpTransport, telemetry: Telemetry, type: DependencyCall["type"], now: () => number = Date.now): HttpTransport {
  return async (request) => {
    const started = now();
    const base = { type, name: `${request.method} ${new URL(request.url).pathname}`, target: withoutQuery(request.url) };
    try {
      const res = await inner(request);
      telemetry.dependency({ ...base, durationInMs: now() - started, resultCode: res.status, success: res.status < 400 });
      return res;
    } catch (e) {
      telemetry.dependency({ ...base, durationInMs: now() - started, resultCode: (e as Error).name, success: false });
      throw e;
    }
  };
}
