/**
 * The emulator's HTTP core against the REAL `@alicloud/openapi-client` 0.4.15 (and raw node:http
 * requests for what the SDK will not send: tampered, replayed or malformed requests).
 *
 * Fake product models defined here exercise the core independently of the product models; one
 * group at the end uses the real VpcIpam model. Every server uses port 0; no test sleeps.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/server";
import { ApiError, type ActionDefinition, type ProductModel, type TransitionTiming } from "../../emulator/core/types";
import {
  EMPTY_BODY_SHA256,
  formatTimestamp,
  percentEncode,
  sha256Hex,
  signV1Params,
  signV3Request,
} from "../../emulator/core/signature";

// ---------------------------------------------------------------------------------------------
// Fake models
// ---------------------------------------------------------------------------------------------

interface FakeModel extends ProductModel {
  handled: string[];
  things: Map<string, { Name: string }>;
  pending: number;
  timing: TransitionTiming;
}

function fakeModel(product: "VpcIpam" | "Eipanycast" = "VpcIpam"): FakeModel {
  const version = product === "VpcIpam" ? "2023-02-28" : "2020-03-09";
  const hostPrefix = product === "VpcIpam" ? "vpcipam" : "eipanycast";
  let n = 0;
  const m: FakeModel = {
    product,
    version,
    hostPrefix,
    handled: [],
    things: new Map(),
    pending: 0,
    timing: { Creating: 1000 },
    actions: {} as Record<string, ActionDefinition>,
    reset() {
      m.things.clear();
      m.handled.length = 0;
      m.pending = 0;
      m.timing = { Creating: 1000 };
    },
    seed(spec: unknown) {
      const names = (spec as { names?: string[] }).names ?? [];
      if (!Array.isArray(names)) throw new ApiError("InvalidParameter", "seed: names must be an array", 400);
      const ids = names.map((name) => {
        const id = `thing-${++n}`;
        m.things.set(id, { Name: name });
        return id;
      });
      return { ids };
    },
    inventory() {
      return { things: Object.fromEntries(m.things), pending: m.pending };
    },
    settle() {
      const done = m.pending;
      m.pending = 0;
      return done;
    },
    setTiming(t: TransitionTiming) {
      m.timing = { ...m.timing, ...t };
    },
    getTiming() {
      return { ...m.timing };
    },
    snapshot() {
      return { things: [...m.things], n };
    },
    restore(s: unknown) {
      const snap = s as { things: [string, { Name: string }][]; n: number };
      m.things = new Map(snap.things);
      n = snap.n;
    },
  };
  const actions: Record<string, ActionDefinition> = {
    Echo: {
      mutating: false,
      idempotent: false,
      required: [],
      handle: (ctx) => {
        m.handled.push("Echo");
        return { Params: ctx.params, AccessKeyId: ctx.accessKeyId, Product: ctx.product, Now: ctx.now };
      },
    },
    CreateThing: {
      mutating: true,
      idempotent: true,
      required: ["Name"],
      handle: (ctx) => {
        m.handled.push("CreateThing");
        if (ctx.params.Name === "fail") throw new ApiError("InvalidName.Malformed", "The name is not valid.", 400);
        const id = `thing-${++n}`;
        m.things.set(id, { Name: ctx.params.Name });
        m.pending++;
        return { ThingId: id };
      },
    },
    DeleteThing: {
      mutating: true,
      idempotent: true,
      required: ["ThingId"],
      methods: ["POST"],
      handle: (ctx) => {
        m.handled.push("DeleteThing");
        if (!m.things.delete(ctx.params.ThingId)) throw new ApiError("ResourceNotFound.Thing", "The thing does not exist.", 404);
        return {};
      },
    },
    Boom: {
      mutating: false,
      idempotent: false,
      required: [],
      handle: () => {
        throw new TypeError("model bug");
      },
    },
  };
  (m as { actions: Record<string, ActionDefinition> }).actions = actions;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

const VERSION = "2023-02-28";

interface SdkOpts {
  version?: string;
  method?: "GET" | "POST";
  body?: Record<string, string>;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  signatureAlgorithm?: string;
  readTimeout?: number;
}

function sdkClient(emu: RunningEmulator, o: SdkOpts = {}): OpenApi {
  return new OpenApi(
    new $OpenApi.Config({
      accessKeyId: o.accessKeyId ?? emu.accessKeyId,
      accessKeySecret: o.accessKeySecret ?? emu.accessKeySecret,
      ...(o.securityToken !== undefined ? { securityToken: o.securityToken } : {}),
      ...(o.signatureAlgorithm !== undefined ? { signatureAlgorithm: o.signatureAlgorithm } : {}),
      endpoint: emu.endpoint,
      protocol: "HTTP",
      readTimeout: o.readTimeout ?? 5000,
      connectTimeout: 2000,
    }),
  );
}

interface SdkResult {
  statusCode: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

async function sdkCall(emu: RunningEmulator, action: string, query: Record<string, unknown> = {}, o: SdkOpts = {}): Promise<SdkResult> {
  const client = sdkClient(emu, o);
  const params = new $OpenApi.Params({
    action,
    version: o.version ?? VERSION,
    protocol: "HTTP",
    pathname: "/",
    method: o.method ?? "POST",
    authType: "AK",
    style: "RPC",
    reqBodyType: "formData",
    bodyType: "json",
  });
  const req = new $OpenApi.OpenApiRequest({
    query: OpenApiUtil.query(query),
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  return (await client.callApi(params, req, new $Util.RuntimeOptions({}))) as SdkResult;
}

interface SdkError extends Error {
  code: string;
  data: { statusCode: number; RequestId: string; HostId: string; Code: string; Message: string; Recommend: string };
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error("expected the call to fail");
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

function raw(
  emu: RunningEmulator,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (body !== undefined && !opts.chunked) headers["content-length"] = String(body.length);
    const req = httpRequest(
      { host: "127.0.0.1", port: emu.port, method: opts.method ?? "POST", path: opts.path ?? "/", headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (body !== undefined) {
      if (opts.chunked) {
        // Two writes without content-length → Transfer-Encoding: chunked.
        req.write(body.subarray(0, Math.floor(body.length / 2)));
        req.write(body.subarray(Math.floor(body.length / 2)));
      } else req.write(body);
    }
    req.end();
  });
}

function qs(query: Record<string, string>, encode: (s: string) => string = percentEncode): string {
  const s = Object.entries(query)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join("&");
  return s ? `?${s}` : "";
}

/** A correctly signed V3 request, to be sent as is or tampered with. */
function v3(
  emu: RunningEmulator,
  action: string,
  query: Record<string, string> = {},
  extra: Partial<Parameters<typeof signV3Request>[0]> = {},
): { path: string; headers: Record<string, string> } {
  const headers = signV3Request({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    host: emu.endpoint,
    action,
    version: VERSION,
    query,
    ...extra,
  });
  return { path: `${extra.path ?? "/"}${qs(query)}`, headers };
}

