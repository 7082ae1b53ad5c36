import { describe, expect, it } from "vitest";
import { checkedTarget } from "../../../shared/storage/url-policy";

const refused = /^Data source URL .* was refused: it, or a redirect from it, leads to an address this app does not fetch data from\.$/;

describe("checkedTarget: where a URL data source may lead", () => {
  it.each([
    ["the instance metadata service", "http://169.254.169.254/metadata/instance"],
    ["the metadata service over https", "https://169.254.169.254/metadata/instance"],
    ["Azure's platform endpoint", "https://168.63.129.16/"],
    ["a private network", "https://10.1.2.3/data.csv"],
    ["another private network", "https://192.168.0.10/data.csv"],
    ["a carrier-grade NAT address", "https://100.64.0.1/data.csv"],
    ["IPv6 link-local", "https://[fe80::1]/data.csv"],
    ["IPv6 unique-local", "https://[fd12::1]/data.csv"],
    ["loopback, when not allowed", "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances"],
    ["loopback over https, when not allowed", "https://127.0.0.1/x.csv"],
    ["IPv6 loopback, when not allowed", "http://[::1]:7071/x.csv"],
    ["loopback in IPv4-mapped IPv6", "https://[::ffff:127.0.0.1]/x.csv"],
    ["localhost by name", "http://localhost:7071/x.csv"],
    ["the unspecified address", "https://0.0.0.0/x.csv"],
    ["plain http to a public address", "http://8.8.8.8/x.csv"],
  ])("refuses %s, with one answer for all", async (_what, url) => {
    await expect(checkedTarget(url, { allowLoopback: false })).rejects.toThrow(refused);
  });

  it("allows loopback, over http too, only where the local-only setting says so", async () => {
    await expect(checkedTarget("http://127.0.0.1:8080/x.csv", { allowLoopback: true })).resolves.toEqual({ address: "127.0.0.1", family: 4 });
    await expect(checkedTarget("http://localhost:8080/x.csv", { allowLoopback: true })).resolves.toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) as unknown });
    // private ranges stay refused even then
    await expect(checkedTarget("https://169.254.169.254/", { allowLoopback: true })).rejects.toThrow(refused);
  });

  it("allows a public address over https, and connects to the address it checked", async () => {
    await expect(checkedTarget("https://8.8.8.8/x.csv", { allowLoopback: false })).resolves.toEqual({ address: "8.8.8.8", family: 4 });
  });
});
