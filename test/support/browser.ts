import { accessSync, constants, readFileSync } from "node:fs";
import type { AxeResults, ImpactValue } from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Real-browser tests: Debian's Chromium (`apt-get install chromium`, which `.ci/run` does),
 * driven by playwright-core, which downloads nothing. `RETRAINER_CHROMIUM` names another binary.
 */
export function chromiumPath(): string {
  return process.env.RETRAINER_CHROMIUM || "/usr/bin/chromium";
}

/** What is missing for the browser tests, said plainly with the way to install it; undefined when nothing is. */
export function browserMissing(): string | undefined {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return process.env.RETRAINER_CHROMIUM
      ? `no executable Chromium at ${path} (RETRAINER_CHROMIUM); unset it to use Debian's /usr/bin/chromium (apt-get install chromium)`
      : `no Chromium at ${path}: install Debian's with apt-get install chromium, or point RETRAINER_CHROMIUM at another Chromium binary`;
  }
}

/** Headless Chromium; `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to start. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
}

/**
 * A describe block with one browser for its tests (`browser()` inside them). Without Chromium
 * its tests are skipped, and one more test says what is missing: skipped with that reason
 * locally, a failure under CI=true, so CI never passes without the browser.
 */
export function describeWithBrowser(name: string, body: (browser: () => Browser) => void): void {
  const missing = browserMissing();
  describe(name, () => {
    if (missing) {
      it("has a browser (skipped with the reason off CI; a failure under CI=true)", ({ skip }) => {
        if (process.env.CI !== "true") skip(missing);
        expect.fail(`the browser tests cannot run: ${missing}`);
      });
    }
    describe.skipIf(missing !== undefined)("in Chromium", () => {
      let launched: Browser | undefined;
      beforeAll(async () => {
        launched = await launchBrowser();
      });
      afterAll(async () => {
        await launched?.close();
      });
      body(() => {
        if (!launched) throw new Error("the browser is not launched yet: use browser() inside a test or hook");
        return launched;
      });
    });
  });
}

export interface AccessibilityViolation {
  /** axe's rule, e.g. "label". */
  readonly id: string;
  readonly impact: "serious" | "critical";
  readonly help: string;
  /** The elements that break it: CSS selector and markup. */
  readonly nodes: readonly { readonly target: string; readonly html: string }[];
}

let axeSource: string | undefined;

/**
 * axe-core's violations of impact serious or critical on the page as it is now. axe is put into
 * the page through the DevTools protocol (`evaluate`), which a strict Content-Security-Policy
 * does not govern, unlike a script tag.
 */
export async function checkAccessibility(page: Page): Promise<AccessibilityViolation[]> {
  if (!(await page.evaluate("typeof axe === 'object'"))) {
    axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate<AxeResults>("axe.run(document, { resultTypes: ['violations'] })");
  const serious = (impact: ImpactValue | null | undefined): impact is "serious" | "critical" => impact === "serious" || impact === "critical";
  return results.violations.flatMap((v) => (serious(v.impact) ? [{
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(" "), html: n.html })),
  }] : []));
}

export interface PageErrors {
  /** Console errors and uncaught exceptions, other than CSP violations. */
  readonly errors: string[];
  /** Content-Security-Policy violations: the page's `securitypolicyviolation` events and Chromium's console reports of them. */
  readonly cspViolations: string[];
}

const BINDING = "__retrainerCspViolation";
const collectors = new WeakMap<Page, PageErrors>();

/**
 * Records the page's errors from now on, its CSP violations included, so a test can assert that
 * none occurred. Call it before `goto`: the violation listener is installed in each new document.
 */
export async function collectPageErrors(page: Page): Promise<PageErrors> {
  const known = collectors.get(page);
  if (known) return known;
  const collected: PageErrors = { errors: [], cspViolations: [] };
  collectors.set(page, collected);
  page.on("console", (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) collected.cspViolations.push(`console: ${text}`);
    else if (message.type() === "error") collected.errors.push(`console: ${text}`);
  });
  page.on("pageerror", (error) => collected.errors.push(`uncaught: ${error.message}`));
  await page.exposeBinding(BINDING, (_source, report: string) => {
    collected.cspViolations.push(`event: ${report}`);
  });
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", (e) => {
    globalThis.${BINDING}(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
  }, true);`);
  return collected;
}