const control = (emu: RunningEmulator, method: string, path: string, body?: unknown) =>
  raw(emu, {
    method,
    path: `/_emulator/${path}`,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    // Control-plane writes must be JSON (a page cannot send that cross-origin without a preflight).
    ...(method !== "GET" ? { headers: { "content-type": "application/json" } } : {}),
  });

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const running: RunningEmulator[] = [];
let vpc: FakeModel;
let eip: FakeModel;
let clock: number;

async function start(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  vpc = fakeModel("VpcIpam");
  eip = fakeModel("Eipanycast");
  clock = Date.UTC(2025, 0, 2, 3, 4, 5);
  const emu = await startEmulator({ port: 0, models: [vpc, eip], now: () => clock, ...opts });
  running.push(emu);
  return emu;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("startEmulator basics", () => {
  it("listens on a free port with the documented defaults", async () => {
    const emu = await start();
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.endpoint).toBe(`127.0.0.1:${emu.port}`);
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.accessKeyId).toBe("emulator-access-key-id");
    expect(emu.accessKeySecret).toBe("emulator-access-key-secret");
  });
});

describe("V3 signature verification (SDK default path)", () => {
  it("accepts a valid SDK call (POST and GET) and returns the body plus an upper-case RequestId", async () => {
    const emu = await start();
    const res = await sdkCall(emu, "Echo", { RegionId: "cn-hangzhou", Name: "a b*c~(d)!'", "Tags": [{ Key: "k", Value: "v" }] });
    expect(res.statusCode).toBe(200);
    expect(res.body.RequestId).toMatch(UUID_UPPER);
    expect(Object.keys(res.body)[0]).toBe("RequestId");
    expect(res.headers["content-type"]).toBe("application/json;charset=utf-8");
    expect(res.headers["x-acs-request-id"]).toBe(res.body.RequestId);
    expect(res.body.Params).toEqual({ RegionId: "cn-hangzhou", Name: "a b*c~(d)!'", "Tags.1.Key": "k", "Tags.1.Value": "v" });
    expect(res.body.AccessKeyId).toBe(emu.accessKeyId);
    expect(res.body.Now).toBe(clock);
    const get = await sdkCall(emu, "Echo", { X: "1" }, { method: "GET" });
    expect(get.body.Params).toEqual({ X: "1" });
    const calls = emu.control.calls();
    expect(calls.map((c) => [c.method, c.signature, c.action, c.outcome.status])).toEqual([
      ["POST", "V3", "Echo", 200],
      ["GET", "V3", "Echo", 200],
    ]);
  });

  it("wrong secret → SignatureDoesNotMatch 400 with the server StringToSign", async () => {
    const emu = await start();
    const err = await sdkError(sdkCall(emu, "Echo", { A: "1" }, { accessKeySecret: "wrong" }));
    expect(err.code).toBe("SignatureDoesNotMatch");
    expect(err.data.statusCode).toBe(400);
    expect(err.data.Message).toMatch(/^Specified signature does not match our calculation\. server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\]$/);
    expect(err.message).toContain("code: 400");
    expect(vpc.handled).toEqual([]);
    expect(emu.control.calls()[0]).toMatchObject({ outcome: { status: 400, code: "SignatureDoesNotMatch" }, mutating: false });
  });

  it("unknown AccessKeyId → InvalidAccessKeyId.NotFound 404", async () => {
    const emu = await start();
    const err = await sdkError(sdkCall(emu, "Echo", {}, { accessKeyId: "someone-else" }));
    expect(err.code).toBe("InvalidAccessKeyId.NotFound");
    expect(err.data.statusCode).toBe(404);
  });

  it("verifies against decoded parameters: raw URLs escaped differently still pass, a tampered one fails", async () => {
    const emu = await start();
    const query = { Name: "a b*c~(d)!'", RegionId: "cn-hangzhou" };
    const ok = v3(emu, "Echo", query);
    // Send the URL escaped the way Node's querystring does (leaves * ( ) ! ' literal).
    const lenient = `/${qs(query, (s) => encodeURIComponent(s))}`;
    const res = await raw(emu, { path: lenient, headers: ok.headers });
    expect(res.status).toBe(200);
    expect((res.json.Params as Record<string, string>).Name).toBe("a b*c~(d)!'");

    const signed = v3(emu, "Echo", { Name: "alice" });
    const tampered = await raw(emu, { path: "/?Name=mallory", headers: signed.headers });
    expect(tampered.status).toBe(400);
    expect(tampered.json.Code).toBe("SignatureDoesNotMatch");
    const added = v3(emu, "Echo", { Name: "alice" });
    expect((await raw(emu, { path: "/?Name=alice&Extra=1", headers: added.headers })).json.Code).toBe("SignatureDoesNotMatch");
    const method = v3(emu, "Echo", {}, { method: "POST" });
    expect((await raw(emu, { method: "GET", path: method.path, headers: method.headers })).json.Code).toBe("SignatureDoesNotMatch");
  });

  it("a reused nonce → SignatureNonceUsed 400; a nonce is only remembered after a successful check", async () => {
    const emu = await start();
    const nonce = "fixed-nonce-0001";
    const bad = v3(emu, "Echo", {}, { nonce, accessKeySecret: "wrong" });
    expect((await raw(emu, bad)).json.Code).toBe("SignatureDoesNotMatch");
    const first = v3(emu, "Echo", {}, { nonce });
    expect((await raw(emu, first)).status).toBe(200);
    const again = v3(emu, "Echo", { Different: "params" }, { nonce });
    const res = await raw(emu, again);
    expect(res.status).toBe(400);
    expect(res.json.Code).toBe("SignatureNonceUsed");
    expect(res.json.Message).toBe("Specified signature nonce was used already.");
  });

  it("missing x-acs-date → MissingParameter 400; malformed → InvalidTimeStamp.Format; outside ±15 min → InvalidTimeStamp.Expired", async () => {
    const emu = await start();
    const r = v3(emu, "Echo");
    // Re-sign without the date header at all.
    const noDate = { ...r.headers };
    delete noDate["x-acs-date"];
    const missing = await raw(emu, { path: r.path, headers: noDate });
    expect(missing.status).toBe(400);
    expect(missing.json.Code).toBe("MissingParameter");
    expect(missing.json.Message).toBe('The input parameter "x-acs-date" that is mandatory for processing this request is not supplied.');

    const withMs = v3(emu, "Echo", {}, { date: new Date().toISOString() });
    expect((await raw(emu, withMs)).json).toMatchObject({ Code: "InvalidTimeStamp.Format" });

    const old = v3(emu, "Echo", {}, { date: formatTimestamp(Date.now() - 16 * 60 * 1000) });
    const expired = await raw(emu, old);
    expect(expired.status).toBe(400);
    expect(expired.json.Code).toBe("InvalidTimeStamp.Expired");
    const future = v3(emu, "Echo", {}, { date: formatTimestamp(Date.now() + 16 * 60 * 1000) });
    expect((await raw(emu, future)).json.Code).toBe("InvalidTimeStamp.Expired");
    const skewed = v3(emu, "Echo", {}, { date: formatTimestamp(Date.now() - 14 * 60 * 1000) });
    expect((await raw(emu, skewed)).status).toBe(200);
  });

  it("Authorization and SignedHeaders rules → IncompleteSignature 400", async () => {
    const emu = await start();
    const r = v3(emu, "Echo");
    const noAuth = { ...r.headers };
    delete noAuth.authorization;
    expect((await raw(emu, { path: r.path, headers: noAuth })).json).toMatchObject({ Code: "IncompleteSignature" });
    expect((await raw(emu, { path: r.path, headers: { ...r.headers, authorization: "Bearer x" } })).json.Code).toBe("IncompleteSignature");
    expect(
      (await raw(emu, { path: r.path, headers: { ...r.headers, authorization: r.headers.authorization.replace(/,Signature=.*/, "") } })).json.Code,
    ).toBe("IncompleteSignature");
    // An extra x-acs-* header that was not signed.
    const extra = await raw(emu, { path: r.path, headers: { ...r.headers, "x-acs-extra": "1" } });
    expect(extra.status).toBe(400);
    expect(extra.json.Code).toBe("IncompleteSignature");
    expect(extra.json.Message).toContain('"x-acs-extra"');
    // host left out of SignedHeaders.
    const noHost = { ...r.headers, authorization: r.headers.authorization.replace("SignedHeaders=host;", "SignedHeaders=") };
    expect((await raw(emu, { path: r.path, headers: noHost })).json.Code).toBe("IncompleteSignature");
    // Spaces after commas are tolerated.
    const spaced = v3(emu, "Echo");
    const auth = spaced.headers.authorization.replace(/,/g, ", ");
    expect((await raw(emu, { path: spaced.path, headers: { ...spaced.headers, authorization: auth } })).status).toBe(200);
  });

  it("body hash must match x-acs-content-sha256", async () => {
    const emu = await start();
    const body = "Name=alice";
    const r = v3(emu, "Echo", {}, { body, contentType: "application/x-www-form-urlencoded" });
    const res = await raw(emu, { path: r.path, headers: r.headers, body: "Name=mallory" });
    expect(res.status).toBe(400);
    expect(res.json.Code).toBe("SignatureDoesNotMatch");
    expect(res.json.Message).toContain(sha256Hex("Name=mallory"));
    expect((await raw(emu, { path: r.path, headers: r.headers, body })).json.Params).toEqual({ Name: "alice" });
    // No body at all but the empty hash claimed: fine.
    expect(v3(emu, "Echo").headers["x-acs-content-sha256"]).toBe(EMPTY_BODY_SHA256);
  });

  it("form-body parameters from the SDK (chunked) are read fully, verified and merged (body wins)", async () => {
    const emu = await start();
    const res = await sdkCall(emu, "Echo", { Q: "query", Both: "from-query" }, { body: { B: "body value *()", Both: "from-body" } });
    expect(res.body.Params).toEqual({ Q: "query", B: "body value *()", Both: "from-body" });
    // And a raw chunked request.
    const body = "Name=" + "x".repeat(20_000);
    const r = v3(emu, "Echo", {}, { body, contentType: "application/x-www-form-urlencoded; charset=UTF-8" });
    const chunked = await raw(emu, { path: r.path, headers: r.headers, body, chunked: true });
    expect(chunked.status).toBe(200);
    expect((chunked.json.Params as Record<string, string>).Name).toHaveLength(20_000);
  });
});

