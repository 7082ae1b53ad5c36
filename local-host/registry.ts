import Module from "node:module";

/** One function as the worker would see it: its metadata and the callback to invoke. */
export interface Registration {
  readonly name: string;
  readonly bindings: Readonly<Record<string, Binding>>;
  readonly handler: (trigger: unknown, context: unknown) => unknown;
}

export interface Binding {
  readonly type: string;
  readonly direction: "in" | "out" | "inout";
  readonly [key: string]: unknown;
}

interface CoreMetadata {
  name: string;
  bindings: Record<string, Binding>;
}

const KEY = Symbol.for("retrainer.localHost.registrations");
type Store = { registrations: Map<string, Registration> };
const store = ((globalThis as Record<symbol, unknown>)[KEY] ??= { registrations: new Map() }) as Store;

let installed = false;

/**
 * Stands in for `@azure/functions-core`, the module the Functions worker provides at run time:
 * `@azure/functions` hands every registration to it. It must be installed before the app's first
 * registration, because the library caches the module on first use.
 */
export function installCoreStandIn(): void {
  if (installed) return;
  installed = true;
  const core = {
    registerFunction(metadata: CoreMetadata, handler: Registration["handler"]) {
      if (store.registrations.has(metadata.name)) throw new Error(`A function named "${metadata.name}" is already registered.`);
      store.registrations.set(metadata.name, { name: metadata.name, bindings: metadata.bindings, handler });
      return { dispose: () => store.registrations.delete(metadata.name) };
    },
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
  };
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === "@azure/functions-core") return core;
    return original.call(this, request, parent, isMain);
  };
}

export function registrations(): ReadonlyMap<string, Registration> {
  return store.registrations;
}

/** The trigger binding of a registration (exactly one per function). */
export function triggerOf(r: Registration): Binding & { name: string } {
  const found = Object.entries(r.bindings).find(([, b]) => b.type.endsWith("Trigger"));
  if (!found) throw new Error(`Function ${r.name} has no trigger binding.`);
  return { ...found[1], name: found[0] };
}
