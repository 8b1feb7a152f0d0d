/**
 * The uses the documented RAM policies are written for, driven through the provider's own lifecycle
 * functions and the preflight's and recover's run functions over real HTTP with real signatures: every API
 * action the provider calls is made at least once (docs/ram.md lists which step needs which action).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { RunningEmulator } from "../../emulator";
import { CloudContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { Lifecycle, Props } from "../../provider/lifecycle";
import { runPreflight } from "../../provider/preflight/run";
import { PreflightReport, StateResource } from "../../provider/preflight/types";
import { RecoverRun, runRecover } from "../../provider/recover/run";
import type { StackExport } from "../../provider/recover/types";
import { REGISTRY, ResourceKind, typeTokenOf } from "../../provider/registry";
import { checkedCreate, emulatorContext, emulatorEnv } from "./cloud";
import { checkedInputs, exportOf, interruptedCreate } from "./recover-export";

export const V4_POOL = "ipam-pool-ramv4";
export const V6_POOL = "ipam-pool-ramv6";
export const REGION = "cn-hangzhou";

/** A RAM policy document as docs/ holds it. */
export interface PolicyDocument {
  Version: "1";
  Statement: { Effect: "Allow" | "Deny"; Action: string | string[]; Resource: string | string[] }[];
}

/** docs/<name>, parsed. */
export function documentedPolicy(
  name: "ram-policy.json" | "ram-policy-preflight.json" | "ram-policy-sweep.json" | "ram-policy-recover.json" | "ram-policy-recover-apply.json",
): PolicyDocument {
  return JSON.parse(readFileSync(path.join(__dirname, "..", "..", "docs", name), "utf8")) as PolicyDocument;
}

/** One policy with the statements of both (recover --yes needs the plan's and the apply's). */
export function combinedPolicy(a: PolicyDocument, b: PolicyDocument): PolicyDocument {
  return { Version: "1", Statement: [...a.Statement, ...b.Statement] };
}

/** The policy without statement `index`. */
export function withoutStatement(policy: PolicyDocument, index: number): PolicyDocument {
  return { ...policy, Statement: policy.Statement.filter((_s, i) => i !== index) };
}

/** The single action a statement grants (the documented policies grant one action per statement). */
export function actionOf(statement: PolicyDocument["Statement"][number]): string {
  if (Array.isArray(statement.Action)) throw new Error("each documented statement grants exactly one action");
  return statement.Action;
}

/** The pools the scenarios allocate from: an IPv4 one, and an IPv6 one for a cidrMask above 32. */
export function seedPools(emu: RunningEmulator): void {
  emu.control.seed({
    vpcipam: {
      pools: [
        { ipamPoolId: V4_POOL, regionId: REGION, cidrs: ["10.8.0.0/16"] },
        { ipamPoolId: V6_POOL, regionId: REGION, cidrs: ["2408:4000::/48"], ipVersion: "IPv6" },
      ],
    },
  });
}

const lifecycleOf = (kind: ResourceKind): Lifecycle => REGISTRY[kind].loadLifecycle();

/** check → diff → update, as the engine runs an in-place `pulumi up`. */
async function checkedUpdate(lc: Lifecycle, ctx: CloudContext, id: string, olds: Props, args: Props): Promise<Props> {
  const { inputs } = await lc.check(ctx, olds, args);
  const diff = await lc.diff(ctx, id, olds, inputs as Props);
  if ((diff.replaces ?? []).length > 0) throw new Error(`scenario bug: ${JSON.stringify(diff.replaces)} would replace ${id}`);
  return (await lc.update(ctx, id, olds, inputs as Props)).outs as Props;
}

/**
 * What `pulumi up` / `refresh` / `destroy` do over a program that uses every feature: allocations by mask
 * (IPv4, and IPv6 which reads the pool first), renamed in place and refreshed; an Anycast EIP with tags,
 * then resized, renamed, retagged and moved to another resource group in place, refreshed; an association
 * created, its pop locations changed, and deleted; then every object deleted through the checked delete.
 */