describe("HMAC-SHA1 (SignatureVersion=1.0, SDK signatureAlgorithm 'v2')", () => {
  it("accepts SDK calls with query and form body; strips signature parameters from the call log", async () => {
    const emu = await start();
    const res = await sdkCall(emu, "Echo", { Name: "a b*c" }, { signatureAlgorithm: "v2" });
    expect(res.body.Params).toEqual({ Name: "a b*c" });
    const form = await sdkCall(emu, "Echo", { Q: "1" }, { signatureAlgorithm: "v2", body: { B: "2 3" } });
    expect(form.body.Params).toEqual({ Q: "1", B: "2 3" });
    const get = await sdkCall(emu, "Echo", { G: "1" }, { signatureAlgorithm: "v2", method: "GET" });
    expect(get.body.Params).toEqual({ G: "1" });
    const calls = emu.control.calls();
    expect(calls.map((c) => c.signature)).toEqual(["V1", "V1", "V1"]);
    expect(calls[0].params).toEqual({ Name: "a b*c" });
  });

  it("wrong secret, tampered parameter, reused nonce, bad timestamp", async () => {
    const emu = await start();
    const err = await sdkError(sdkCall(emu, "Echo", {}, { signatureAlgorithm: "v2", accessKeySecret: "nope" }));
    expect(err.code).toBe("SignatureDoesNotMatch");
    expect(err.data.Message).toMatch(/^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3D/);

    const p = signV1Params({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, action: "Echo", version: VERSION, params: { Name: "alice" } });
    expect((await raw(emu, { path: `/${qs(p)}` })).status).toBe(200);
    const p2 = signV1Params({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, action: "Echo", version: VERSION, params: { Name: "alice" } });
    const tampered = await raw(emu, { path: `/${qs({ ...p2, Name: "mallory" })}` });
    expect(tampered.status).toBe(400);
    expect(tampered.json.Code).toBe("SignatureDoesNotMatch");
    // Same request replayed verbatim → nonce reuse.
    expect((await raw(emu, { path: `/${qs(p)}` })).json.Code).toBe("SignatureNonceUsed");
    // Signed as POST but parameters sent in a form body: still verifies (query ∪ body).
    const p3 = signV1Params({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, action: "Echo", version: VERSION, params: { Name: "bob" } });
    const formBody = qs(p3).slice(1);
    const viaForm = await raw(emu, { body: formBody, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(viaForm.status).toBe(200);
    expect(viaForm.json.Params).toEqual({ Name: "bob" });
    const stale = signV1Params({
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      action: "Echo",
      version: VERSION,
      timestamp: formatTimestamp(Date.now() - 20 * 60 * 1000),
    });
    expect((await raw(emu, { path: `/${qs(stale)}` })).json.Code).toBe("InvalidTimeStamp.Expired");
    const { SignatureNonce: _n, ...noNonce } = signV1Params({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, action: "Echo", version: VERSION });
    expect((await raw(emu, { path: `/${qs(noNonce)}` })).json).toMatchObject({ Code: "MissingParameter", Message: expect.stringContaining('"SignatureNonce"') });
    const unknownAk = signV1Params({ accessKeyId: "ghost", accessKeySecret: "x", action: "Echo", version: VERSION });
    expect((await raw(emu, { path: `/${qs(unknownAk)}` })).status).toBe(404);
  });
});

describe("STS security token", () => {
  it("requires the configured token (V3 headers and V1 parameter)", async () => {
    const emu = await start({ securityToken: "sts-token-1" });
    const ok = await sdkCall(emu, "Echo", { A: "1" }, { securityToken: "sts-token-1" });
    expect(ok.statusCode).toBe(200);
    expect((await sdkCall(emu, "Echo", {}, { securityToken: "sts-token-1", signatureAlgorithm: "v2" })).statusCode).toBe(200);

    const missing = await sdkError(sdkCall(emu, "Echo"));
    expect(missing.code).toBe("InvalidSecurityToken.Mismatch");
    expect(missing.data.statusCode).toBe(400);
    expect((await sdkError(sdkCall(emu, "Echo", {}, { securityToken: "other" }))).code).toBe("InvalidSecurityToken.Mismatch");
    expect((await sdkError(sdkCall(emu, "Echo", {}, { securityToken: "other", signatureAlgorithm: "v2" }))).code).toBe("InvalidSecurityToken.Mismatch");
    // x-acs-accesskey-id must match the Credential.
    const r = v3(emu, "Echo", {}, { securityToken: "sts-token-1", extraHeaders: { "x-acs-accesskey-id": "someone" } });
    expect((await raw(emu, r)).json.Code).toBe("InvalidSecurityToken.Mismatch");
  });

  it("a token sent to a long-term AccessKey is rejected", async () => {
    const emu = await start();
    expect((await sdkError(sdkCall(emu, "Echo", {}, { securityToken: "unexpected" }))).code).toBe("InvalidSecurityToken.Mismatch");
  });
});

describe("dispatch and error bodies", () => {
  it("error body has exactly the documented keys, HostId and Recommend", async () => {
    const emu = await start();
    const res = await raw(emu, { ...v3(emu, "NoSuchAction", { RegionId: "cn-shanghai" }) });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json;charset=utf-8");
    expect(Object.keys(res.json)).toEqual(["RequestId", "HostId", "Code", "Message", "Recommend"]);
    expect(res.json).toMatchObject({
      HostId: "vpcipam.cn-shanghai.aliyuncs.com",
      Code: "InvalidAction.NotFound",
      Message: "Specified api is not found, please check your url and method.",
    });
    expect(res.json.RequestId).toMatch(UUID_UPPER);
    expect(res.json.Recommend).toBe(
      `https://api.aliyun.com/troubleshoot?q=InvalidAction.NotFound&product=VpcIpam&requestId=${res.json.RequestId as string}`,
    );
  });

  it("x-acs-version picks the product; unknown version → InvalidVersion 400", async () => {
    const emu = await start();
    const res = await sdkCall(emu, "Echo", {}, { version: "2020-03-09" });
    expect(res.body.Product).toBe("Eipanycast");
    const err = await sdkError(sdkCall(emu, "Echo", {}, { version: "2099-01-01" }));
    expect(err.code).toBe("InvalidVersion");
    expect(err.data.statusCode).toBe(400);
    expect(err.data.HostId).toBe("pop.cn-hangzhou.aliyuncs.com");
    const v1 = await sdkCall(emu, "Echo", {}, { version: "2020-03-09", signatureAlgorithm: "v2" });
    expect(v1.body.Product).toBe("Eipanycast");
  });

  it("Host label and path prefix pick the product (and the version must then match)", async () => {
    const emu = await start();
    const host = `eipanycast.localhost:${emu.port}`;
    const byHost = v3(emu, "Echo", {}, { host, version: "2020-03-09" });
    expect((await raw(emu, byHost)).json.Product).toBe("Eipanycast");
    const wrongVersion = v3(emu, "Echo", {}, { host, version: VERSION });
    expect((await raw(emu, wrongVersion)).json).toMatchObject({ Code: "InvalidVersion", HostId: "eipanycast.cn-hangzhou.aliyuncs.com" });
    const byPath = v3(emu, "Echo", {}, { path: "/eipanycast/", version: "2020-03-09" });
    expect((await raw(emu, byPath)).json.Product).toBe("Eipanycast");
    const unknownPath = v3(emu, "Echo", {}, { path: "/elsewhere" });
    expect((await raw(emu, unknownPath)).json).toMatchObject({ Code: "InvalidAction.NotFound" });
  });

  it("MissingParameter for required params; methods restriction; unknown params ignored; InternalError for model bugs", async () => {
    const logs: string[] = [];
    const emu = await start({ log: (l) => logs.push(l) });
    const missing = await sdkError(sdkCall(emu, "CreateThing", { RegionId: "cn-hangzhou" }));
    expect(missing.code).toBe("MissingParameter");
    expect(missing.data.Message).toBe('The input parameter "Name" that is mandatory for processing this request is not supplied.');
    expect((await sdkError(sdkCall(emu, "CreateThing", { Name: "" }))).code).toBe("MissingParameter");
    const get = await sdkError(sdkCall(emu, "DeleteThing", { ThingId: "x" }, { method: "GET" }));
    expect(get.code).toBe("UnsupportedHTTPMethod");
    const extra = await sdkCall(emu, "CreateThing", { Name: "n", Unknown: "ignored", RegionId: "cn-hangzhou" });
    expect(extra.body.ThingId).toMatch(/^thing-/);
    const boom = await sdkError(sdkCall(emu, "Boom"));
    expect(boom.code).toBe("InternalError");
    expect(boom.data.statusCode).toBe(500);
    expect(logs.join("\n")).toContain("TypeError: model bug");
    const modelErr = await sdkError(sdkCall(emu, "DeleteThing", { ThingId: "nope" }));
    expect(modelErr.code).toBe("ResourceNotFound.Thing");
    expect(modelErr.data.statusCode).toBe(404);
  });
});

describe("ClientToken idempotency", () => {
  it("same token + same params → first body replayed with a new RequestId and no second effect", async () => {
    const emu = await start();
    const a = await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "tok-1" });
    const b = await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "tok-1" });
    expect(b.body.ThingId).toBe(a.body.ThingId);
    expect(b.body.RequestId).not.toBe(a.body.RequestId);
    expect(vpc.handled).toEqual(["CreateThing"]);
    expect(vpc.things.size).toBe(1);
    const calls = emu.control.calls();
    expect(calls.map((c) => [c.clientToken, c.replayed, c.mutating])).toEqual([
      ["tok-1", false, true],
      ["tok-1", true, false],
    ]);
    // Token scope: another action or product with the same token is a different operation.
    await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "tok-1" }, { version: "2020-03-09" });
    expect(eip.things.size).toBe(1);
  });

  it("same token + different params → IdempotentParameterMismatch 400", async () => {
    const emu = await start();
    await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "tok-2" });
    const err = await sdkError(sdkCall(emu, "CreateThing", { Name: "other", ClientToken: "tok-2" }));
    expect(err.code).toBe("IdempotentParameterMismatch");
    expect(err.data.statusCode).toBe(400);
    expect((await sdkError(sdkCall(emu, "CreateThing", { Name: "n", RegionId: "cn-hangzhou", ClientToken: "tok-2" }))).code).toBe(
      "IdempotentParameterMismatch",
    );
    expect(vpc.things.size).toBe(1);
  });

  it("a failed first call is not remembered; invalid tokens are rejected; tokens expire after the TTL", async () => {
    const emu = await start({ clientTokenTtlMs: 60_000 });
    expect((await sdkError(sdkCall(emu, "CreateThing", { Name: "fail", ClientToken: "tok-3" }))).code).toBe("InvalidName.Malformed");
    expect((await sdkError(sdkCall(emu, "CreateThing", { Name: "fail", ClientToken: "tok-3" }))).code).toBe("InvalidName.Malformed");
    expect(vpc.handled).toEqual(["CreateThing", "CreateThing"]);
    const ok = await sdkCall(emu, "CreateThing", { Name: "good", ClientToken: "tok-3" });
    expect(ok.body.ThingId).toMatch(/^thing-/);

    const long = await sdkError(sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "x".repeat(65) }));
    expect(long.code).toBe("InvalidParameter");
    expect(long.data.Message).toContain('"ClientToken"');
    expect((await sdkError(sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "jeton-é" }))).code).toBe("InvalidParameter");

    clock += 60_001;
    const again = await sdkCall(emu, "CreateThing", { Name: "good", ClientToken: "tok-3" });
    expect(again.body.ThingId).not.toBe(ok.body.ThingId);
  });
});

