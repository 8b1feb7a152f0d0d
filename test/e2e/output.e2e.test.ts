/**
 * What a user reads when a destroy is refused, through the real Pulumi CLI in non-interactive mode: the
 * refusal appears only where the engine puts a resource's error (two rows of the live view, once in
 * Diagnostics), never as a `pulumi:pulumi:Stack` message, without an error class name in front and
 * without a dangling `: `; a fix that says to take the resource out of the state gives its exact command. Progress
 * lines, which the engine shows under the stack, name the resource they are about.
 */
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { cloudCall, TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(e2eTimeout(11));

const emu = useEmulator({ anycastTiming: { Allocating: 50, Associating: 50, Unassociating: 50, Modifying: 50, Releasing: 50 } });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** What Diagnostics lists under one heading (e.g. `pulumi:pulumi:Stack (`), up to the next heading. */
function diagnosticsUnder(diagnostics: string, heading: string): string {
  const lines = diagnostics.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`  ${heading}`));
  if (start < 0) return "";
  const end = lines.findIndex((l, i) => i > start && /^( {2})?\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

test("a refused destroy prints its refusal only under the resource (3 times, all the engine's), cleanly, with the exact state-delete command", async () => {
  const seeded = emu.control.seed({
    vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }], allocations: [{ ipamPoolId: "ipam-pool-e2e", cidr: "10.0.128.0/20", resourceType: "VPC", resourceId: "vpc-e2e" }] },
  }) as { vpcipam: { ipamPoolAllocationIds: string[] } };
  const [vpcAllocationId] = seeded.vpcipam.ipamPoolAllocationIds;
  stack = new TestStack(emu);
  await stack.init([
    { type: "AnycastEipAddress", name: "eip", args: { serviceLocation: "international", bandwidth: 200, name: "e2e-eip" } },
    // a VPC's allocation taken under management: its release is refused, the fix says how to drop it from the state
    { type: "IpamPoolAllocation", name: "vpc-alloc", args: { ipamPoolId: "ipam-pool-e2e", adoptAllocationId: vpcAllocationId } },
  ]);
  expect((await stack.up()).code).toBe(0);
  const { eips } = emu.control.state().eipanycast as { eips: { anycastId: string }[] };
  const [{ anycastId }] = eips;
  // an ENI bound outside Pulumi: the destroy must refuse
  await cloudCall(emu, "Eipanycast", "AssociateAnycastEipAddress", {
    AnycastId: anycastId,
    BindInstanceId: "eni-outofband0123456",
    BindInstanceRegionId: "cn-hangzhou",
    BindInstanceType: "NetworkInterface",
    PrivateIpAddress: "10.0.0.10",
  });

  const refused = await stack.destroy();
  expect(refused.code).not.toBe(0);
  const out = refused.output;
  const refusal = `refusing to release Anycast EIP ${anycastId}`;
  const [live, diagnostics] = out.split("\nDiagnostics:\n");
  // The engine's own copies, all under the resource: in non-interactive mode the live view prints the
  // error as it arrives and again on the "deleting failed" row; Diagnostics lists it once.
  const liveLines = live.split("\n").filter((line) => line.includes(refusal));
  expect(liveLines).toHaveLength(2);
  for (const line of liveLines) expect(line).toMatch(/^ - {2}pulumi-nodejs:dynamic\/alicloud:AnycastEipAddress eip .*error: refusing to release/);
  expect(occurrences(diagnostics, refusal)).toBe(1);
  expect(diagnosticsUnder(diagnostics, "pulumi:pulumi:Stack (")).not.toContain(refusal);
  expect(occurrences(out, refusal)).toBe(3);
  // The allocation's refusal: the same 3 places, and its fix gives the command with this resource's URN.
  const command = `\`pulumi state delete '${stack.urn("IpamPoolAllocation", "vpc-alloc")}'\``;
  expect(occurrences(out, `refusing to release IPAM pool allocation ${vpcAllocationId}`)).toBe(3);
  expect(occurrences(out, `or, to stop managing it without releasing it, ${command}`)).toBe(3);
  expect(out).not.toContain("<urn>");
  expect(diagnosticsUnder(diagnostics, "pulumi:pulumi:Stack (")).not.toContain(command);
  // no class-name prefix, and no line ends in a dangling colon (section headers aside)
  expect(out).not.toContain("ReleaseRefusedError");
  expect(out.split("\n").filter((line) => /:\s*$/.test(line) && !/^\s*(Diagnostics|Resources|\S+ \([^)]*\)):\s*$/.test(line))).toEqual([]);
});

