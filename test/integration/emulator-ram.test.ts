/**
 * The emulator's RAM checks on the wire: `--ram-policy FILE` on the built command line, the
 * `/_emulator/ram-policy` route, and the denial a client receives (code, HTTP status, message,
 * AccessDeniedDetail, request id). Runs the built CLI (npm test builds first).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EMULATOR_ACCOUNT_ID, signature } from "../../emulator";

const BIN = path.resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const DESCRIBE_ONLY = { Version: "1", Statement: [{ Effect: "Allow", Action: "eipanycast:DescribeAnycastEipAddress", Resource: "*" }] };

let dir: string;
const children: ReturnType<typeof spawn>[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "emulator-ram-"));
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the emulator CLI; resolves with its banner once it listens, or with its exit and stderr. */
function startCli(args: string[]): Promise<{ url?: string; banner: string; code?: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, "emulator", "--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  return new Promise((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /emulator listening on (\S+)\n[\s\S]*control plane/.exec(out);
      if (m && out.endsWith("\n")) resolve({ url: m[1], banner: out, stderr: err });
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve({ banner: out, code, stderr: err }));
  });
}

/** One HMAC-SHA1 signed Eipanycast call, as any SDK would send it. */
async function eipanycast(url: string, action: string, params: Record<string, string>, secret = DEFAULT_ACCESS_KEY_SECRET) {
  const signed = signature.signV1Params({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: secret, action, version: "2020-03-09", params, method: "GET" });
  const res = await fetch(`${url}/?${new URLSearchParams(signed).toString()}`);
  return { status: res.status, requestId: res.headers.get("x-acs-request-id"), body: (await res.json()) as Record<string, unknown> };
}

const control = (url: string, method: string, route: string, body?: unknown) =>
  fetch(`${url}/_emulator/${route}`, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

test("--ram-policy FILE: a call it does not allow answers Forbidden.RAM 403 naming the action and resource; the route swaps or clears the policy", async () => {
  const file = path.join(dir, "policy.json");
  writeFileSync(file, JSON.stringify(DESCRIBE_ONLY));
  const { url, banner } = await startCli(["--ram-policy", file]);
  expect(banner).toContain(`RAM policy:        ${file} (a denied call answers Forbidden.RAM)`);

  const denied = await eipanycast(url!, "ReleaseAnycastEipAddress", { AnycastId: "aeip-nosuch" });
  expect(denied.status).toBe(403);
  expect(denied.body).toEqual({
    RequestId: denied.requestId,
    HostId: "eipanycast.cn-hangzhou.aliyuncs.com",
    Code: "Forbidden.RAM",
    Message: "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
    Recommend: expect.stringContaining("Forbidden.RAM"),
    AccessDeniedDetail: {
      PolicyType: "AccountLevelIdentityBasedPolicy",
      NoPermissionType: "ImplicitDeny",
      AuthAction: "eipanycast:ReleaseAnycastEipAddress",
      AuthResource: `acs:eipanycast:cn-hangzhou:${EMULATOR_ACCOUNT_ID}:anycast/aeip-nosuch`,
      AuthPrincipalType: "SubUser",
      AuthPrincipalOwnerId: EMULATOR_ACCOUNT_ID,
      AuthPrincipalDisplayName: DEFAULT_ACCESS_KEY_ID,
      EncodedDiagnosticMessage: expect.any(String),
    },
  });
  // allowed: reaches the model (which does not know the EIP)
  expect((await eipanycast(url!, "DescribeAnycastEipAddress", { AnycastId: "aeip-nosuch" })).body.Code).toBe("ResourceNotFound.AnycastInstance");
  // authentication comes first: a bad signature is never reported as a permission problem
  expect((await eipanycast(url!, "ReleaseAnycastEipAddress", { AnycastId: "aeip-nosuch" }, "wrong-secret")).body.Code).toBe("SignatureDoesNotMatch");

  expect(await (await control(url!, "GET", "ram-policy")).json()).toEqual({ policy: DESCRIBE_ONLY });
  const refused = await control(url!, "POST", "ram-policy", { Version: "1", Statement: [{ Effect: "Allow", Action: "*", Resource: "*", Condition: {} }] });
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { error: string }).error).toContain("Statement[0].Condition is not evaluated by the emulator");
  expect(await (await control(url!, "GET", "ram-policy")).json()).toEqual({ policy: DESCRIBE_ONLY }); // unchanged

  expect((await control(url!, "DELETE", "ram-policy")).status).toBe(200);
  expect(await (await control(url!, "GET", "ram-policy")).json()).toEqual({ policy: null });
  expect((await eipanycast(url!, "ReleaseAnycastEipAddress", { AnycastId: "aeip-nosuch" })).body.Code).toBe("ResourceNotFound.AnycastInstance");
});

test("a --ram-policy file it cannot evaluate stops it before it listens, in one line", async () => {
  const file = path.join(dir, "policy.json");
  writeFileSync(file, JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", NotAction: "vpc:*", Resource: "*" }] }));
  const r = await startCli(["--ram-policy", file]);
  expect(r.code).toBe(1);
  expect(r.banner).toBe("");
  expect(r.stderr).toBe(`emulator: --ram-policy file ${file} is refused: Statement[0].NotAction is not evaluated by the emulator; remove it (the emulator checks Effect, Action and Resource only)\n`);
});
