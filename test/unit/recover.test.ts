import { CliIo } from "../../cli/io";
import { main } from "../../cli/main";
import { parseRecoverArgs } from "../../cli/recover";
import { parseRecoverExport, recoveredDeployment, secretOf } from "../../provider/recover/export";
import { CreateFacts, durationLabel, exitCodeOf, parseDuration, planCreate } from "../../provider/recover/plan";
import { RecoverInputError } from "../../provider/recover/types";

const facts = (extra: Partial<CreateFacts> = {}): CreateFacts => ({
  kind: "AnycastEipAddress",
  tokenIssuedAt: 1,
  withinWindow: true,
  stale: false,
  adopting: false,
  byCidr: false,
  candidates: [],
  noun: "Anycast EIP",
  scope: "in cn-hangzhou",
  windowLabel: "60 min",
  ageLabel: "5 s",
  ...extra,
});
const candidate = { id: "aeip-1", label: "Anycast EIP aeip-1" };

describe("planCreate", () => {
  test("no candidate proves nothing was made: clear", () => {
    expect(planCreate(facts())).toMatchObject({ action: "clear", reason: "no Anycast EIP was made: none in cn-hangzhou that the state does not hold, created since the create started" });
    expect(planCreate(facts({ withinWindow: false, tokenIssuedAt: undefined })).action).toBe("clear");
  });

  test("candidates and a token within the window: resume; past it or without a token: decide, naming --adopt", () => {
    expect(planCreate(facts({ candidates: [candidate] })).action).toBe("resume");
    const past = planCreate(facts({ candidates: [candidate], withinWindow: false, ageLabel: "2 h" }));
    expect(past).toMatchObject({ action: "decide", reason: expect.stringContaining("recorded 2 h ago, past the 60 min replay window") });
    expect(past.next).toContain("recover --adopt <id> --yes");
    expect(planCreate(facts({ candidates: [candidate], tokenIssuedAt: undefined })).reason).toContain("records no ClientToken");
  });

  test("an explicit CIDR may be resent at any age (a block is never allocated twice); a prefix length may not", () => {
    const old = { kind: "IpamPoolAllocation" as const, candidates: [candidate], withinWindow: false };
    expect(planCreate(facts({ ...old, byCidr: true })).action).toBe("resume");
    expect(planCreate(facts({ ...old, byCidr: false })).action).toBe("decide");
  });

  test("--adopt takes a candidate; a stale create never puts anything into the state", () => {
    expect(planCreate(facts({ candidates: [candidate], withinWindow: false, adopt: "aeip-1" }))).toMatchObject({ action: "adopt", objectId: "aeip-1" });
    expect(planCreate(facts({ candidates: [candidate], stale: true })).action).toBe("decide");
    expect(planCreate(facts({ candidates: [candidate], stale: true, adopt: "aeip-1" })).action).toBe("decide");
    expect(planCreate(facts({ stale: true })).action).toBe("clear");
  });

  test("an adopting create makes nothing: resume (or clear when stale)", () => {
    expect(planCreate(facts({ adopting: true, withinWindow: false })).action).toBe("resume");
    expect(planCreate(facts({ adopting: true, stale: true })).action).toBe("clear");
  });

  test("an association is its binding: bound → resume, held by the state or not bound → clear, bound but stale → decide", () => {
    const a = (binding?: CreateFacts["binding"], stale = false) => planCreate(facts({ kind: "AnycastEipAssociation", binding, stale, withinWindow: false })).action;
    expect(a({ id: "k", status: "BINDED" })).toBe("resume");
    expect(a(undefined)).toBe("clear");
    expect(a({ id: "k", status: "BINDED", heldBy: "urn:x" })).toBe("clear");
    expect(a({ id: "k", status: "BINDED" }, true)).toBe("decide");
  });
});

test("durations: --replay-window values and labels", () => {
  expect([parseDuration("0"), parseDuration("90s"), parseDuration("30m"), parseDuration("6h"), parseDuration("1d"), parseDuration("45")]).toEqual([0, 90_000, 1_800_000, 21_600_000, 86_400_000, 45_000]);
  for (const bad of ["", "h", "-1h", "1 week", "1e3"]) expect(parseDuration(bad)).toBeUndefined();
  expect([durationLabel(5_000), durationLabel(3_600_000), durationLabel(5 * 3_600_000), durationLabel(3 * 86_400_000)]).toEqual(["5 s", "60 min", "5 h", "3 d"]);
});

test("exit status: error 1, a decision or an orphan 2, else 0", () => {
  expect(exitCodeOf(["resume", "rerun"])).toBe(0);
  expect(exitCodeOf(["resume", "decide"])).toBe(2);
  expect(exitCodeOf(["decide", "error"])).toBe(1);
  expect(exitCodeOf([], 1)).toBe(2);
});

const URN = "urn:pulumi:dev::net::pulumi-nodejs:dynamic/alicloud:AnycastEipAddress::web";
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify("hidden") };
const exportText = (resources: unknown[], pending: unknown[]) => JSON.stringify({ version: 3, deployment: { manifest: { time: "t" }, secrets_providers: { type: "passphrase" }, resources, pending_operations: pending } });

