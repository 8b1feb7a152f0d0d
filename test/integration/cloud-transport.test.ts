/**
 * The signed transport over real HTTP: what each kind of failure becomes, and the missing-credentials
 * message.
 */
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { CloudError } from "../../provider/cloud/errors";
import { createContext, invoke } from "../../provider/cloud/context";
import { CONNECTION_REFUSED_MAX_ATTEMPTS, INVALID_RESPONSE_MAX_ATTEMPTS } from "../../provider/cloud/retry";
import { envSource } from "../../provider/cloud/settings";
import { emulatorEnv } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

/** A reply held longer than any test runs: only the client's read timeout can end such a call. */
const HELD_MS = 10 * 60_000;

const emu = useEmulator();

const listPools = (env: Record<string, string>) =>
  createContext(envSource(env)).transport.call("VpcIpam", "ListIpamPools", { RegionId: "cn-hangzhou" }, { region: "cn-hangzhou" });

test("a signed call succeeds and carries the request id; the emulator saw a V3 signature", async () => {
  const body = await listPools(emulatorEnv(emu));
  expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  expect(emu.control.calls()[0]).toMatchObject({ action: "ListIpamPools", signature: "V3", outcome: { status: 200 } });
});

test("a wrong secret is a permanent SignatureDoesNotMatch with status and request id", async () => {
  const err = await listPools({ ...emulatorEnv(emu), ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong" }).catch((e) => e);
  expect(err).toBeInstanceOf(CloudError);
  expect(err).toMatchObject({ code: "SignatureDoesNotMatch", status: 400, kind: "permanent" });
  expect(err.requestId).toMatch(/^[0-9A-F-]{36}$/);
});

test("throttling and 503 are classified from the body's code", async () => {
  emu.control.addFault({ action: "ListIpamPools", kind: "error", code: "Throttling.User", count: 1 });
  await expect(listPools(emulatorEnv(emu))).rejects.toMatchObject({ code: "Throttling.User", kind: "throttling" });
  emu.control.addFault({ action: "ListIpamPools", kind: "error", code: "SystemBusy", status: 503, count: 1 });
  await expect(listPools(emulatorEnv(emu))).rejects.toMatchObject({ code: "SystemBusy", status: 503, kind: "transient" });
});

test("reset, lost response and read timeout are transient", async () => {
  emu.control.addFault({ action: "ListIpamPools", kind: "reset", count: 1 });
  await expect(listPools(emulatorEnv(emu))).rejects.toMatchObject({ code: "ECONNRESET", kind: "transient" });
  // A reply held far beyond the read timeout: only the client's timer can end the call.
  emu.control.addFault({ action: "ListIpamPools", kind: "latency", latencyMs: HELD_MS, count: 1 });
  await expect(listPools(emulatorEnv(emu, { ALICLOUD_RELEASE_READ_TIMEOUT_MS: "100" }))).rejects.toMatchObject({ code: "ReadTimeout", kind: "transient" });
});

/** A stand-in for a proxy in front of the service: answers every request with `status`, `type` and `body`. */
async function withProxy(status: number, type: string | undefined, body: string, run: (env: Record<string, string>, hits: () => number) => Promise<void>): Promise<void> {
  let hits = 0;
  const proxy: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(status, type ? { "Content-Type": type } : {});
    res.end(body);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const port = (proxy.address() as AddressInfo).port;
  try {
    await run({ ...emulatorEnv(emu), ALIBABA_CLOUD_ENDPOINT_VPCIPAM: `http://127.0.0.1:${port}` }, () => hits);
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
}

const PAGE = "<html><body>502 Bad Gateway</body></html>";

test("a body that is not JSON: the error says what came back, from where, and only a 5xx is retryable", async () => {
  await withProxy(502, "text/html", PAGE, async (env, hits) => {
    const err = await listPools(env).catch((e) => e);
    expect(err).toMatchObject({ code: "InvalidResponse", status: 502, kind: "transient" });
    expect(err.message).toMatch(/^InvalidResponse: http:\/\/127\.0\.0\.1:\d+ answered ListIpamPools with a body that is not JSON: text\/html, starting "<html><bo.*\(HTTP 502\)$/);
    expect(hits()).toBe(1);
  });
  await withProxy(403, "text/html; charset=utf-8", "<!DOCTYPE html><p>Forbidden by proxy</p>", async (env) => {
    const err = await listPools(env).catch((e) => e);
    expect(err).toMatchObject({ code: "InvalidResponse", status: 403, kind: "permanent" });
    expect(err.message).toMatch(/answered ListIpamPools with a body that is not JSON: text\/html; charset=utf-8, starting "<!DOCTYPE.*\(HTTP 403\)$/);
  });
  await withProxy(200, "text/html", PAGE, async (env) => {
    await expect(listPools(env)).rejects.toMatchObject({ code: "InvalidResponse", status: 200, kind: "permanent" });
  });
  await withProxy(200, undefined, "", async (env) => {
    const err = await listPools(env).catch((e) => e);
    expect(err).toMatchObject({ code: "InvalidResponse", status: 200, kind: "permanent" });
    expect(err.message).toMatch(/with a body that is not JSON: no content type, empty; .*\(HTTP 200\)$/);
  });
});

test("under the retry policy a 5xx HTML page is retried a little, a 2xx one not at all", async () => {
  const invokeList = (env: Record<string, string>) =>
    invoke(createContext(envSource(env), { progress: () => undefined }), {
      operation: "listing IPAM pools",
      product: "VpcIpam",
      action: "ListIpamPools",
      params: { RegionId: "cn-hangzhou" },
      region: "cn-hangzhou",
    });
  await withProxy(502, "text/html", PAGE, async (env, hits) => {
    await expect(invokeList(env)).rejects.toMatchObject({ code: "InvalidResponse", attempts: INVALID_RESPONSE_MAX_ATTEMPTS });
    expect(hits()).toBe(INVALID_RESPONSE_MAX_ATTEMPTS);
  });
  await withProxy(200, "text/html", PAGE, async (env, hits) => {
    await expect(invokeList(env)).rejects.toMatchObject({ code: "InvalidResponse", attempts: 1 });
    expect(hits()).toBe(1);
  });
});

/** A port nobody listens on any more: bound on port 0, then closed. */
async function refusingPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  return port;
}

test("a refused connection is transient and says what failed, where, and which setting to check", async () => {
  const port = await refusingPort();
  const err = await listPools({ ...emulatorEnv(emu), ALIBABA_CLOUD_ENDPOINT_VPCIPAM: `http://127.0.0.1:${port}` }).catch((e: CloudError) => e);
  expect(err).toMatchObject({ code: "ECONNREFUSED", kind: "transient" });
  expect(err.cloudMessage).toBe(
    `could not connect to http://127.0.0.1:${port} (connection refused) calling ListIpamPools; nothing was sent. ` +
      `Check the VpcIpam endpoint (from env ALIBABA_CLOUD_ENDPOINT_VPCIPAM; set with Pulumi config alicloud:endpoints or env ALIBABA_CLOUD_ENDPOINT_VPCIPAM)`,
  );
  // neither the request line nor its query string
  expect(err.message).not.toMatch(/RegionId=|POST|\?/);
});

test("a refused connection is given up after 2 attempts, with how long they took", async () => {
  const port = await refusingPort();
  const env = { ...emulatorEnv(emu), ALIBABA_CLOUD_ENDPOINT_VPCIPAM: `http://127.0.0.1:${port}`, ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0" };
  const err = await invoke(createContext(envSource(env), { progress: () => undefined }), {
    operation: "listing IPAM pools",
    product: "VpcIpam",
    action: "ListIpamPools",
    params: { RegionId: "cn-hangzhou" },
    region: "cn-hangzhou",
  }).catch((e: CloudError) => e);
  expect(err).toMatchObject({ code: "ECONNREFUSED", attempts: CONNECTION_REFUSED_MAX_ATTEMPTS });
  expect(CONNECTION_REFUSED_MAX_ATTEMPTS).toBe(2);
  expect(err.message).toMatch(new RegExp(`^listing IPAM pools: after 2 failed attempts over \\d+(\\.\\d)? s: ECONNREFUSED: could not connect to http://127\\.0\\.0\\.1:${port} \\(connection refused\\) calling ListIpamPools`));
});

test("no credentials anywhere: the error lists every place that was searched", async () => {
  const home = process.env.HOME;
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (/^(ALIBABA_CLOUD|ALICLOUD)_/.test(k)) delete process.env[k];
  process.env.HOME = "/nonexistent-home";
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
  try {
    const err = await listPools({ ALIBABA_CLOUD_ENDPOINT_VPCIPAM: emu.url }).catch((e) => e);
    expect(err).toMatchObject({ code: "MissingCredentials", kind: "permanent" });
    expect(err.message).toContain("Pulumi config alicloud:accessKey");
    expect(err.message).toContain("ALICLOUD_ACCESS_KEY");
    expect(emu.control.calls()).toEqual([]);
  } finally {
    process.env = saved;
    process.env.HOME = home;
  }
});

test("each call gets its own read timeout: an earlier call's timer neither cuts a later one short nor lets a slow one hang", async () => {
  // Margins wide enough for a loaded machine: 300 ms of latency against a 3 s read timeout.
  const env = emulatorEnv(emu, { ALICLOUD_RELEASE_CONNECT_TIMEOUT_MS: "100", ALICLOUD_RELEASE_READ_TIMEOUT_MS: "3000" });
  const ctx = createContext(envSource(env));
  const call = () => ctx.transport.call("VpcIpam", "ListIpamPools", { RegionId: "cn-hangzhou" }, { region: "cn-hangzhou" });
  await call();
  // slower than the connect timeout, within the read timeout: answered
  emu.control.addFault({ action: "ListIpamPools", kind: "latency", latencyMs: 300, count: 1 });
  await expect(call()).resolves.toHaveProperty("RequestId");
  // a reply held far beyond the read timeout, right after other calls on the same transport: given up on
  // (had the timer not fired, the call would have outlived the test's own timeout)
  emu.control.addFault({ action: "ListIpamPools", kind: "latency", latencyMs: HELD_MS, count: 1 });
  await expect(call()).rejects.toMatchObject({ code: "ReadTimeout", kind: "transient" });
  expect(emu.control.calls().at(-1)).toMatchObject({ action: "ListIpamPools", fault: "latency", latencyMs: HELD_MS });
});