describe("faults", () => {
  it("error: answers the code/status without running the action, for `count` calls", async () => {
    const emu = await start();
    emu.control.addFault({ action: "CreateThing", kind: "error", code: "SystemBusy", count: 2 });
    const e1 = await sdkError(sdkCall(emu, "CreateThing", { Name: "n" }));
    expect(e1.code).toBe("SystemBusy");
    expect(e1.data.statusCode).toBe(503);
    expect(e1.data.Message).toBe("The system is busy. Please try again later.");
    await sdkError(sdkCall(emu, "CreateThing", { Name: "n" }));
    expect((await sdkCall(emu, "CreateThing", { Name: "n" })).statusCode).toBe(200);
    expect(vpc.handled).toEqual(["CreateThing"]);
    expect(emu.control.calls().map((c) => c.fault)).toEqual(["error", "error", null]);
    expect(emu.control.listFaults()).toEqual([]);
    emu.control.addFault({ product: "Eipanycast", action: "*", kind: "error", code: "Custom.Code", status: 418, message: "teapot" });
    expect((await sdkCall(emu, "Echo")).statusCode).toBe(200);
    const custom = await sdkError(sdkCall(emu, "Echo", {}, { version: "2020-03-09" }));
    expect([custom.code, custom.data.statusCode, custom.data.Message]).toEqual(["Custom.Code", 418, "teapot"]);
  });

  it("faults apply only after signature verification", async () => {
    const emu = await start();
    emu.control.addFault({ action: "*", kind: "error", code: "SystemBusy", count: 1 });
    expect((await sdkError(sdkCall(emu, "Echo", {}, { accessKeySecret: "bad" }))).code).toBe("SignatureDoesNotMatch");
    expect((await sdkError(sdkCall(emu, "Echo"))).code).toBe("SystemBusy");
  });

  it("reset: the connection is destroyed before the action runs (nothing committed)", async () => {
    const emu = await start();
    emu.control.addFault({ action: "CreateThing", kind: "reset", count: 1 });
    const err = await sdkError(sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "t" }));
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(vpc.handled).toEqual([]);
    expect(emu.control.calls()[0]).toMatchObject({ fault: "reset", outcome: { status: 0 }, mutating: false });
    // The token was not recorded: the retry executes.
    const retry = await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "t" });
    expect(retry.body.ThingId).toMatch(/^thing-/);
    expect(emu.control.calls()[1]).toMatchObject({ replayed: false, mutating: true });
  });

  it("lost: the action commits, the reply never comes, and a retry with the same token replays", async () => {
    const emu = await start();
    emu.control.addFault({ action: "CreateThing", kind: "lost", count: 1 });
    const err = await sdkError(sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "lost-1" }));
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(vpc.things.size).toBe(1);
    const [first] = emu.control.calls();
    expect(first).toMatchObject({ fault: "lost", outcome: { status: 200 }, mutating: true, clientToken: "lost-1" });
    const retry = await sdkCall(emu, "CreateThing", { Name: "n", ClientToken: "lost-1" });
    expect(retry.body.ThingId).toBe([...vpc.things.keys()][0]);
    expect(vpc.things.size).toBe(1);
    const calls = emu.control.calls();
    expect(calls.filter((c) => c.action === "CreateThing" && c.mutating)).toHaveLength(1);
    expect(new Set(calls.map((c) => c.clientToken))).toEqual(new Set(["lost-1"]));
  });

  it("latency: delays the reply long enough to trip the client's read timeout", async () => {
    const emu = await start();
    // Held longer than the test may run: the call can only end by the client's read timeout.
    emu.control.addFault({ action: "Echo", kind: "latency", latencyMs: 600_000, count: 1 });
    const err = await sdkError(sdkCall(emu, "Echo", {}, { readTimeout: 150 }));
    expect(err.message).toMatch(/ReadTimeout/);
    expect(emu.control.calls()[0]).toMatchObject({ fault: "latency", latencyMs: 600_000, outcome: { status: 200 } });
    expect((await sdkCall(emu, "Echo")).statusCode).toBe(200);
  });

  it("probability rules are reproducible with a seed", async () => {
    const outcomes = async (): Promise<string> => {
      const emu = await start();
      emu.control.addFault({ action: "Echo", kind: "error", probability: 0.5, seed: 1234 });
      let s = "";
      for (let i = 0; i < 12; i++) s += await sdkCall(emu, "Echo").then(() => "." , () => "x");
      await emu.close();
      return s;
    };
    const a = await outcomes();
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\./);
    expect(await outcomes()).toBe(a);
  });

  it("rate limit: Throttling.User 400 once the bucket is empty", async () => {
    const emu = await start();
    emu.control.setRateLimit({ action: "Echo", perSecond: 2 });
    await sdkCall(emu, "Echo");
    await sdkCall(emu, "Echo");
    const err = await sdkError(sdkCall(emu, "Echo"));
    expect(err.code).toBe("Throttling.User");
    expect(err.data.statusCode).toBe(400);
    expect(err.data.Message).toBe("Request was denied due to user flow control.");
    expect((await sdkCall(emu, "CreateThing", { Name: "other action" })).statusCode).toBe(200);
    clock += 500; // the emulator clock refills one token
    expect((await sdkCall(emu, "Echo")).statusCode).toBe(200);
    expect(emu.control.calls().map((c) => c.outcome.code ?? c.outcome.status)).toEqual([200, 200, "Throttling.User", 200, 200]);
  });
});

