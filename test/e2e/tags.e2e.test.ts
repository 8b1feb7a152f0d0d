/**
 * AnycastEipAddress tags and resource group through the real Pulumi CLI against the emulator: tags set at
 * create, changed and removed in place, the resource group moved in place (same EIP, same IP), drift from
 * a tag changed outside Pulumi shown by `pulumi refresh`, bad tags refused at preview with no API call,
 * and a remaining replacement saying that a new public IP address is allocated. The emulator's call log
 * and inventory are the witnesses.
 */
import { CallRecord } from "../../emulator";
import { OWNER_TAG_KEY } from "../../provider/anycast/ownership";
import { cloudCall, e2eTimeout, TestStack } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(e2eTimeout(24));

const emu = useEmulator({ anycastTiming: { Allocating: 50, Modifying: 50, Releasing: 50 } });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

interface EipInventory {
  anycastId: string;
  ipAddress: string;
  resourceGroupId: string;
  tags: { key: string; value: string }[];
}
const eips = () => (emu.control.state().eipanycast as { eips: EipInventory[] }).eips;
const cloudTags = () => Object.fromEntries(eips()[0].tags.map((t) => [t.key, t.value]));
const callsSince = (seq: number): CallRecord[] => emu.control.calls().filter((c) => c.seq > seq);
const mutationsSince = (seq: number): string[] => callsSince(seq).filter((c) => c.mutating).map((c) => c.action ?? "?");
const lastSeq = (): number => emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);

const eipSpec = (args: Record<string, unknown> = {}) => ({ type: "AnycastEipAddress", name: "eip", args: { serviceLocation: "international", bandwidth: 200, ...args } });

test("tags and resource group change in place; refresh shows a tag changed elsewhere; bad tags are refused at preview; a replacement says the IP changes", async () => {
  stack = new TestStack(emu);
  await stack.init([eipSpec({ resourceGroupId: "rg-first", tags: { env: "prod", team: "net" } })]);

  // create: allocated, then tagged right after (the allocation request takes no tags), with the ownership
  // tag, which is not a declared tag: never managed, never drift
  const owner = { [OWNER_TAG_KEY]: `e2e/${stack.stack}/eip` };
  let mark = lastSeq();
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["AllocateAnycastEipAddress", "TagResources"]);
  const [eip] = eips();
  expect(eip).toMatchObject({ resourceGroupId: "rg-first" });
  expect(cloudTags()).toEqual({ env: "prod", team: "net", ...owner });
  expect((await stack.up(["--expect-no-changes"])).code).toBe(0);

  // tags changed and one removed: an in-place update with the tag calls only
  await stack.setResources([eipSpec({ resourceGroupId: "rg-first", tags: { env: "dev" } })]);
  mark = lastSeq();
  expect((await stack.plan()).ops).toEqual({ eip: "update" });
  expect(callsSince(mark)).toEqual([]);
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["UntagResources", "TagResources"]);
  expect(cloudTags()).toEqual({ env: "dev", ...owner });

  // resource group: moved in place — same AnycastId, same IP (it used to replace the EIP)
  await stack.setResources([eipSpec({ resourceGroupId: "rg-second", tags: { env: "dev" } })]);
  mark = lastSeq();
  expect((await stack.plan()).ops).toEqual({ eip: "update" });
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["ChangeResourceGroup"]);
  expect(eips()).toEqual([expect.objectContaining({ anycastId: eip.anycastId, ipAddress: eip.ipAddress, resourceGroupId: "rg-second" })]);

  // drift: a signed TagResources call outside Pulumi; refresh shows it, the next up puts the declared value back
  await cloudCall(emu, "Eipanycast", "TagResources", { ResourceType: "ANYCASTEIPADDRESS", ResourceId: [eip.anycastId], Tag: [{ Key: "env", Value: "tampered" }, { Key: "owner", Value: "ops" }] });
  const refresh = await stack.refresh(["--diff"]);
  expect(refresh.code).toBe(0);
  expect(refresh.output).toMatch(/~ env\s*: "dev" => "tampered"/);
  expect(refresh.output).toMatch(/\+ owner\s*: "ops"/);
  const stored = (await stack.resources()).find((r) => r.id === eip.anycastId)!;
  expect(stored.outputs).toMatchObject({ tags: { env: "tampered", owner: "ops" }, declaredTags: { env: "dev" } });
  mark = lastSeq();
  expect((await stack.up()).code).toBe(0);
  expect(mutationsSince(mark)).toEqual(["TagResources"]);
  // The undeclared tag added elsewhere is left alone.
  expect(cloudTags()).toEqual({ env: "dev", owner: "ops", ...owner });

  // bad tags: refused at preview naming the property, not a single API call
  await stack.setResources([eipSpec({ resourceGroupId: "rg-second", tags: { "acs:x": "1" } })]);
  mark = lastSeq();
  const bad = await stack.preview();
  expect(bad.code).not.toBe(0);
  expect(bad.output).toMatch(/property tags\["acs:x"\] .*has a problem: the tag key must not start with "aliyun" or "acs:" \(reserved\); got "acs:x"/);
  expect(callsSince(mark)).toEqual([]);

  // a property no API changes in place: the preview says a new public IP address is allocated
  await stack.setResources([eipSpec({ resourceGroupId: "rg-second", tags: { env: "dev" }, regionId: "cn-shanghai" })]);
  mark = lastSeq();
  const replace = await stack.preview();
  expect(replace.code).toBe(0);
  expect(replace.output).toContain(`changing regionId replaces Anycast EIP ${eip.anycastId}: a new public IP address is allocated and the current one (${eip.ipAddress}) is released`);
  expect(callsSince(mark)).toEqual([]);

  // no Allocate/Release at any point after the create
  expect(emu.control.calls().filter((c) => c.action === "AllocateAnycastEipAddress")).toHaveLength(1);
  expect(emu.control.calls().filter((c) => c.action === "ReleaseAnycastEipAddress")).toHaveLength(0);

  expect((await stack.destroy()).code).toBe(0);
  expect(eips()).toEqual([]);
});
