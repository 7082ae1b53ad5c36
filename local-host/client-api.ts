import { DurableEngine, InstanceActiveError, InstanceEndedError, InstanceNotFoundError } from "./durable/engine";
import type { InstanceState } from "./durable/instance";
import { TERMINAL } from "./durable/instance";
import { RPC_PATH, WEBHOOK_PATH } from "./front";

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}


/** The binding data the real extension hands a durableClient input; the library builds its client from it. */
export function clientBindingData(baseUrl: string, rpcBaseUrl: string, hubName: string, key: string) {
  const q = `taskHub=${encodeURIComponent(hubName)}&connection=Storage&code=${encodeURIComponent(key)}`;
  const instances = `${baseUrl}${WEBHOOK_PATH}instances`;
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${baseUrl}${WEBHOOK_PATH}orchestrators/{functionName}[/{instanceId}]?code=${encodeURIComponent(key)}`,
      createAndWaitOnNewInstancePostUri: `${baseUrl}${WEBHOOK_PATH}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${encodeURIComponent(key)}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instances}/INSTANCEID?${q}`,
      sendEventPostUri: `${instances}/INSTANCEID/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${instances}/INSTANCEID/terminate?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${instances}/INSTANCEID?${q}`,
      // restart, suspend and resume are not handed out: the local engine does not implement them.
    },
    baseUrl: `${baseUrl}${WEBHOOK_PATH}`,
    requiredQueryStringParameters: q,
    rpcBaseUrl,
  };
}

export function statusOf(s: InstanceState, showHistory: boolean) {
  return {
    name: s.name,
    instanceId: s.instanceId,
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
    input: JSON.parse(s.input) as unknown,
    output: s.output ?? null,
    runtimeStatus: s.status,
    customStatus: s.customStatus ?? null,
    ...(showHistory ? { historyEvents: s.history } : {}),
  };
}

/**
 * The extension's instance-management API over the engine. `webhook` answers like the public
 * status URL (202 while running, 200 once ended); the RPC form always answers 200.
 */
export async function handleDurableApi(engine: DurableEngine, method: string, url: URL, body: string, webhook: boolean, managementUrls: (id: string) => unknown, contentType?: string): Promise<Reply> {
  const base = webhook ? WEBHOOK_PATH : RPC_PATH;
  const path = url.pathname.slice(base.length - 1);
  const input = body.trim() === "" ? undefined : body;
  try {
    let m = /^\/orchestrators\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m && method === "POST") {
      if (input !== undefined) JSON.parse(input);
      const s = await engine.startNew(decodeURIComponent(m[1]!), m[2] ? decodeURIComponent(m[2]) : undefined, input);
      return { status: 202, body: { id: s.instanceId, ...(managementUrls(s.instanceId) as object) } };
    }
    m = /^\/instances\/([^/]+)$/.exec(path);
    if (m && method === "GET") {
      const s = engine.get(decodeURIComponent(m[1]!));
      if (!s) return { status: 404, body: { message: `No instance ${m[1]}.` } };
      const running = !TERMINAL.includes(s.status);
      return { status: webhook && running ? 202 : 200, body: statusOf(s, url.searchParams.get("showHistory") === "true") };
    }
    if (m && method === "DELETE") {
      const deleted = await engine.purge(decodeURIComponent(m[1]!));
      return deleted ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404, body: { message: `No instance ${m[1]}.` } };
    }
    if (/^\/instances\/?$/.exec(path) && method === "GET") {
      // The extension's list query filters by runtime status and creation time (HttpApiHandler's
      // GetAllStatus: runtimeStatus=Running,Pending, createdTimeFrom, createdTimeTo).
      const wanted = (url.searchParams.get("runtimeStatus") ?? "").split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
      const from = Date.parse(url.searchParams.get("createdTimeFrom") ?? "");
      const to = Date.parse(url.searchParams.get("createdTimeTo") ?? "");
      const listed = engine.list().map((s) => statusOf(s, false)).filter((s) =>
        (wanted.length === 0 || wanted.includes(String(s.runtimeStatus).toLowerCase()))
        && (!Number.isFinite(from) || Date.parse(s.createdTime) >= from) && (!Number.isFinite(to) || Date.parse(s.createdTime) <= to));
      return { status: 200, body: listed };
    }
    m = /^\/instances\/([^/]+)\/raiseEvent\/([^/]+)$/.exec(path);
    if (m && method === "POST") {
      // As HttpApiHandler.HandleRaiseEventRequestAsync: 404, 410 for an ended instance, then the media type.
      const s = engine.get(decodeURIComponent(m[1]!));
      if (!s) return { status: 404 };
      if (TERMINAL.includes(s.status)) return { status: 410 };
      if ((contentType ?? "").split(";")[0]!.trim().toLowerCase() !== "application/json") return { status: 400, body: { Message: "Only application/json request content is supported" } };
      if (input !== undefined) JSON.parse(input);
      await engine.raiseEvent(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), input);
      return { status: 202 };
    }
    m = /^\/instances\/([^/]+)\/terminate$/.exec(path);
    if (m && method === "POST") {
      await engine.terminate(decodeURIComponent(m[1]!), url.searchParams.get("reason") ?? "");
      return { status: 202 };
    }
    return { status: 404, body: { message: `No durable API at ${method} ${path}.` } };
  } catch (e) {
    if (e instanceof SyntaxError) return { status: 400, body: { message: `The body is not valid JSON: ${e.message}` } };
    if (e instanceof InstanceNotFoundError) return { status: 404, body: { message: e.message } };
    if (e instanceof InstanceEndedError) return { status: 410, body: { message: e.message } };
    if (e instanceof InstanceActiveError) return { status: 409, body: { message: e.message } };
    return { status: 400, body: { message: (e as Error).message } };
  }
}
