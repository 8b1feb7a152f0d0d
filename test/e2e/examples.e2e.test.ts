/**
 * The example programs in examples/, run as a user would: TypeScript projects, the real CLI, the
 * emulator with its default timing (as `npm run emulator` starts it). Each README's ```console blocks
 * (`$ pulumi …` and what it prints) are run in order and must match the real output, so the READMEs
 * cannot drift. The comparison normalizes only what differs from run to run (see normalizeOutput).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Scaled with the work: its longest test runs 16 commands (init and 3 config settings, 5 README blocks, stack rm).
jest.setTimeout(e2eTimeout(16));

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");
/** The stack name the READMEs use. */
const README_STACK = "dev";
const emu = useEmulator({ resetEachTest: false });
let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const inventory = () => emu.control.state() as { vpcipam: { allocations: { cidr: string; resourceType: string }[] }; eipanycast: { eips: unknown[] } };

interface OutputBlock {
  /** `pulumi preview --non-interactive`, as the README shows it. */
  command: string;
  /** What the README says it prints. */
  output: string;
}

/** The ```console blocks of an example's README that start with `$ pulumi `, in order. */
function outputBlocks(example: string): OutputBlock[] {
  const text = readFileSync(path.join(EXAMPLES, example, "README.md"), "utf8");
  const blocks: OutputBlock[] = [];
  for (const m of text.matchAll(/^```console\n\$ (pulumi [^\n]*)\n([\s\S]*?)^```$/gm)) blocks.push({ command: m[1], output: m[2] });
  return blocks;
}

/**
 * What may differ between the README and a run, made equal on both sides:
 * - the test's stack name is the README's `dev`;
 * - IDs the emulator generates are `<id>` (Anycast EIP `aeip-` + 20, allocation `ipam-pool-alloc-` + 18 characters);
 * - times: `(0.09s)`, `(5s)`, `Duration: 7s`, `waited 0.1 s`;
 * - the `@ updating....` ticker lines (their dots count seconds), blank lines and trailing spaces are dropped;
 * - the order of lines: resources run in parallel, so rows and progress lines interleave differently.
 */
function normalizeOutput(text: string, testStack: string): string[] {
  return text
    .replaceAll(testStack, README_STACK)
    .replace(/\baeip-[a-z0-9]{20}\b/g, "aeip-<id>")
    .replace(/\bipam-pool-alloc-[a-z0-9]{18}\b/g, "ipam-pool-alloc-<id>")
    .replace(/\((\d+\.)?\d+s\)/g, "(<t>s)")
    .replace(/Duration: \d+s/g, "Duration: <t>s")
    .replace(/waited \d+\.\d s/g, "waited <t> s")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "" && !line.startsWith("@ "))
    .sort();
}

/** The README command's arguments for the test's stack (single quotes group, as in a shell). */
function argsOf(command: string, testStack: string): string[] {
  const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(1);
  return [...args.map((a) => a.replace(`urn:pulumi:${README_STACK}::`, `urn:pulumi:${testStack}::`)), "-s", testStack];
}

/** Runs one README block's command and checks it prints what the README says; returns the exit code. */
async function runBlock(s: TestStack, block: OutputBlock): Promise<number | null> {
  const r = await s.run(argsOf(block.command, s.stack));
  expect({ command: block.command, output: normalizeOutput(r.output, s.stack) }).toEqual({ command: block.command, output: normalizeOutput(block.output, s.stack) });
  return r.code;
}

test("examples/ipam-allocation: preview, up and destroy print what the README shows", async () => {
  emu.control.reset();
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-example", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
  stack = new TestStack(emu, undefined, path.join(EXAMPLES, "ipam-allocation"));
  await stack.init([], { "ipam-allocation:ipamPoolId": "ipam-pool-example" });
  const [preview, up, destroy, ...rest] = outputBlocks("ipam-allocation");
  expect([preview, up, destroy].map((b) => b?.command.split(" ")[1])).toEqual(["preview", "up", "destroy"]);
  expect(rest).toEqual([]);

  expect(await runBlock(stack, preview)).toBe(0);
  expect(emu.control.calls().filter((c) => c.mutating)).toEqual([]);
  expect(await runBlock(stack, up)).toBe(0);
  expect(inventory().vpcipam.allocations.map((a) => a.cidr).sort()).toEqual(["10.0.0.0/26", "10.0.1.0/24"]);
  expect(await runBlock(stack, destroy)).toBe(0);
  expect(inventory().vpcipam.allocations).toEqual([]);
});

test("examples/anycast-eip: the adopted VPC allocation is refused and kept, the fix's command works; the EIP is detached and released", async () => {
  emu.control.reset();
  emu.control.seed({
    vpcipam: {
      pools: [{ ipamPoolId: "ipam-pool-example", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }],
      allocations: [{ ipamPoolAllocationId: "ipam-pool-alloc-examplevpc00000000", ipamPoolId: "ipam-pool-example", cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-example" }],
    },
  });
  stack = new TestStack(emu, undefined, path.join(EXAMPLES, "anycast-eip"));
  await stack.init([], {
    "anycast-eip:slbId": "lb-example0123456789",
    "anycast-eip:ipamPoolId": "ipam-pool-example",
    "anycast-eip:adoptAllocationId": "ipam-pool-alloc-examplevpc00000000",
  });
  const [preview, up, refused, stateDelete, destroy, ...rest] = outputBlocks("anycast-eip");
  expect([preview, up, refused, stateDelete, destroy].map((b) => b?.command.split(" ").slice(1, 3).join(" "))).toEqual(["preview --non-interactive", "up --yes", "destroy --yes", "state delete", "destroy --yes"]);
  expect(rest).toEqual([]);

  expect(await runBlock(stack, preview)).toBe(0);
  expect(await runBlock(stack, up)).toBe(0);
  expect(inventory().eipanycast.eips).toHaveLength(1);

  emu.control.clearCalls();
  expect(await runBlock(stack, refused)).not.toBe(0);
  expect(emu.control.calls().filter((c) => c.action === "DeleteIpamPoolAllocation")).toEqual([]);
  const actions = emu.control.calls().map((c) => c.action);
  expect(actions.indexOf("UnassociateAnycastEipAddress")).toBeLessThan(actions.indexOf("ReleaseAnycastEipAddress"));
  expect(inventory().eipanycast.eips).toEqual([]);

  // The refusal's own command (the README's next block), for this stack: out of the state, nothing released.
  expect(refused.output).toContain(`\`${stateDelete.command.replace(/ --yes$/, "")}\``);
  expect(await runBlock(stack, stateDelete)).toBe(0);
  expect(await runBlock(stack, destroy)).toBe(0);
  expect(inventory().vpcipam.allocations.map((a) => a.resourceType)).toEqual(["VPC"]);
});