test("a destroy whose endpoint refuses connections says so once per engine place, without the request line or query", async () => {
  stack = new TestStack(emu);
  await stack.init([{ type: "AnycastEipAddress", name: "eip", args: { serviceLocation: "international", bandwidth: 200, name: "e2e-eip" } }]);
  expect((await stack.up()).code).toBe(0);
  // a port nobody listens on any more
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await stack.ok(["config", "set", "alicloud:endpoints", JSON.stringify([{ vpcipam: emu.url, eipanycast: `http://127.0.0.1:${port}` }]), "-s", stack.stack]);
  // stored by a no-op `pulumi up` (check and diff call nothing): destroy runs with the stored settings
  expect((await stack.up()).code).toBe(0);

  const failed = await stack.destroy();
  expect(failed.code).not.toBe(0);
  const out = failed.output;
  const what = `could not connect to http://127.0.0.1:${port} (connection refused) calling `;
  expect(occurrences(out, what)).toBe(3);
  expect(out).toMatch(/after 2 failed attempts over \d+(\.\d)? s: ECONNREFUSED: could not connect/);
  expect(out).toContain("Check the Eipanycast endpoint (from Pulumi config alicloud:endpoints[0].eipanycast; set with Pulumi config alicloud:endpoints or env ALIBABA_CLOUD_ENDPOINT_EIPANYCAST)");
  expect(out).not.toMatch(/AnycastId=|POST http|CloudError/);
  expect(out.split("\n").filter((line) => /:\s*$/.test(line) && !/^\s*(Diagnostics|Resources|\S+ \([^)]*\)):\s*$/.test(line))).toEqual([]);
});

test("two allocations in one pool: their progress lines (under the stack) and errors (under each resource) say which is which", async () => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
  emu.control.addFault({ action: "CreateIpamPoolAllocation", kind: "error", code: "SystemBusy", status: 503 });
  stack = new TestStack(emu);
  await stack.init(["web", "batch"].map((name) => ({ type: "IpamPoolAllocation", name, args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 24, maxAttempts: 2 } })));
  const up = await stack.up();
  expect(up.code).not.toBe(0);
  const [live, diagnostics] = up.output.split("\nDiagnostics:\n");
  const what = "creating an allocation in IPAM pool ipam-pool-e2e";
  // progress: one failed attempt each, printed under the stack, named in front
  for (const name of ["web", "batch"]) {
    const lines = live.split("\n").filter((l) => l.includes(`"${name}": ${what}: attempt 1 failed (SystemBusy, RequestId `));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatch(/^ [ +-] {2}pulumi:pulumi:Stack /);
  }
  const stackLines = diagnosticsUnder(diagnostics, "pulumi:pulumi:Stack (");
  expect(stackLines).toContain(`"web": ${what}: attempt 1 failed`);
  expect(stackLines).toContain(`"batch": ${what}: attempt 1 failed`);
  expect(stackLines.split("\n").filter((l) => l.includes(`${what}: attempt 1 failed`) && !/^ {4}"(web|batch)": /.test(l))).toEqual([]);
  // errors: the engine puts each under its resource
  for (const name of ["web", "batch"]) {
    expect(live).toMatch(new RegExp(`pulumi-nodejs:dynamic/alicloud:IpamPoolAllocation ${name} \\*\\*creating failed\\*\\* error: ${what}: after 2 failed attempts: SystemBusy`));
  }
});
