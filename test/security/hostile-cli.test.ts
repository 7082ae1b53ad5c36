import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";

/**
 * Hostile command lines for `npm start` and `npm run serve`: each is refused with exit code 2
 * before anything starts (no Azurite, no host, no port), and a gate is refused with exactly the
 * message `POST /api/retrain` answers it with, since both ask the same function. What is echoed
 * back is bounded and shows control characters instead of sending them to the terminal.
 */
const PROGRAMS = { "npm start": path.resolve(__dirname, "../../dist/local-host/demo.js"), "npm run serve": path.resolve(__dirname, "../../dist/local-host/main.js") } as const;
const [DEMO, SERVE] = ["npm start", "npm run serve"] as const;
/** Lines either program prints only once it has started something. */
const STARTED = /starting Azurite|ready: Functions host|Functions host listening|Settings from/;

function run(program: keyof typeof PROGRAMS, args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAMS[program], ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

/** How the programs show a message holding control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const shown = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => (ch === "\n" ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));

let p: HostedPipeline;
beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
}, 60_000);
afterAll(async () => {
  await p.stop();
});

describe.concurrent("npm start --gate=… is refused as POST /api/retrain refuses the same gate", () => {
  it.each([
    "AUC>0.99",
    "AUC>=NaN",
    "AUC>=Infinity",
    "AUC>=1e309",
    "AUC>=0x1",
    "AUC>=champion*NaN",
    "AUC>=champion*0",
    "AUC<=1",
    "AUC>=0",
    "constructor>=0.5",
    "__proto__>=0.5",
    ";;;",
    Array.from({ length: 17 }, () => "AUC>=0.9").join(";"),
    `AUC>=0.${"9".repeat(1_100)}`,
    "\u001b[2J\u001b[HAUC>=0.9 (all clear)>=0.1",
  ].map((gate) => ({ gate, name: JSON.stringify(gate.length > 60 ? `${gate.slice(0, 60)}…` : gate) })))("$name", async ({ gate }) => {
    const api = await p.call("POST", "/api/retrain", { gate });
    expect(api.status).toBe(400);
    const { error } = api.body as { error: string };
    const cli = await run(DEMO, [`--gate=${gate}`]);
    expect(cli.out).toContain(`npm start: --gate: ${shown(error)}\n`);
    expect(cli.out).not.toMatch(STARTED);
    expect(cli.out).not.toContain("\u001b");
    expect(cli.out.length).toBeLessThan(1_000);
    expect(cli.code).toBe(2);
  });
});

describe.concurrent("other hostile options exit 2 before anything starts", () => {
  const long = `--${"a".repeat(10_000)}`;
  it.each(([
    [DEMO, ["--__proto__=x"], /Unknown option --__proto__\./],
    [DEMO, ["--constructor"], /Unknown option --constructor\./],
    [DEMO, ["--hasOwnProperty=1"], /Unknown option --hasOwnProperty\./],
    [DEMO, ["--backend=__proto__"], /--backend: "__proto__" is not one of classic, azureml\./],
    [DEMO, ["--backend=toString"], /--backend: "toString" is not one of/],
    [DEMO, ["--data=/dev/zero"], /--data: \/dev\/zero is not a file\./],
    [DEMO, ["--data=/"], /--data: \/ is not a file\./],
    [DEMO, ["--rows=99999999999999999999"], /--rows: must be a whole number from 100 to 1,000,000/],
    [DEMO, ["--rows=-100"], /--rows: must be a whole number/],
    [DEMO, ["--rows=0x100"], /--rows: must be a whole number/],
    [DEMO, ["--state-dir=/dev/null"], /--state-dir: \/dev\/null exists and is not a folder\./],
    [DEMO, ["--watch=\u001b[31mred"], /--watch is a switch and takes no value \(got "\\u001b\[31mred"\)/],
    [DEMO, [long], /Unknown option "--a{78}…"\./],
    [DEMO, ["x".repeat(10_000)], /Unexpected argument "x{80}…"/],
    [SERVE, ["--__proto__=1"], /Unknown option --__proto__\./],
    [SERVE, ["--port=65536"], /--port: must be a port from 0 to 65535, got "65536"\./],
    [SERVE, ["--port=7071; rm -rf /"], /--port: must be a port from 0 to 65535/],
    [SERVE, ["--azurite-ports=10000,10000,10000"], /--azurite-ports must be three different ports/],
    [SERVE, ["--blob-events-port=1e3"], /--blob-events-port: must be a port/],
    [SERVE, ["--settings=/dev/zero"], /--settings: \/dev\/zero is not a file\./],
    [SERVE, ["--state-dir=/dev/null"], /--state-dir: \/dev\/null exists and is not a folder\./],
    [SERVE, ["--no-ml-service=false"], /--no-ml-service is a switch and takes no value/],
    [SERVE, [long], /Unknown option "--a{78}…"\./],
  ] as const).map(([program, args, message]) => ({ program, args, message, name: `${program} ${JSON.stringify(args.map((a) => (a.length > 60 ? `${a.slice(0, 60)}…` : a)))}` })))("$name", async ({ program, args, message }) => {
    const { code, out } = await run(program, args);
    expect(out).toMatch(message);
    expect(out).toMatch(/Run "npm (start|run serve) -- --help" for the options\./);
    expect(out).not.toMatch(STARTED);
    expect(out).not.toContain("\u001b");
    expect(out.length).toBeLessThan(1_000);
    expect(code).toBe(2);
  });
});