export async function runLifecycleScenario(ctx: CloudContext): Promise<void> {
  const ipam = lifecycleOf("IpamPoolAllocation");
  const web = await checkedCreate(ipam, ctx, { ipamPoolId: V4_POOL, cidrMask: 24, name: "web" });
  const renamed = await checkedUpdate(ipam, ctx, web.id, web.outs, { ...web.inputs, name: "web-renamed" });
  await ipam.read(ctx, web.id, renamed);
  const v6 = await checkedCreate(ipam, ctx, { ipamPoolId: V6_POOL, cidrMask: 56 });

  const eipLc = lifecycleOf("AnycastEipAddress");
  const eip = await checkedCreate(eipLc, ctx, { serviceLocation: "international", bandwidth: 200, name: "edge", tags: { env: "a", team: "net" } });
  const changed = await checkedUpdate(eipLc, ctx, eip.id, eip.outs, {
    ...eip.inputs,
    bandwidth: 300,
    name: "edge2",
    tags: { env: "b" },
    resourceGroupId: "rg-acfmramscenario",
  });
  await eipLc.read(ctx, eip.id, changed);

  // The first association of an EIP is its Default one; a second, Normal one has its own pop locations.
  const assocLc = lifecycleOf("AnycastEipAssociation");
  const eni = (id: string, regionId: string) => ({ anycastId: eip.id, bindInstanceId: id, bindInstanceRegionId: regionId, bindInstanceType: "NetworkInterface" });
  const first = await checkedCreate(assocLc, ctx, eni("eni-ramscenario01", "us-west-1"));
  const second = await checkedCreate(assocLc, ctx, { ...eni("eni-ramscenario02", "eu-central-1"), associationMode: "Normal", popLocations: ["us-west-1-pop"] });
  const moved = await checkedUpdate(assocLc, ctx, second.id, second.outs, { ...second.inputs, popLocations: ["eu-west-1-pop"] });
  await assocLc.delete(ctx, second.id, moved);
  await assocLc.delete(ctx, first.id, first.outs);

  await eipLc.delete(ctx, eip.id, changed);
  await ipam.delete(ctx, v6.id, v6.outs);
  await ipam.delete(ctx, web.id, renamed);
}

/** One resource of a stack export, as `pulumi stack export` writes it. */
function stateResource(kind: ResourceKind, name: string, id: string, outputs: Props): StateResource {
  return {
    urn: `urn:pulumi:ram::ram::${typeTokenOf(kind)}::${name}`,
    type: typeTokenOf(kind),
    id,
    outputs,
    dependencies: [],
    propertyDependencies: {},
    retainOnDelete: false,
    external: false,
    pendingDelete: false,
  };
}

/** An allocation and an EIP to be checked by the preflight (made by the lifecycle, so their state is real). */
export async function preflightStack(ctx: CloudContext): Promise<StateResource[]> {
  const alloc = await checkedCreate(lifecycleOf("IpamPoolAllocation"), ctx, { ipamPoolId: V4_POOL, cidrMask: 26 });
  const eip = await checkedCreate(lifecycleOf("AnycastEipAddress"), ctx, { serviceLocation: "international" });
  return [stateResource("IpamPoolAllocation", "alloc", alloc.id, alloc.outs), stateResource("AnycastEipAddress", "eip", eip.id, eip.outs)];
}

/** `pulumi-alicloud-release preflight` over `resources`, with the settings a provider process would have. */
export function runPreflightScenario(emu: RunningEmulator, resources: readonly StateResource[], progress: (line: string) => void = () => undefined): Promise<PreflightReport> {
  return runPreflight(resources, { settings: envSource(emulatorEnv(emu)), source: "test", progress });
}

/** How many EIPs and how many allocations (all in one pool) the concurrent scenarios make. */
export const CONCURRENT_EACH = 3;

/**
 * `CONCURRENT_EACH` Anycast EIPs and as many allocations in one pool, made one after the other through the
 * lifecycle (so their state is real), as a stack export would list them.
 */
async function makeConcurrentStack(ctx: CloudContext): Promise<{ kind: ResourceKind; id: string; outs: Props }[]> {
  const made: { kind: ResourceKind; id: string; outs: Props }[] = [];
  for (let i = 0; i < CONCURRENT_EACH; i++) {
    const alloc = await checkedCreate(lifecycleOf("IpamPoolAllocation"), ctx, { ipamPoolId: V4_POOL, cidrMask: 27 });
    made.push({ kind: "IpamPoolAllocation", id: alloc.id, outs: alloc.outs });
    const eip = await checkedCreate(lifecycleOf("AnycastEipAddress"), ctx, { serviceLocation: "international" });
    made.push({ kind: "AnycastEipAddress", id: eip.id, outs: eip.outs });
  }
  return made;
}

