import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type UserDelegationKey,
} from "@azure/storage-blob";

/** The `se=` expiry of a SAS token (with or without its leading "?"); undefined if it has none. */
export function sasExpiry(token: string): Date | undefined {
  const se = new URLSearchParams(token.startsWith("?") ? token.slice(1) : token).get("se");
  if (!se) return undefined;
  const t = Date.parse(se);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** True when the token has expired or expires within `marginInMs` of `nowInMs` (or cannot be read). */
export function sasExpiresWithin(token: string, nowInMs: number, marginInMs: number): boolean {
  const expiry = sasExpiry(token);
  return expiry === undefined || expiry.getTime() - nowInMs <= marginInMs;
}

/** Signs blob-scoped SAS tokens; how depends on how storage is reached. */
export interface SasSigner {
  /** `permissions` in SAS letters, e.g. "r" or "cw". Returns the token with its leading "?". */
  sign(container: string, blob: string, permissions: string, expiresOn: Date): Promise<string>;
}

/** Service SAS from an account key: the local (connection string) configuration. */
export class SharedKeySasSigner implements SasSigner {
  constructor(private readonly credential: StorageSharedKeyCredential) {}

  sign(container: string, blob: string, permissions: string, expiresOn: Date): Promise<string> {
    const q = generateBlobSASQueryParameters(
      { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(permissions), expiresOn },
      this.credential,
    );
    return Promise.resolve(`?${q.toString()}`);
  }
}

/**
 * User-delegation SAS, signed with a key obtained through the app's Entra identity: no account
 * key exists anywhere. The delegation key is reused while it outlives the token asked for.
 */
export class UserDelegationSasSigner implements SasSigner {
  private key?: { value: UserDelegationKey; expiresOn: Date };

  constructor(
    private readonly service: BlobServiceClient,
    private readonly now: () => number = Date.now,
  ) {}

  async sign(container: string, blob: string, permissions: string, expiresOn: Date): Promise<string> {
    if (!this.key || this.key.expiresOn < expiresOn) {
      const starts = new Date(this.now() - 5 * 60_000); // tolerate clock skew
      const keyExpires = new Date(Math.max(expiresOn.getTime(), this.now() + 6 * 3600_000));
      this.key = { value: await this.service.getUserDelegationKey(starts, keyExpires), expiresOn: keyExpires };
    }
    const q = generateBlobSASQueryParameters(
      { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(permissions), expiresOn, protocol: SASProtocol.Https },
      this.key.value,
      this.service.accountName,
    );
    return `?${q.toString()}`;
  }
}
