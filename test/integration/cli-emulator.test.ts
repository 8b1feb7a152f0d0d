/**
 * `pulumi-alicloud-release emulator` (the package's bin) starts the emulator as `npm run emulator` does.
 * Runs the built CLI (npm test builds first).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BIN = path.resolve(__dirname, "..", "..", "dist", "cli", "main.js");
/** The package as `npm run -s build` installs it into the repository's node_modules (scripts/link-self.js). */
const INSTALLED_PACKAGE = path.resolve(__dirname, "..", "..", "node_modules", "pulumi-alicloud-release");

interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Children still running when a test ends (a failed expectation) are killed, so jest can exit. */
const running = new Set<ChildProcessWithoutNullStreams>();

function runEmulatorCli(args: string[]): CliRun {
  const child = spawn(process.execPath, [BIN, "emulator", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.on("close", () => running.delete(child));
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the first stdout line; rejects (with stderr) if the CLI exits first. */
function firstLine(run: CliRun): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const check = () => {
      if (run.stdout().includes("\n")) resolve(run.stdout().split("\n")[0]);
    };
    run.child.stdout.on("data", check);
    check();
    void run.exited.then((code) => reject(new Error(`exited ${code} before listening: ${run.stderr()}`)));
  });
}

async function startListening(args: string[]): Promise<{ run: CliRun; url: string }> {
  const run = runEmulatorCli(args);
  const line = await firstLine(run);
  expect(line).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  return { run, url: line.replace("emulator listening on ", "") };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "cli-emulator-"));
});
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("prints the listening line first, answers the control plane, and stops on SIGTERM", async () => {
  const { run, url } = await startListening(["--port", "0", "--quiet"]);
  const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { ok: boolean; models: { product: string }[] };
  expect(health.ok).toBe(true);
  expect(health.models.map((m) => m.product).sort()).toEqual(["Eipanycast", "VpcIpam"]);
  run.child.kill("SIGTERM");
  expect(await run.exited).toBe(0);
  // nothing to save without --state, so it does not claim to
  expect(run.stderr()).toBe("[emulator] SIGTERM: stopping\n");
});

test("with --state, the stop message names the file it saves", async () => {
  const statePath = path.join(dir, "state.json");
  const { run } = await startListening(["--port", "0", "--quiet", "--state", statePath]);
  run.child.kill("SIGTERM");
  expect(await run.exited).toBe(0);
  expect(run.stderr()).toBe(`[emulator] SIGTERM: saving state to ${statePath} and stopping\n`);
});

test("--help names the installed command, not the file inside the package", async () => {
  const run = runEmulatorCli(["--help"]);
  expect(await run.exited).toBe(0);
  expect(run.stdout()).toMatch(/^Usage: pulumi-alicloud-release emulator \[options\]\n/);
  expect(run.stdout()).not.toContain("dist/");
  expect(run.stdout()).toContain("npm run emulator --");
});

