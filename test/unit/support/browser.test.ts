import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { checkAccessibility, collectPageErrors, describeWithBrowser } from "../../support/browser";

// The policy the pages under test are served with: no inline script or style at all.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'";

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><script src="/app.js" defer></script></head><body><main>${body}</main></body></html>`;

const FILES: Record<string, { type: string; body: string }> = {
  "/clean": { type: "text/html", body: page("Clean", `<h1>Clean</h1><label for="name">Name</label><input id="name"><button id="go" type="button">Go</button><p id="out">idle</p>`) },
  "/unlabelled": { type: "text/html", body: page("Unlabelled", `<h1>Unlabelled</h1><input id="name">`) },
  "/inline": { type: "text/html", body: page("Inline", `<h1>Inline</h1><script>document.title = "ran";</script>`) },
  "/app.js": {
    type: "text/javascript",
    body: `document.getElementById("go")?.addEventListener("click", () => { document.getElementById("out").textContent = "clicked"; });`,
  },
};

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const file = FILES[req.url ?? ""];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": `${file.type}; charset=utf-8`, "Content-Security-Policy": CSP }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describeWithBrowser("the browser test support", (browser) => {
  let tab: Page;
  beforeEach(async () => {
    tab = await (await browser().newContext()).newPage();
  });
  afterEach(async () => {
    await tab.context().close();
  });

  it("runs the page's own external script under the strict CSP, with no error", async () => {
    const errors = await collectPageErrors(tab);
    await tab.goto(`${origin}/clean`);
    await tab.getByRole("button", { name: "Go" }).click();
    await expect.poll(() => tab.textContent("#out")).toBe("clicked");
    expect(errors).toEqual({ errors: [], cspViolations: [] });
  });

  it("finds no serious accessibility violation on a clean page, and a missing label on an unlabelled input", async () => {
    await tab.goto(`${origin}/clean`);
    expect(await checkAccessibility(tab)).toEqual([]);

    await tab.goto(`${origin}/unlabelled`);
    const violations = await checkAccessibility(tab);
    expect(violations.map((v) => v.id)).toEqual(["label"]);
    expect(violations[0]).toMatchObject({ impact: "critical", nodes: [{ target: "#name", html: '<input id="name">' }] });
  });

  it("reports an inline script the CSP blocked, and the script did not run", async () => {
    const errors = await collectPageErrors(tab);
    await tab.goto(`${origin}/inline`);
    await expect.poll(() => errors.cspViolations.filter((v) => v.startsWith("event: ")).length).toBe(1);
    await expect.poll(() => errors.cspViolations.some((v) => v.startsWith("console: ") && /inline script/i.test(v))).toBe(true);
    expect(errors.cspViolations[0] ?? "").toMatch(/script-src/);
    expect(await tab.title()).toBe("Inline");
    expect(errors.errors).toEqual([]);
  });
});
