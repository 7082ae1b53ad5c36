import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { z } from "zod";
import { appDependencies, appSettings } from "../app/dependencies";
import { BadRequest, MAX_RETRAIN_BODY_BYTES, parseJsonObjectBody } from "./retrain-request";
import { endpointSettingsOf } from "../../shared/config/settings";
import { parseDataLocation } from "../../shared/storage/data-location";
import { LOG_LINE_CHARS, logSafe } from "../../shared/text/safe-text";
import { UPLOAD_KEY_HEADER, UPLOAD_SAS_LIFETIME_MINUTES, UPLOAD_SAS_PERMISSIONS, uploadBlob, uploadKeyOpens } from "../../shared/storage/upload-grant";

const bodySchema = z.object({ name: z.string({ required_error: '"name" is required: the file\'s name in your data location', invalid_type_error: '"name" must be text' }) }).strict();

/** One answer for every endpoint the key does not open, whether or not it exists: a customer learns no other customer's name. */
const REFUSED: HttpResponseInit = { status: 403, jsonBody: { error: `The ${UPLOAD_KEY_HEADER} given does not open uploads to this endpoint.` } };

/**
 * `POST /api/endpoints/{name}/uploads` `{"name": "2026-12/data.csv"}`, with the endpoint's
 * upload key in `X-Retrainer-Upload-Key`: a SAS for that one blob in the endpoint's data
 * location, to create and write only (no read, list or delete), for an hour. A customer holding
 * it can add their data, which starts their endpoint's run (functions/triggers/new-data.ts), and
 * nothing else: the SAS names the one blob, the key opens one endpoint. The route also takes a
 * function key, as every route does: give customers a key of this function alone (a
 * function-level key), which opens no other route.
 */
app.http("issueUploadSas", {
  route: "endpoints/{name}/uploads",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const settings = appSettings();
    // The key before the body: a caller without one gets nothing read.
    const key = request.headers.get(UPLOAD_KEY_HEADER);
    if (!key) return { status: 401, jsonBody: { error: `An upload key is required in the ${UPLOAD_KEY_HEADER} header.` } };
    const name = request.params.name ?? "";
    const endpoint = settings.RETRAIN_ENDPOINTS.find((e) => e.toLowerCase() === name.toLowerCase());
    const own = endpoint ? endpointSettingsOf(settings, endpoint) : undefined;
    if (!endpoint || !own?.uploadKeySha256 || !own.dataLocation || key.length > 512 || !uploadKeyOpens(key, own.uploadKeySha256)) return REFUSED;
    const location = parseDataLocation(own.dataLocation);
    if ("problem" in location) return REFUSED; // refused at startup; here for the types
    let blob: string;
    try {
      if (Number(request.headers.get("content-length") ?? 0) > MAX_RETRAIN_BODY_BYTES) throw new BadRequest(`The request body is larger than ${MAX_RETRAIN_BODY_BYTES} bytes.`, 413);
      const body = parseJsonObjectBody(await request.text(), bodySchema);
      const b = uploadBlob(location, body.name);
      if ("problem" in b) throw new BadRequest(`${b.problem}; nothing was issued.`);
      blob = b.blob;
    } catch (e) {
      if (e instanceof BadRequest) return { status: e.status, jsonBody: { error: e.message } };
      throw e;
    }
    const d = appDependencies();
    // The URL is made before anything is signed or logged: a name that cannot be one is refused above, never half-issued.
    const path = `${location.container}/${blob.split("/").map(encodeURIComponent).join("/")}`;
    const blobEndpoint = settings.RETRAIN_UPLOAD_BLOB_ENDPOINT ? `${settings.RETRAIN_UPLOAD_BLOB_ENDPOINT.replace(/\/+$/, "")}/` : d.runStorage.blobEndpoint;
    const expiresOn = new Date(Date.now() + UPLOAD_SAS_LIFETIME_MINUTES * 60_000);
    const sas = await d.signer.sign(location.container, blob, UPLOAD_SAS_PERMISSIONS, expiresOn);
    d.telemetry.event("UploadAuthorized", { endpoint, blob: `${location.container}/${blob}`, expiresOn: expiresOn.toISOString() });
    context.log(logSafe(`Upload SAS issued for ${endpoint}: ${location.container}/${blob} until ${expiresOn.toISOString()}.`, LOG_LINE_CHARS));
    return {
      status: 200,
      jsonBody: {
        endpoint, container: location.container, blob, url: `${blobEndpoint}${path}${sas}`, expiresOn: expiresOn.toISOString(), permissions: ["create", "write"],
        // What Put Blob needs besides the body; a run of this endpoint starts once the upload settles.
        headers: { "x-ms-blob-type": "BlockBlob" },
      },
    };
  },
});