test("GET /_emulator/ lists every control route, and each listed route is served", async () => {
  const { run, url } = await startListening(["--port", "0", "--quiet"]);
  try {
    const res = await fetch(`${url}/_emulator/`);
    expect(res.status).toBe(200);
    const { routes } = (await res.json()) as { routes: { method: string; path: string; about: string }[] };
    const listed = routes.map((r) => `${r.method} ${r.path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        "GET /_emulator/",
        "GET /_emulator/health",
        "POST /_emulator/seed",
        "GET /_emulator/calls",
        "DELETE /_emulator/faults/{id}",
        "POST /_emulator/settle",
      ]),
    );
    for (const r of routes) expect(r.about).not.toBe("");
    // every entry answers as a known route: no 404 "unknown control endpoint", no 405
    for (const r of routes) {
      const target = `${url}${r.path.replace("{id}", "fault-none")}`;
      const answer = await fetch(target, {
        method: r.method,
        ...(r.method === "GET" ? {} : { headers: { "content-type": "application/json" }, body: "{}" }),
      });
      const body = await answer.text();
      const refusedAsUnknown = answer.status === 405 || body.includes("unknown control endpoint");
      expect(refusedAsUnknown ? `${r.method} ${r.path} → ${answer.status} ${body}` : "served").toBe("served");
    }
    const unknown = await fetch(`${url}/_emulator/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain("GET /_emulator/ lists the routes");
  } finally {
    run.child.kill("SIGTERM");
    await run.exited;
  }
});

/** A failure to start is one stderr line (no stack trace) and exit status 1. */
async function expectOneLineFailure(args: string[]): Promise<string> {
  const run = runEmulatorCli(args);
  const code = await run.exited;
  expect({ code, stdout: run.stdout() }).toEqual({ code: 1, stdout: "" });
  const lines = run.stderr().split("\n");
  expect(lines).toHaveLength(2); // one line and its newline
  expect(lines[1]).toBe("");
  expect(run.stderr()).not.toMatch(/\n\s+at /);
  return lines[0];
}

test("a --seed file that is not JSON: one line naming the file, exit 1", async () => {
  const seedPath = path.join(dir, "seed.json");
  writeFileSync(seedPath, '{"vpcipam": {"pools": [');
  const line = await expectOneLineFailure(["--port", "0", "--seed", seedPath]);
  expect(line).toContain(seedPath);
  expect(line).toMatch(/not valid JSON/);
});

test("a --seed file the models refuse: one line naming the file and the problem, exit 1, no state file", async () => {
  const seedPath = path.join(dir, "seed.json");
  const statePath = path.join(dir, "state.json");
  writeFileSync(seedPath, JSON.stringify({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/33"] }] } }));
  const line = await expectOneLineFailure(["--port", "0", "--seed", seedPath, "--state", statePath]);
  expect(line).toContain(seedPath);
  expect(line).toContain("10.0.0.0/33");
  expect(existsSync(statePath)).toBe(false); // a refused seed leaves nothing that would skip it next time
});

test("a --seed file that is missing or not an object: one line naming the file, exit 1", async () => {
  const missing = path.join(dir, "missing.json");
  expect(await expectOneLineFailure(["--port", "0", "--seed", missing])).toContain(missing);
  const list = path.join(dir, "list.json");
  writeFileSync(list, "[]");
  const line = await expectOneLineFailure(["--port", "0", "--seed", list]);
  expect(line).toContain(list);
  expect(line).toContain('{"vpcipam"');
});

test("a port in use: one line naming the port, exit 1", async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const line = await expectOneLineFailure(["--port", String(port), "--quiet"]);
    expect(line).toContain(`127.0.0.1:${port}`);
    expect(line).toMatch(/already in use/);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

/**
 * A project that depends on the package, as a user's does: `node_modules/pulumi-alicloud-release` and
 * the bin link npm makes in `node_modules/.bin`, so `npx pulumi-alicloud-release` runs the real bin.
 */
function userProject(root: string): string {
  const project = path.join(root, "project");
  mkdirSync(path.join(project, "node_modules", ".bin"), { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
  symlinkSync(INSTALLED_PACKAGE, path.join(project, "node_modules", "pulumi-alicloud-release"), "dir");
  // executable, as npm install leaves it (scripts/link-self.js does the same)
  symlinkSync(path.join(INSTALLED_PACKAGE, "dist", "cli", "main.js"), path.join(project, "node_modules", ".bin", "pulumi-alicloud-release"));
  return project;
}

/** Resolves once every process holding the child's stdout and stderr has closed them (exited). */
function pipesClosed(child: ChildProcessWithoutNullStreams): Promise<void> {
  const ended = (s: NodeJS.ReadableStream) => new Promise<void>((resolve) => s.once("close", () => resolve()));
  return Promise.all([ended(child.stdout), ended(child.stderr)]).then(() => undefined);
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

test("`npx pulumi-alicloud-release emulator &` then `kill $!`: the emulator stops with npx", async () => {
  // npm exec runs the bin under `sh -c`, and forwards SIGTERM to that shell only: the shell dies and,
  // without a watch of its own, the emulator lived on, orphaned, holding its port.
  const project = userProject(dir);
  const env = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false", npm_config_fund: "false" };
  const child = spawn("npx", ["pulumi-alicloud-release", "emulator", "--port", "0", "--quiet"], { cwd: project, env, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const closed = pipesClosed(child);
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => out.includes("\n") && resolve(out.split("\n")[0]));
    void closed.then(() => reject(new Error(`npx ended before listening: ${err}`)));
  });
  const port = Number(/^emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)?.[1]);
  expect(port).toBeGreaterThan(0);

  child.kill("SIGTERM"); // the `kill $!` of the shell: $! is npx
  await closed; // the emulator held these pipes: they close when it has exited
  expect(await portRefuses(port)).toBe(true);
  expect(err).toContain("[emulator] ");
  expect(err).toMatch(/stopping\n$/);
}, 60_000);

test("SIGHUP (the terminal closed) stops it like SIGTERM, saving the state file", async () => {
  const statePath = path.join(dir, "state.json");
  const { run } = await startListening(["--port", "0", "--quiet", "--state", statePath]);
  run.child.kill("SIGHUP");
  expect(await run.exited).toBe(0);
  expect(run.stderr()).toBe(`[emulator] SIGHUP: saving state to ${statePath} and stopping\n`);
  expect(existsSync(statePath)).toBe(true);
});

describe("--pool ID=CIDR[@region]: an IPAM pool without a seed file", () => {
  test("each --pool seeds one pool (region default cn-hangzhou, family from the CIDR); the banner lists them", async () => {
    const { run, url } = await startListening(["--port", "0", "--quiet", "--pool", "ipam-pool-demo1=10.0.0.0/16@cn-shanghai", "--pool", "ipam-pool-demo6=2408:4000::/48"]);
    try {
      const { vpcipam } = (await (await fetch(`${url}/_emulator/state`)).json()) as { vpcipam: { pools: { ipamPoolId: string; poolRegionId: string; ipVersion: string; cidrs: string[] }[] } };
      expect(vpcipam.pools.map((p) => [p.ipamPoolId, p.poolRegionId, p.ipVersion, p.cidrs])).toEqual([
        ["ipam-pool-demo1", "cn-shanghai", "IPv4", ["10.0.0.0/16"]],
        ["ipam-pool-demo6", "cn-hangzhou", "IPv6", ["2408:4000::/48"]],
      ]);
      expect(run.stdout()).toContain("  ipam pools:        ipam-pool-demo1 10.0.0.0/16 (cn-shanghai)\n                     ipam-pool-demo6 2408:4000::/48 (cn-hangzhou)\n");
      expect(run.stdout()).not.toMatch(/no IPAM pool/);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });

  test("without any pool the banner says so, and how to add one", async () => {
    const { run } = await startListening(["--port", "0", "--quiet"]);
    try {
      const line = run.stdout().split("\n").find((l) => l.startsWith("  ipam pools:"));
      expect(line).toMatch(/no IPAM pool: CreateIpamPoolAllocation answers ResourceNotFound\.IpamPool until one exists/);
      expect(line).toContain("--pool ID=CIDR[@region]");
      expect(line).toContain("POST /_emulator/seed");
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });

  test.each([
    ["10.0.0.0/16", /--pool "10\.0\.0\.0\/16" is not ID=CIDR\[@region\]/],
    ["pool1=10.0.0.0/16", /--pool "pool1=10\.0\.0\.0\/16": the ID must look like ipam-pool-<lowercase letters and digits>/],
    ["ipam-pool-a=10.0.0/16", /--pool "ipam-pool-a=10\.0\.0\/16": 10\.0\.0\/16 is not a CIDR block/],
    ["ipam-pool-a=10.0.0.0/16@Hangzhou", /--pool "ipam-pool-a=10\.0\.0\.0\/16@Hangzhou": the region must look like cn-hangzhou/],
  ])("--pool %s: one line naming --pool and the valid form, exit 2", async (value, expected) => {
    const run = runEmulatorCli(["--port", "0", "--pool", value]);
    expect({ code: await run.exited, stdout: run.stdout() }).toEqual({ code: 2, stdout: "" });
    const lines = run.stderr().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(expected);
    expect(lines[0]).toContain("ID=CIDR[@region]");
  });

  test.each([
    ["ipam-pool-a=10.0.0.1/16", /--pool "ipam-pool-a=10\.0\.0\.1\/16": 10\.0\.0\.1\/16 is not a CIDR block: host bits are set; the network address is 10\.0\.0\.0\/16/],
    ["ipam-pool-a=010.0.0.0/16", /--pool "ipam-pool-a=010\.0\.0\.0\/16": 010\.0\.0\.0\/16 is not a CIDR block: .*leading zero/],
  ])("--pool %s: the CIDR is checked as the provider checks a cidr, exit 2", async (value, expected) => {
    const run = runEmulatorCli(["--port", "0", "--pool", value]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(expected);
  });

  test("--pool given twice for one ID, or an ID the --seed file also has: one line naming --pool", async () => {
    const twice = runEmulatorCli(["--port", "0", "--pool", "ipam-pool-a=10.0.0.0/16", "--pool", "ipam-pool-a=10.1.0.0/16"]);
    expect(await twice.exited).toBe(2);
    expect(twice.stderr()).toMatch(/^--pool ipam-pool-a is given twice; a pool with several CIDRs needs a --seed file \(ID=CIDR\[@region\] once per pool\)\n$/);

    const seedPath = path.join(dir, "seed.json");
    writeFileSync(seedPath, JSON.stringify({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-a", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } }));
    const line = await expectOneLineFailure(["--port", "0", "--seed", seedPath, "--pool", "ipam-pool-a=10.1.0.0/16"]);
    expect(line).toMatch(/^emulator: --pool ipam-pool-a=10\.1\.0\.0\/16 is refused: .*ipam-pool-a already exists/);
  });
});
