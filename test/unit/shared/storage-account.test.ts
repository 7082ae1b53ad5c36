import { describe, expect, it } from "vitest";
import { accountOfBlobUrl, stagingAccountName, topicIsAccount } from "../../../shared/storage/storage-account";

describe("stagingAccountName", () => {
  it.each([
    [{ STAGING_STORAGE_ACCOUNT_URL: "https://stabc123.blob.core.windows.net/" }, "stabc123"],
    [{ STAGING_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true" }, "devstoreaccount1"],
    [{ STAGING_STORAGE_CONNECTION_STRING: "DefaultEndpointsProtocol=https;AccountName=MyAcct;AccountKey=k==;EndpointSuffix=core.windows.net" }, "myacct"],
    [{ STAGING_STORAGE_CONNECTION_STRING: "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;SharedAccessSignature=sv=x" }, "devstoreaccount1"],
    [{ STAGING_STORAGE_CONNECTION_STRING: "BlobEndpoint=https://acct2.blob.core.windows.net/;SharedAccessSignature=sv=x" }, "acct2"],
    [{ STAGING_STORAGE_CONNECTION_STRING: "nonsense" }, undefined],
    [{}, undefined],
  ])("%j → %s", (s, name) => {
    expect(stagingAccountName(s)).toBe(name);
  });

  it("reads path-style (Azurite, IP) and host-style URLs", () => {
    expect(accountOfBlobUrl("http://localhost:10000/devstoreaccount1/")).toBe("devstoreaccount1");
    expect(accountOfBlobUrl("not a url")).toBeUndefined();
  });
});

describe("topicIsAccount", () => {
  const topic = (account: string) => `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${account}`;
  it("is the account's resource id, in any case", () => {
    expect(topicIsAccount(topic("stabc"), "stabc")).toBe(true);
    expect(topicIsAccount(topic("STABC").toLowerCase(), "StAbc")).toBe(true);
  });
  it.each([
    topic("other"), `${topic("stabc")}/blobServices/default`, "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.EventGrid/topics/stabc", "stabc", "",
  ])("refuses %j", (t) => {
    expect(topicIsAccount(t, "stabc")).toBe(false);
  });
});
