/**
 * AnycastEipAddress tags and resource group against the emulator, over real HTTP with real signatures:
 * applied at create, changed in place (never an Allocate/Release), read back for refresh, undeclared tags
 * left alone, and a tagging failure after the allocation still hands the EIP's ID to the engine.
 */
import { tagAnycastEip } from "../../provider/anycast/api";
import { anycastEipAddressLifecycle as lc } from "../../provider/anycast/eip-lifecycle";
import { PartialCreateError, Props } from "../../provider/lifecycle";
import { operationOf } from "../../provider/operation";
import { caught, checkedCreate, emulatorContext } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const REGION = "cn-hangzhou";
const emu = useEmulator({ anycastTiming: "instant" });

interface EmuEip {
  anycastId: string;
  ipAddress: string;
  resourceGroupId: string;
  tags: { key: string; value: string }[];
}
const eips = () => (emu.control.state().eipanycast as { eips: EmuEip[] }).eips;
const calls = (action?: string) => emu.control.calls().filter((c) => c.product === "Eipanycast" && (action === undefined || c.action === action));
const writes = () => calls().map((c) => c.action).filter((a) => a !== "DescribeAnycastEipAddress");
const cloudTags = (i = 0) => Object.fromEntries(eips()[i].tags.map((t) => [t.key, t.value]));

/** check → diff → update, as the engine runs an in-place `pulumi up`; asserts it is not a replacement. */
async function up(id: string, outs: Props, args: Props): Promise<Props> {
  const ctx = emulatorContext(emu);
  const { inputs } = await lc.check(ctx, {}, args);
  const diff = await lc.diff(ctx, id, outs, inputs as Props);
  expect(diff.replaces).toEqual([]);
  return (await lc.update(ctx, id, outs, inputs as Props)).outs as Props;
}

test("tags are applied right after the allocation (the Allocate request has no Tag field), then changed and removed in place", async () => {
  const ctx = emulatorContext(emu);
  const { id, outs } = await checkedCreate(lc, ctx, { serviceLocation: "international", tags: { env: "prod", team: "net" } });
  expect(writes()).toEqual(["AllocateAnycastEipAddress", "TagResources"]);
  // The tagged record is brought up to date locally: no Describe after TagResources.
  expect(calls().at(-1)!.action).toBe("TagResources");
  expect(Object.keys(calls("AllocateAnycastEipAddress")[0].params).filter((k) => k.startsWith("Tag"))).toEqual([]);
  expect(calls("TagResources")[0].params).toMatchObject({ ResourceType: "ANYCASTEIPADDRESS", "ResourceId.1": id, "Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team" });
  expect(outs).toMatchObject({ tags: { env: "prod", team: "net" }, declaredTags: { env: "prod", team: "net" } });
  const ip = eips()[0].ipAddress;

  // An undeclared tag added elsewhere stays through every change below.
  await tagAnycastEip(operationOf(ctx, { regionId: REGION }), id, { owner: "ops" });
  emu.control.clearCalls();
  const changed = await up(id, outs, { serviceLocation: "international", tags: { env: "dev", team: "net", tier: "" } });
  expect(writes()).toEqual(["TagResources"]);
  expect(calls().map((c) => c.action)).toEqual(["DescribeAnycastEipAddress", "TagResources"]);
  expect(calls("TagResources")[0].params).toMatchObject({ "Tag.1.Key": "env", "Tag.1.Value": "dev", "Tag.2.Key": "tier", "Tag.2.Value": "" });
  expect(cloudTags()).toEqual({ env: "dev", team: "net", owner: "ops", tier: "" });
  expect(changed).toMatchObject({ tags: { env: "dev", team: "net", owner: "ops", tier: "" }, declaredTags: { env: "dev", team: "net", tier: "" } });

  emu.control.clearCalls();
  const removed = await up(id, changed, { serviceLocation: "international", tags: { env: "dev" } });
  expect(writes()).toEqual(["UntagResources"]);
  expect(calls("UntagResources")[0].params).toMatchObject({ ResourceType: "ANYCASTEIPADDRESS", "ResourceId.1": id, "TagKey.1": "team", "TagKey.2": "tier" });
  expect(cloudTags()).toEqual({ env: "dev", owner: "ops" });

  // Dropping `tags` altogether untags what was declared; the undeclared `owner` stays.
  emu.control.clearCalls();
  const none = await up(id, removed, { serviceLocation: "international" });
  expect(writes()).toEqual(["UntagResources"]);
  expect(cloudTags()).toEqual({ owner: "ops" });
  expect(none).toMatchObject({ tags: { owner: "ops" }, declaredTags: {} });
  expect(eips()).toHaveLength(1);
  expect(eips()[0]).toMatchObject({ anycastId: id, ipAddress: ip });
});