describe("the stack export", () => {
  const pendingCreate = { type: "creating", resource: { urn: URN, custom: true, type: "pulumi-nodejs:dynamic/alicloud:AnycastEipAddress", inputs: { __provider: "P", name: SECRET, serviceLocation: "international" } } };

  test("pending operations are read with their inputs (plaintext secrets unwrapped), the stack and project from the URNs", () => {
    const exp = parseRecoverExport(exportText([], [pendingCreate, { type: "deleting", resource: { urn: "urn:pulumi:dev::net::aws:s3:Bucket::b", type: "aws:s3:Bucket", id: "b-1" } }]), "x");
    expect(exp).toMatchObject({ project: "net", stack: "dev", resources: [] });
    expect(exp.pending.map((p) => [p.type, p.name, p.kind, p.id, p.inputs.name])).toEqual([
      ["creating", "web", "AnycastEipAddress", undefined, "hidden"],
      ["deleting", "b", undefined, "b-1", undefined],
    ]);
  });

  test("bad input is refused naming what is wrong", () => {
    const bad = (text: string) => {
      try {
        parseRecoverExport(text, "state.json");
      } catch (err) {
        expect(err).toBeInstanceOf(RecoverInputError);
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad("{")).toMatch(/^state.json is not JSON/);
    expect(bad("[]")).toMatch(/^state.json is not a Pulumi stack export/);
    expect(bad(JSON.stringify({ version: 4, deployment: {} }))).toMatch(/version 4 stack export; this tool reads up to version 3/);
    expect(bad(JSON.stringify({ deployment: { pending_operations: {} } }))).toBe("state.json: deployment.pending_operations is not a list");
    expect(bad(JSON.stringify({ deployment: { pending_operations: [{ type: "creating" }] } }))).toBe("state.json: deployment.pending_operations[0].resource has no urn/type");
  });

  test("the recovered deployment: the object appended with its ID, the provider text and secrets as the engine stores them; a replaced one marked for deletion; no pending operations", () => {
    const old = { urn: URN, custom: true, type: "pulumi-nodejs:dynamic/alicloud:AnycastEipAddress", id: "aeip-old", inputs: {}, outputs: {} };
    const exp = parseRecoverExport(exportText([old], [pendingCreate]), "x");
    const doc = recoveredDeployment(exp, [{ op: exp.pending[0], id: "aeip-new", outputs: { anycastId: "aeip-new", name: "hidden" } }]) as { deployment: Record<string, unknown> };
    expect(doc.deployment).toMatchObject({ secrets_providers: { type: "passphrase" }, manifest: { time: "t" }, pending_operations: [] });
    expect(doc.deployment.resources).toEqual([
      { ...old, delete: true },
      { ...pendingCreate.resource, id: "aeip-new", outputs: { anycastId: "aeip-new", name: secretOf("hidden"), __provider: "P" } },
    ]);
  });
});

describe("recover's arguments", () => {
  test("defaults and values", () => {
    expect(parseRecoverArgs(["--stack", "dev", "--yes", "--adopt", "a", "--adopt=b", "--replay-window", "6h"])).toMatchObject({ stack: "dev", yes: true, adopt: ["a", "b"], replayWindowMs: 21_600_000 });
    expect(parseRecoverArgs([])).toMatchObject({ yes: false, json: false, runProgram: false, adopt: [], replayWindowMs: 3_600_000 });
    expect(parseRecoverArgs(["--run-program"])).toMatchObject({ runProgram: true });
  });

  test.each([
    [["--bogus"], 'unknown option "--bogus"'],
    [["--stack"], "--stack needs a value"],
    [["--stack", "a", "-s", "b"], "--stack given twice"],
    [["--yes=1"], "--yes takes no value"],
    [["--replay-window", "soon"], '--replay-window "soon" is not a duration; use e.g. 0, 90s, 30m, 6h, 1d'],
    [["--state", "f", "--stack", "dev"], "--state reads a stack export file (with the provider config stored in it); it cannot be combined with --stack, --cwd or --run-program"],
    [["--state", "f", "--run-program"], "--state reads a stack export file (with the provider config stored in it); it cannot be combined with --stack, --cwd or --run-program"],
    [["--state", "f", "--yes"], "--state with --yes needs --out FILE: where to write the recovered export"],
    [["--out", "f"], "--out is for --state: without it the recovered state goes back into the stack"],
    [["--list-orphans", "--yes"], "--list-orphans only reads; it cannot be combined with --yes or --adopt"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => parseRecoverArgs(argv)).toThrow(message);
  });
});

describe("recover on the command line", () => {
  async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: "/" };
    return { code: await main(argv, io), stdout, stderr };
  }

  test("--help documents the options, what it does to each pending operation, and the exit codes", async () => {
    const help = await run(["recover", "--help"]);
    expect(help.code).toBe(0);
    for (const s of ["--stack NAME", "--yes", "--json", "--adopt ID", "--replay-window DUR", "--list-orphans", "--run-program", "--state FILE", "--out FILE", "creating", "deleting", "pulumi cancel --yes", "0  done", "2  something needs a decision", "1  error"]) {
      expect(help.stdout).toContain(s);
    }
    expect((await run(["--help"])).stdout).toContain("recover     settle what a killed");
  });

  test("a bad option: exit 1, the usage, no pulumi run", async () => {
    const bad = await run(["recover", "--nope"]);
    expect(bad).toMatchObject({ code: 1, stdout: "" });
    expect(bad.stderr).toContain('pulumi-alicloud-release recover: unknown option "--nope"');
    expect(bad.stderr).toContain("Usage: pulumi-alicloud-release recover");
  });
});