describe("control plane over HTTP", () => {
  it("health, seed, state, timing, settle, reset", async () => {
    const emu = await start();
    expect((await control(emu, "GET", "health")).json).toMatchObject({ ok: true, models: [{ product: "VpcIpam" }, { product: "Eipanycast" }] });
    const seeded = await control(emu, "POST", "seed", { vpcipam: { names: ["a", "b"] }, Eipanycast: { names: ["c"] } });
    expect(seeded.json).toEqual({ seeded: { vpcipam: { ids: ["thing-1", "thing-2"] }, eipanycast: { ids: ["thing-1"] } } });
    const state = await control(emu, "GET", "state");
    expect(state.json).toEqual({
      vpcipam: { things: { "thing-1": { Name: "a" }, "thing-2": { Name: "b" } }, pending: 0 },
      eipanycast: { things: { "thing-1": { Name: "c" } }, pending: 0 },
    });
    expect((await control(emu, "POST", "seed", { nosuch: {} })).status).toBe(400);
    expect((await control(emu, "POST", "seed", { vpcipam: { names: "x" } })).json).toMatchObject({ code: "InvalidParameter" });

    expect((await control(emu, "GET", "timing")).json).toEqual({ vpcipam: { Creating: 1000 }, eipanycast: { Creating: 1000 } });
    expect((await control(emu, "POST", "timing", { eipanycast: { Creating: null, Deleting: 5 } })).json).toEqual({
      vpcipam: { Creating: 1000 },
      eipanycast: { Creating: null, Deleting: 5 },
    });
    expect((await control(emu, "POST", "timing", { eipanycast: { Creating: -1 } })).status).toBe(400);

    await sdkCall(emu, "CreateThing", { Name: "x" });
    expect((await control(emu, "POST", "settle")).json).toEqual({ settled: { vpcipam: 1, eipanycast: 0 } });

    expect((await control(emu, "POST", "reset")).status).toBe(200);
    expect((await control(emu, "GET", "state")).json).toEqual({ vpcipam: { things: {}, pending: 0 }, eipanycast: { things: {}, pending: 0 } });
    expect((await control(emu, "GET", "calls")).json).toEqual({ calls: [] });
  });

  it("calls (since, delete), faults (add/list/delete/seed), ratelimit, errors", async () => {
    const emu = await start();
    await sdkCall(emu, "Echo");
    await sdkCall(emu, "Echo", { A: "1" });
    const all = (await control(emu, "GET", "calls")).json.calls as { seq: number; params: object }[];
    expect(all.map((c) => c.seq)).toEqual([1, 2]);
    expect(((await control(emu, "GET", "calls?since=1")).json.calls as { params: object }[]).map((c) => c.params)).toEqual([{ A: "1" }]);
    expect((await control(emu, "GET", "calls?since=x")).status).toBe(400);
    await control(emu, "DELETE", "calls");
    await sdkCall(emu, "Echo");
    expect(((await control(emu, "GET", "calls")).json.calls as { seq: number }[]).map((c) => c.seq)).toEqual([3]);

    const added = await control(emu, "POST", "faults", [
      { action: "Echo", kind: "error", code: "ServiceUnavailable", count: 1 },
      { product: "vpcipam", action: "*", kind: "latency", latencyMs: 1 },
    ]);
    const ids = (added.json.faults as { id: string }[]).map((f) => f.id);
    expect(ids).toHaveLength(2);
    expect(((await control(emu, "GET", "faults")).json.faults as unknown[]).length).toBe(2);
    const err = await sdkError(sdkCall(emu, "Echo"));
    expect([err.code, err.data.statusCode]).toEqual(["ServiceUnavailable", 503]);
    expect((await control(emu, "DELETE", `faults/${ids[1]}`)).status).toBe(200);
    expect((await control(emu, "DELETE", `faults/${ids[1]}`)).status).toBe(404);
    expect((await control(emu, "POST", "faults", { action: "Echo", kind: "explode" })).json.error).toMatch(/kind/);
    expect((await control(emu, "POST", "faults/seed", { seed: 7 })).status).toBe(200);
    expect((await control(emu, "DELETE", "faults")).status).toBe(200);

    expect((await control(emu, "POST", "ratelimit", { action: "Echo", perSecond: 0 })).json).toEqual({
      rateLimits: [{ action: "Echo", perSecond: 0, burst: 0, tokens: 0 }],
    });
    expect((await sdkError(sdkCall(emu, "Echo"))).code).toBe("Throttling.User");
    expect(((await control(emu, "GET", "ratelimit")).json.rateLimits as unknown[]).length).toBe(1);
    await control(emu, "DELETE", "ratelimit");
    expect((await sdkCall(emu, "Echo")).statusCode).toBe(200);

    expect((await control(emu, "GET", "nope")).status).toBe(404);
    expect((await control(emu, "GET", "reset")).status).toBe(405);
    const bad = await raw(emu, { path: "/_emulator/seed", body: "{not json", headers: { "content-type": "application/json" } });
    expect([bad.status, bad.json.error]).toEqual([400, "request body is not valid JSON"]);
  });
});

