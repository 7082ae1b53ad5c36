import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "selfsigned";

/** Where the suite's loopback TLS certificate is, for servers in the test processes. */
export const TEST_TLS_CERT = "RETRAINER_TEST_TLS_CERT";
export const TEST_TLS_KEY = "RETRAINER_TEST_TLS_KEY";

/**
 * A certificate for https://127.0.0.1 that every test process trusts. Some clients refuse plain
 * http outright (the Azure Monitor exporter rewrites http:// to https://), so their local
 * counterparts must speak TLS. Node reads NODE_EXTRA_CA_CERTS only when a process starts: it is
 * set here, in vitest's main process, before the test processes are forked. Any CA the caller
 * already trusted that way stays trusted (the two files are concatenated). The files stay in
 * node_modules/.cache (made anew each run): a process may read them as late as its first TLS
 * connection.
 */
export async function trustTestCertificate(): Promise<void> {
  const dir = path.resolve(__dirname, "../../node_modules/.cache/retrainer-test-tls");
  mkdirSync(dir, { recursive: true });
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec", algorithm: "sha256", notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    extensions: [{ name: "basicConstraints", cA: true }, { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const trusted = path.join(dir, "trusted.pem");
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private, { mode: 0o600 });
  // Set already to this very file when inherited from a process that ran this before.
  const earlier = process.env.NODE_EXTRA_CA_CERTS;
  const kept = earlier && earlier !== trusted && existsSync(earlier) ? `${readFileSync(earlier, "utf8").trimEnd()}\n` : "";
  writeFileSync(trusted, `${kept}${pems.cert}`);
  process.env.NODE_EXTRA_CA_CERTS = trusted;
  process.env[TEST_TLS_CERT] = cert;
  process.env[TEST_TLS_KEY] = key;
}