test("resourceGroupId moves the EIP in place with ChangeResourceGroup: same AnycastId, same IP", async () => {
  const ctx = emulatorContext(emu);
  const { id, outs } = await checkedCreate(lc, ctx, { serviceLocation: "international", resourceGroupId: "rg-first" });
  const ip = eips()[0].ipAddress;
  emu.control.clearCalls();
  const moved = await up(id, outs, { serviceLocation: "international", resourceGroupId: "rg-second" });
  expect(writes()).toEqual(["ChangeResourceGroup"]);
  expect(calls("ChangeResourceGroup")[0].params).toMatchObject({ ResourceType: "ANYCASTEIPADDRESS", ResourceId: id, NewResourceGroupId: "rg-second" });
  expect(eips()).toEqual([expect.objectContaining({ anycastId: id, ipAddress: ip, resourceGroupId: "rg-second" })]);
  expect(moved).toMatchObject({ anycastId: id, ipAddress: ip, resourceGroupId: "rg-second" });
});

test("refresh reads the tags back: a declared tag changed elsewhere is drift the next diff corrects", async () => {
  const ctx = emulatorContext(emu);
  const { id, outs } = await checkedCreate(lc, ctx, { serviceLocation: "international", tags: { env: "prod" } });
  await tagAnycastEip(operationOf(ctx, { regionId: REGION }), id, { env: "tampered", extra: "x" });
  const read = (await lc.read(ctx, id, outs)).props as Props;
  expect(read).toMatchObject({ tags: { env: "tampered", extra: "x" }, declaredTags: { env: "prod" } });
  const { inputs } = await lc.check(ctx, {}, { serviceLocation: "international", tags: { env: "prod" } });
  expect(await lc.diff(ctx, id, read, inputs as Props)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  emu.control.clearCalls();
  await lc.update(ctx, id, read, inputs as Props);
  expect(writes()).toEqual(["TagResources"]);
  expect(cloudTags()).toEqual({ env: "prod", extra: "x" });
});

test("an adopted EIP keeps its own tags and moves to a declared group in place", async () => {
  const [id] = (emu.control.seed({ eipanycast: { eips: [{ regionId: REGION, resourceGroupId: "rg-old", tags: [{ key: "cost", value: "a" }] }] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;
  const ctx = emulatorContext(emu);
  emu.control.clearCalls();
  const { outs } = await checkedCreate(lc, ctx, { serviceLocation: "international", adoptAnycastId: id, resourceGroupId: "rg-new", tags: { env: "prod" } });
  expect(writes()).toEqual(["TagResources", "ChangeResourceGroup"]);
  expect(cloudTags()).toEqual({ cost: "a", env: "prod" });
  expect(outs).toMatchObject({ resourceGroupId: "rg-new", tags: { cost: "a", env: "prod" }, declaredTags: { env: "prod" } });
});

test("state from an earlier version (no tags) with a program that declares none makes no tag call", async () => {
  const [id] = (emu.control.seed({ eipanycast: { eips: [{ regionId: REGION, tags: [{ key: "cost", value: "a" }] }] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;
  const ctx = emulatorContext(emu);
  const old = { anycastId: id, status: "Allocated", serviceLocation: "international", bandwidth: 1000 };
  const { inputs } = await lc.check(ctx, {}, { serviceLocation: "international", bandwidth: 1000 });
  expect((await lc.diff(ctx, id, old, inputs as Props)).changes).toBe(false);
  emu.control.clearCalls();
  await lc.update(ctx, id, old, { ...(inputs as Props), bandwidth: 500 });
  expect(writes()).toEqual(["ModifyAnycastEipAddressSpec"]);
  expect(cloudTags()).toEqual({ cost: "a" });
});

test("a tagging failure after the allocation hands the EIP's ID to the engine (PartialCreateError); the next up tags it", async () => {
  emu.control.addFault({ product: "Eipanycast", action: "TagResources", kind: "error", code: "InvalidParameter", status: 400, count: 1 });
  const ctx = emulatorContext(emu);
  const { inputs } = await lc.check(ctx, {}, { serviceLocation: "international", tags: { env: "prod" } });
  const err = (await caught(lc.create(ctx, inputs as Props))) as PartialCreateError;
  expect(err).toBeInstanceOf(PartialCreateError);
  expect(err.id).toBe(eips()[0].anycastId);
  expect(err.message).toMatch(/was allocated, but .*InvalidParameter/);
  expect(err.properties).toMatchObject({ anycastId: err.id, status: "Allocated", tags: {} });
  emu.control.clearCalls();
  const outs = (await lc.update(ctx, err.id, err.properties, inputs as Props)).outs as Props;
  expect(writes()).toEqual(["TagResources"]);
  expect(outs).toMatchObject({ tags: { env: "prod" }, declaredTags: { env: "prod" } });
  expect(calls("AllocateAnycastEipAddress")).toHaveLength(0);
});