describe("control plane hardening", () => {
  it("refuses writes that are not JSON (415): a web page's text/plain POST cannot reset or seed it", async () => {
    const emu = await start();
    emu.control.seed({ vpcipam: { names: ["kept"] } });
    const plain = await raw(emu, { path: "/_emulator/reset", body: "{}", headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    expect(plain.json.error).toMatch(/Content-Type: application\/json/);
    const none = await raw(emu, { path: "/_emulator/seed", body: '{"vpcipam":{"names":["x"]}}' });
    expect(none.status).toBe(415);
    expect(emu.control.state().vpcipam).toEqual({ things: { "thing-1": { Name: "kept" } }, pending: 0 });
    // Reads stay plain GETs.
    expect((await raw(emu, { method: "GET", path: "/_emulator/state" })).status).toBe(200);
  });

  it("refuses a foreign Origin and a foreign Host (403, JSON error); its own origin and loopback names pass", async () => {
    const emu = await start();
    const json = { "content-type": "application/json" };
    const foreign = await raw(emu, { path: "/_emulator/reset", headers: { ...json, origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toMatch(/cross-origin.*evil\.example/);
    const otherPort = await raw(emu, { path: "/_emulator/reset", headers: { ...json, origin: "http://127.0.0.1:1" } });
    expect(otherPort.status).toBe(403);
    const rebound = await raw(emu, { method: "GET", path: "/_emulator/state", headers: { host: `evil.example:${emu.port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.json.error).toMatch(/Host "evil\.example/);
    expect((await raw(emu, { path: "/_emulator/reset", headers: { ...json, origin: `http://127.0.0.1:${emu.port}` } })).status).toBe(200);
    expect((await raw(emu, { method: "GET", path: "/_emulator/state", headers: { host: `localhost:${emu.port}` } })).status).toBe(200);
    // The API itself still routes on any Host label (vpcipam.cn-hangzhou.aliyuncs.com).
    expect((await sdkCall(emu, "Echo")).statusCode).toBe(200);
  });

  it("refuses out-of-range control input with a 400 naming the field and the valid range", async () => {
    const emu = await start();
    const huge = await control(emu, "POST", "faults", { action: "*", kind: "latency", latencyMs: 2 ** 31 });
    expect([huge.status, huge.json.error]).toEqual([400, "fault rule: \"latencyMs\" must be an integer from 0 to 2147483647 (got 2147483648)"]);
    const burst = await control(emu, "POST", "ratelimit", { action: "Echo", perSecond: 5, burst: 0 });
    expect([burst.status, burst.json.error]).toEqual([400, 'rate limit: "burst" must be an integer >= 1 when perSecond > 0 (got 0)']);
    const product = await control(emu, "POST", "faults", { product: "Ecs", action: "*", kind: "error" });
    expect(product.status).toBe(400);
    expect(product.json.error).toBe('fault rule: "product" must be one of VpcIpam, vpcipam, Eipanycast, eipanycast or "*" (got "Ecs")');
    const limitProduct = await control(emu, "POST", "ratelimit", { product: "Ecs", action: "*", perSecond: 1 });
    expect(limitProduct.status).toBe(400);
    const action = await control(emu, "POST", "faults", { product: "vpcipam", action: "ReleaseAnycastEipAddress", kind: "error" });
    expect(action.status).toBe(400);
    expect(action.json.error).toMatch(/^fault rule: "action" must be "\*" or an action the product serves \(got "ReleaseAnycastEipAddress"; VpcIpam: /);
    expect((await control(emu, "POST", "ratelimit", { action: "Nope", perSecond: 1 })).json.error).toMatch(/^rate limit: "action" must be/);
    expect(emu.control.listFaults()).toEqual([]);
    expect(emu.control.listRateLimits()).toEqual([]);
    // Still valid: the documented "throttle everything" form and the largest delay.
    expect((await control(emu, "POST", "ratelimit", { action: "Echo", perSecond: 0, burst: 0 })).status).toBe(200);
    expect((await control(emu, "POST", "faults", { product: "VpcIpam", action: "Echo", kind: "latency", latencyMs: 2 ** 31 - 1 })).status).toBe(200);
  });
});

describe("memory bounds", () => {
  it("answers 413 for a body over 1 MiB", async () => {
    const emu = await start();
    const big = await raw(emu, { path: "/", body: Buffer.alloc(1024 * 1024 + 1, "a"), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(big.status).toBe(413);
    expect(big.json.error).toBe("request body larger than 1048576 bytes");
    expect(emu.control.calls()).toEqual([]);
  });

  it("truncates logged parameters of unsigned calls and keeps the call log within its byte budget", async () => {
    const emu = await start({ callLogMaxBytes: 64 * 1024 });
    const value = "v".repeat(512 * 1024);
    for (let i = 0; i < 40; i++) {
      const res = await raw(emu, { path: "/", body: `Action=Echo&Big=${value}&N=${i}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(res.status).toBe(400); // unsigned
    }
    const many = Array.from({ length: 3000 }, (_, i) => `P${i}=${"x".repeat(20)}`).join("&");
    await raw(emu, { path: "/", body: `Action=Echo&${many}`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    const res = await control(emu, "GET", "calls");
    expect(res.status).toBe(200);
    const calls = res.json.calls as { seq: number; params: Record<string, string> }[];
    expect(res.text.length).toBeLessThan(64 * 1024);
    expect(calls[0].seq).toBeGreaterThan(1); // the oldest records went
    expect(calls[calls.length - 1].seq).toBe(41);
    const big = calls[calls.length - 2].params;
    expect(big.Big).toBe(`${"v".repeat(1024)}…[truncated ${512 * 1024 - 1024} chars]`);
    expect(big.N).toBe("39");
    const last = calls[calls.length - 1].params;
    expect(Object.keys(last).length).toBeLessThan(3000);
    expect(last["…"]).toMatch(/^\d+ more parameters not logged$/);
  });
});

describe("state persistence", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "emu-state-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("saves after every mutating call and restores inventory and ClientTokens on start", async () => {
    const statePath = join(dir, "nested", "state.json");
    const emu = await start({ statePath });
    const created = await sdkCall(emu, "CreateThing", { Name: "kept", ClientToken: "persist-1" });
    expect(existsSync(statePath)).toBe(true);
    const file = JSON.parse(readFileSync(statePath, "utf8")) as { models: Record<string, unknown>; clientTokens: unknown[] };
    expect(file.models.vpcipam).toMatchObject({ things: [[created.body.ThingId, { Name: "kept" }]] });
    expect(file.clientTokens).toHaveLength(1);
    await emu.close();

    const again = await start({ statePath });
    expect(again.control.state().vpcipam).toMatchObject({ things: { [created.body.ThingId as string]: { Name: "kept" } } });
    const replay = await sdkCall(again, "CreateThing", { Name: "kept", ClientToken: "persist-1" });
    expect(replay.body.ThingId).toBe(created.body.ThingId);
    expect(again.control.calls()[0].replayed).toBe(true);
  });

  it("removes a temp file left by an emulator killed mid-write, and keeps a live writer's", async () => {
    const statePath = join(dir, "state.json");
    const dead = `${statePath}.2147483646.tmp`; // above any pid_max: that writer is gone
    const live = `${statePath}.${process.ppid}.tmp`;
    require("node:fs").writeFileSync(dead, '{"half":');
    require("node:fs").writeFileSync(live, "{}");
    const emu = await start({ statePath });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await sdkCall(emu, "CreateThing", { Name: "x" });
    expect(require("node:fs").readdirSync(dir).sort()).toEqual(["state.json", `state.json.${process.ppid}.tmp`]);
  });

  it("refuses a state file that is not one", async () => {
    const statePath = join(dir, "state.json");
    require("node:fs").writeFileSync(statePath, '{"hello":1}');
    await expect(start({ statePath })).rejects.toThrow(/not a .* document/);
  });
});

describe("real product models", () => {
  it("VpcIpam ListIpamPools through the SDK against the default models", async () => {
    const emu = await startEmulator({ port: 0 });
    running.push(emu);
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-emucore1", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
    const res = await sdkCall(emu, "ListIpamPools", { RegionId: "cn-hangzhou" });
    expect(res.statusCode).toBe(200);
    const pools = res.body.IpamPools as { IpamPoolId: string }[];
    expect(pools.map((p) => p.IpamPoolId)).toContain("ipam-pool-emucore1");
    const state = emu.control.state();
    expect(Object.keys(state)).toEqual(["vpcipam", "eipanycast"]);
    const err = await sdkError(sdkCall(emu, "ListIpamPools", {}));
    expect(err.code).toBe("MissingParameter");
    const eipErr = await sdkError(sdkCall(emu, "NoSuchAnycastAction", {}, { version: "2020-03-09" }));
    expect(eipErr.code).toBe("InvalidAction.NotFound");
  });

  it("GET /_emulator/state uses one casing for both products: the seed's camelCase field names", async () => {
    const emu = await startEmulator({ port: 0 });
    running.push(emu);
    emu.control.seed({
      vpcipam: {
        pools: [{ ipamPoolId: "ipam-pool-casing1", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"], tags: { env: "dev" } }],
        allocations: [{ ipamPoolId: "ipam-pool-casing1", cidr: "10.0.1.0/24", resourceType: "VPC", resourceId: "vpc-casing1" }],
      },
      eipanycast: { eips: [{ name: "casing", tags: [{ key: "env", value: "dev" }], bindings: [{ bindInstanceId: "eni-casing1", bindInstanceRegionId: "cn-hangzhou", bindInstanceType: "NetworkInterface" }] }] },
    });
    const state = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as Record<string, unknown>;
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (v === null || typeof v !== "object") return;
      for (const [k, x] of Object.entries(v)) {
        keys.push(k);
        walk(x);
      }
    };
    walk(state);
    expect(keys.filter((k) => !/^[a-z][A-Za-z0-9]*$/.test(k))).toEqual([]);
    const vpcipam = state.vpcipam as { pools: Record<string, unknown>[]; allocations: Record<string, unknown>[] };
    expect(vpcipam.pools[0]).toMatchObject({ ipamPoolId: "ipam-pool-casing1", poolRegionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"], tags: [{ key: "env", value: "dev" }] });
    expect(vpcipam.allocations[0]).toMatchObject({ ipamPoolId: "ipam-pool-casing1", cidr: "10.0.1.0/24", resourceType: "VPC", resourceId: "vpc-casing1", creationTime: expect.stringMatching(/Z$/) });
  });

  it("Eipanycast AllocateAnycastEipAddress: a lost response, then a ClientToken retry, allocates exactly one EIP", async () => {
    const emu = await startEmulator({ port: 0 });
    running.push(emu);
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "lost", count: 1 });
    const q = { ServiceLocation: "international", ClientToken: "alloc-once-1", RegionId: "cn-hangzhou" };
    const lost = await sdkError(sdkCall(emu, "AllocateAnycastEipAddress", q, { version: "2020-03-09" }));
    expect(lost.message).toMatch(/socket hang up|ECONNRESET/);
    const retry = await sdkCall(emu, "AllocateAnycastEipAddress", q, { version: "2020-03-09" });
    expect(retry.body.AnycastId).toEqual(expect.any(String));
    const eips = (emu.control.state().eipanycast as { eips: { anycastId: string }[] }).eips;
    expect(eips.map((e) => e.anycastId)).toEqual([retry.body.AnycastId]);
    expect(emu.control.calls().map((c) => [c.fault, c.mutating, c.replayed])).toEqual([
      ["lost", true, false],
      [null, false, true],
    ]);
  });
});

describe("CLI", () => {
  const tsNode = require.resolve("ts-node/register/transpile-only");
  const cli = join(__dirname, "..", "..", "emulator", "cli.ts");

  function spawnCli(args: string[]): { child: ChildProcessWithoutNullStreams; firstLines: Promise<string[]> } {
    const child = spawn(process.execPath, ["-r", tsNode, cli, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const firstLines = new Promise<string[]>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("control plane")) resolve(out.split("\n"));
      });
      child.on("exit", (code) => reject(new Error(`cli exited early (${code}): ${out}`)));
    });
    return { child, firstLines };
  }

  const exited = (child: ChildProcessWithoutNullStreams) =>
    new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  it("--help prints usage", async () => {
    const child = spawn(process.execPath, ["-r", tsNode, cli, "--help"]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    expect(await exited(child)).toBe(0);
    expect(out).toMatch(/^Usage: pulumi-alicloud-release emulator \[options\]/);
    expect(out).toContain("--security-token");
  });

  it("--host 0.0.0.0 prints the address it really listens on and warns that the control plane is open", async () => {
    const child = spawn(process.execPath, ["-r", tsNode, cli, "--host", "0.0.0.0", "--port", "0", "--quiet"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("control plane") && err.includes("WARNING")) resolve();
      });
      child.stderr.on("data", () => {
        if (out.includes("control plane") && err.includes("WARNING")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`cli exited early (${code}): ${out} ${err}`)));
    });
    const code = exited(child);
    child.kill("SIGTERM");
    expect(await code).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^emulator listening on http:\/\/0\.0\.0\.0:\d+$/);
    expect(err).toMatch(/WARNING: the emulator listens on http:\/\/0\.0\.0\.0:\d+, reachable from other machines\. Its control plane .* is unauthenticated/);
  });

  it("prints the listening line first, persists --state across a SIGTERM restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-cli-"));
    try {
      const statePath = join(dir, "state.json");
      const first = spawnCli(["--port", "0", "--state", statePath, "--quiet"]);
      const lines = await first.firstLines;
      const m = /^emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(lines[0]);
      expect(m).not.toBeNull();
      const port = Number(m![1]);
      const handle = {
        endpoint: `127.0.0.1:${port}`,
        port,
        accessKeyId: "emulator-access-key-id",
        accessKeySecret: "emulator-access-key-secret",
      } as RunningEmulator;
      await control(handle, "POST", "seed", { vpcipam: { pools: [{ ipamPoolId: "ipam-pool-clistate1", regionId: "cn-hangzhou", cidrs: ["10.1.0.0/16"] }] } });
      const code = exited(first.child);
      first.child.kill("SIGTERM");
      expect(await code).toBe(0);
      expect(readFileSync(statePath, "utf8")).toContain("ipam-pool-clistate1");

      const second = spawnCli(["--port", "0", "--state", statePath, "--quiet"]);
      const lines2 = await second.firstLines;
      const port2 = Number(/:(\d+)$/.exec(lines2[0])![1]);
      const h2 = { ...handle, port: port2, endpoint: `127.0.0.1:${port2}` } as RunningEmulator;
      const res = await sdkCall(h2, "ListIpamPools", { RegionId: "cn-hangzhou" });
      expect((res.body.IpamPools as { IpamPoolId: string }[]).map((p) => p.IpamPoolId)).toContain("ipam-pool-clistate1");
      const code2 = exited(second.child);
      second.child.kill("SIGINT");
      expect(await code2).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
