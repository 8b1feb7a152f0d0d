/**
 * Bytes of provider code stored per resource in Pulumi state: `pulumi up` of 100 resources through the
 * real CLI against the emulator, then `pulumi stack export`. The dynamic provider is serialized into every
 * resource's state as `__provider` (inputs and outputs); that text is what runs on destroy.
 */
import { EIPANYCAST_INSTANT_TIMING, startEmulator } from "../emulator";
import { REGION, markdownTable, table } from "./common";
import { BenchStack, StateResource } from "./pulumi";

export interface StateTypeRow {
  type: string;
  count: number;
  /** Bytes of one `__provider` text (UTF-8). */
  providerBytes: number;
  /** Distinct `__provider` texts among resources of this type (1 = all identical). */
  distinctProviders: number;
  /** How many copies each resource stores (inputs + outputs). */
  copiesPerResource: number;
  /** `providerBytes × copiesPerResource`. */
  providerBytesPerResource: number;
  /** Mean size of the resource's whole state entry (compact JSON). */
  entryBytesMean: number;
}

export interface StateResult {
  resources: number;
  composition: { allocations: number; eips: number; associations: number };
  types: StateTypeRow[];
  /** `pulumi stack export` output size (as the CLI prints it). */
  exportBytes: number;
  /** The same document as compact JSON. */
  compactBytes: number;
  /** Total bytes of `__provider` values in the compact document. */
  providerBytesTotal: number;
  providerShare: number;
  upWallMs: number;
  destroyWallMs: number;
  leftInCloud: number;
  notes: string[];
}

const short = (type: string) => type.replace(/^pulumi-nodejs:dynamic\/alicloud:/, "");

export async function measureState(options: { total: number; log?: (line: string) => void }): Promise<StateResult> {
  const log = options.log ?? (() => undefined);
  const allocations = Math.round(options.total / 2);
  const eips = Math.round((options.total - allocations) / 2);
  const associations = options.total - allocations - eips;
  const emu = await startEmulator({ port: 0 });
  const stack = new BenchStack(emu);
  try {
    emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
    emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-benchstate", regionId: REGION, cidrs: ["10.0.0.0/8"] }] } });
    await stack.init({ "alicloud:region": REGION, "bench:ipamPoolId": "ipam-pool-benchstate", "bench:allocations": allocations, "bench:eips": eips, "bench:associations": associations });
    log(`  pulumi up: ${allocations} allocations, ${eips} EIPs, ${associations} associations…`);
    const up = await stack.up();
    if (up.code !== 0) throw new Error(`pulumi up failed:\n${up.output.slice(-4000)}`);
    const { text, state } = await stack.exportState();
    const ours = (state.deployment.resources ?? []).filter((r: StateResource) => r.type.startsWith("pulumi-nodejs:dynamic/alicloud:"));
    const byType = new Map<string, StateResource[]>();
    for (const r of ours) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    const types: StateTypeRow[] = [...byType.entries()].map(([type, list]) => {
      const texts = list.flatMap((r) => [r.inputs?.__provider, r.outputs?.__provider].filter((v): v is string => typeof v === "string"));
      const first = list[0];
      const copies = [first.inputs?.__provider, first.outputs?.__provider].filter((v) => typeof v === "string").length;
      const bytes = Buffer.byteLength(String(first.outputs?.__provider ?? first.inputs?.__provider ?? ""));
      return {
        type: short(type),
        count: list.length,
        providerBytes: bytes,
        distinctProviders: new Set(texts).size,
        copiesPerResource: copies,
        providerBytesPerResource: bytes * copies,
        entryBytesMean: Math.round(list.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0) / list.length),
      };
    });
    const compact = JSON.stringify(state);
    const providerBytesTotal = ours.reduce(
      (n, r) => n + [r.inputs?.__provider, r.outputs?.__provider].reduce<number>((m, v) => m + (typeof v === "string" ? Buffer.byteLength(JSON.stringify(v)) : 0), 0),
      0,
    );
    log(`  pulumi destroy…`);
    const destroy = await stack.destroy();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed:\n${destroy.output.slice(-4000)}`);
    const inv = emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: unknown[] } };
    return {
      resources: ours.length,
      composition: { allocations, eips, associations },
      types,
      exportBytes: Buffer.byteLength(text),
      compactBytes: Buffer.byteLength(compact),
      providerBytesTotal,
      providerShare: providerBytesTotal / Buffer.byteLength(compact),
      upWallMs: up.wallMs,
      destroyWallMs: destroy.wallMs,
      leftInCloud: inv.vpcipam.allocations.length + inv.eipanycast.eips.length,
      notes: [
        "__provider is the serialized provider: for an installed package one require of pulumi-alicloud-release/dist/provider/providers/<kind>.js (provider/shim.ts).",
        "Each resource stores it twice, in inputs and in outputs; the goal (≤ 2 KB per resource) is compared with both copies together.",
        "exportBytes is `pulumi stack export` as printed (indented JSON); compactBytes the same document without whitespace.",
      ],
    };
  } finally {
    await stack.remove();
    await emu.close();
  }
}

export const STATE_HEADERS = ["resource type", "count", "__provider (bytes)", "copies", "bytes per resource", "≤ 2 KB", "whole entry (mean)"];

export function stateRows(r: StateResult): (string | number)[][] {
  return r.types.map((t) => [
    t.type,
    t.count,
    `${t.providerBytes} B`,
    t.copiesPerResource,
    `${t.providerBytesPerResource} B`,
    t.providerBytesPerResource <= 2048 ? "yes" : "no",
    `${t.entryBytesMean} B`,
  ]);
}

export function printState(r: StateResult, md = false): string {
  const rows = stateRows(r);
  const head = md ? markdownTable(STATE_HEADERS, rows) : table(STATE_HEADERS, rows);
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return (
    `${head}\n` +
    `whole state for ${r.resources} resources: ${kb(r.exportBytes)} as exported (${kb(r.compactBytes)} compact; ${kb(r.compactBytes / r.resources)} per resource), ` +
    `of which __provider ${kb(r.providerBytesTotal)} (${(r.providerShare * 100).toFixed(1)} %)`
  );
}
