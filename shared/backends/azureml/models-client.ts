import { AzureMlError, invalidResponse, isAzureMlError } from "./azureml-error";
import { azureMlCaller, jsonOf, withApiVersion, type AzureMlCall, type AzureMlClientOptions } from "./request";
import { workspaceUrl } from "./workspace";

/** The tag that marks the version an endpoint serves: the API has no champion of its own [contract §4]. */
export const CHAMPION_TAG = "retrainer.champion";

export interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly modelUri: string;
  /** As registered (`mlflow_model`, `custom_model`, …); a PUT without it would change it to the default. */
  readonly modelType?: string;
  readonly jobName?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RegisterModelOptions {
  /** `azureml://jobs/{job}/outputs/{output}/paths/{path}` [MM]. */
  readonly modelUri: string;
  readonly jobName?: string;
  readonly modelType?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

interface VersionResource {
  name?: string;
  properties?: { modelUri?: unknown; modelType?: unknown; jobName?: unknown; tags?: Record<string, string> | null };
}

/** Model versions in the workspace registry: register, read, list by tag, retag. */
export class ModelsClient {
  private readonly call: AzureMlCall;
  private readonly base: string;

  constructor(options: AzureMlClientOptions) {
    this.call = azureMlCaller(options);
    this.base = `${workspaceUrl(options.workspace)}/models`;
  }

  private url(name: string, version?: string): string {
    return `${this.base}/${encodeURIComponent(name)}/versions${version === undefined ? "" : `/${encodeURIComponent(version)}`}`;
  }

  async get(name: string, version: string): Promise<ModelVersion | undefined> {
    try {
      const res = await this.call({ operation: "get model version", method: "GET", url: withApiVersion(this.url(name, version)) });
      return modelVersion("get model version", name, version, jsonOf<VersionResource>("get model version", res));
    } catch (e) {
      if (isAzureMlError(e) && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /**
   * Registers `version` of `name` unless it exists already with the same model URI (a retried
   * registration). The same version pointing elsewhere is refused: versions are not reused.
   */
  async register(name: string, version: string, o: RegisterModelOptions): Promise<{ readonly model: ModelVersion; readonly alreadyRegistered: boolean }> {
    const existing = await this.get(name, version);
    if (existing) {
      if (existing.modelUri !== o.modelUri) throw new AzureMlError(`model ${name}:${version} is already registered for ${existing.modelUri}, not ${o.modelUri}`, { operation: "register model", code: "VersionInUse", retryable: false });
      return { model: existing, alreadyRegistered: true };
    }
    return { model: await this.put(name, version, o), alreadyRegistered: false };
  }

  /** Replaces the version's tags (a PUT of the whole version: its other properties stay as they are). */
  async setTags(m: ModelVersion, tags: Readonly<Record<string, string>>): Promise<ModelVersion> {
    return this.put(m.name, m.version, { modelUri: m.modelUri, ...(m.modelType ? { modelType: m.modelType } : {}), ...(m.jobName ? { jobName: m.jobName } : {}), tags });
  }

  /** Versions carrying `tag` (any value), newest first; follows `nextLink` up to `maxPages`. */
  async listTagged(name: string, tag: string, maxPages = 5): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    let url: string | undefined = withApiVersion(`${this.url(name)}?$orderBy=${encodeURIComponent("createdtime desc")}&tags=${encodeURIComponent(tag)}`);
    for (let page = 0; url && page < maxPages; page++) {
      const res = await this.call({ operation: "list model versions", method: "GET", url });
      const body = jsonOf<{ value?: VersionResource[]; nextLink?: unknown }>("list model versions", res);
      for (const v of body.value ?? []) out.push(modelVersion("list model versions", name, v.name ?? "", v));
      url = typeof body.nextLink === "string" && body.nextLink.startsWith(this.base) ? body.nextLink : undefined;
    }
    return out;
  }

  private async put(name: string, version: string, o: RegisterModelOptions): Promise<ModelVersion> {
    const body = { properties: { modelType: o.modelType ?? "mlflow_model", modelUri: o.modelUri, ...(o.jobName ? { jobName: o.jobName } : {}), ...(o.description ? { description: o.description } : {}), tags: o.tags ?? {} } };
    const res = await this.call({ operation: "register model", method: "PUT", url: withApiVersion(this.url(name, version)), body });
    return modelVersion("register model", name, version, jsonOf<VersionResource>("register model", res));
  }
}

function modelVersion(operation: string, name: string, version: string, r: VersionResource): ModelVersion {
  const uri = r.properties?.modelUri;
  if (typeof uri !== "string" || uri === "" || version === "") throw invalidResponse(operation, `model ${name}:${version} with no model URI`);
  const { jobName, modelType } = r.properties ?? {};
  return {
    name, version, modelUri: uri, ...(typeof modelType === "string" && modelType ? { modelType } : {}), ...(typeof jobName === "string" && jobName ? { jobName } : {}),
    tags: r.properties?.tags ?? {},
  };
}