/**
 * What `pulumi destroy` does with independent resources: every delete at once, in one provider process
 * (here one context), after making them: the deletes' pre-delete reads and confirmation probes are batched
 * into List calls (ListAnycastEipAddresses for the EIPs, ListIpamPoolAllocations for the pool's allocations).
 */
export async function runConcurrentDestroyScenario(ctx: CloudContext): Promise<void> {
  const made = await makeConcurrentStack(ctx);
  await Promise.all(made.map((r) => lifecycleOf(r.kind).delete(ctx, r.id, r.outs)));
}

/**
 * A stack of `CONCURRENT_EACH` allocations of one pool and as many EIPs, alternating, for a preflight: its
 * first checks run at once (4 by default), so their reads of two allocations and two EIPs are batched
 * into List calls.
 */
export async function concurrentPreflightStack(ctx: CloudContext): Promise<StateResource[]> {
  const made = await makeConcurrentStack(ctx);
  return made.map((r, i) => stateResource(r.kind, `${r.kind === "AnycastEipAddress" ? "eip" : "alloc"}${i >> 1}`, r.id, r.outs));
}

/**
 * What `recover` finds after killed runs, one pending operation of each kind it reads differently: the
 * create of an Anycast EIP (tagged) and of an IPv6 allocation by prefix length (above 32, so the create reads
 * the pool first), each committed with its answer lost; the create of an association whose binding was made;
 * and the delete of an allocation that still exists. Made without a RAM policy, before one is loaded.
 */
export async function recoverStack(emu: RunningEmulator): Promise<StackExport> {
  const eipInputs = await checkedInputs(emu, lifecycleOf("AnycastEipAddress"), "web", { serviceLocation: "international", name: "web", tags: { env: "prod" } });
  await interruptedCreate(emu, lifecycleOf("AnycastEipAddress"), eipInputs, "Eipanycast", "AllocateAnycastEipAddress");
  const v6Inputs = await checkedInputs(emu, lifecycleOf("IpamPoolAllocation"), "v6", { ipamPoolId: V6_POOL, cidrMask: 56, name: "v6" });
  await interruptedCreate(emu, lifecycleOf("IpamPoolAllocation"), v6Inputs, "VpcIpam", "CreateIpamPoolAllocation");

  const ctx = emulatorContext(emu);
  const edge = await checkedCreate(lifecycleOf("AnycastEipAddress"), ctx, { serviceLocation: "international" });
  const bindInputs = await checkedInputs(emu, lifecycleOf("AnycastEipAssociation"), "bind", {
    anycastId: edge.id,
    bindInstanceId: "eni-ramrecover01",
    bindInstanceRegionId: "us-west-1",
    bindInstanceType: "NetworkInterface",
  });
  await lifecycleOf("AnycastEipAssociation").create(ctx, bindInputs);
  const old = await checkedCreate(lifecycleOf("IpamPoolAllocation"), ctx, { ipamPoolId: V4_POOL, cidrMask: 26 });

  const oldEntry = { kind: "IpamPoolAllocation", name: "old", id: old.id, inputs: old.inputs, outputs: old.outs };
  return exportOf(
    [
      { type: "creating", kind: "AnycastEipAddress", name: "web", inputs: eipInputs },
      { type: "creating", kind: "IpamPoolAllocation", name: "v6", inputs: v6Inputs },
      { type: "creating", kind: "AnycastEipAssociation", name: "bind", inputs: bindInputs },
      { type: "deleting", ...oldEntry },
    ],
    [{ kind: "AnycastEipAddress", name: "edge", id: edge.id, inputs: edge.inputs, outputs: edge.outs }, oldEntry],
  );
}

/** `pulumi-alicloud-release recover` over `exp` (`apply`: with --yes), with the settings a provider process would have. */
export function runRecoverScenario(emu: RunningEmulator, exp: StackExport, options: { apply: boolean; listOrphans?: boolean }): Promise<RecoverRun> {
  return runRecover(exp, { settings: envSource(emulatorEnv(emu)), source: "test", progress: () => undefined, ...options });
}
