/**
 * What a killed `pulumi up` / `pulumi destroy` leaves for `recover`, made over real HTTP to the emulator:
 * a create whose call was committed but whose answer was lost, and the stack export that records it (as
 * `pulumi stack export --show-secrets` writes it: project `net`, stack `dev`).
 */
import { RunningEmulator } from "../../emulator";
import type { Lifecycle, Props } from "../../provider/lifecycle";
import { parseRecoverExport } from "../../provider/recover/export";
import type { StackExport } from "../../provider/recover/types";
import { caught, emulatorContext } from "./cloud";

/** The URN of one of this package's resources in the exports made here. */
export const urnOf = (kind: string, name: string): string => `urn:pulumi:dev::net::pulumi-nodejs:dynamic/alicloud:${kind}::${name}`;

/** The identity the Resource classes pass to `check` for resource `name` of stack `net/dev`. */
export const identity = (name: string) => ({ project: "net", stack: "dev", name });

/** A resource of the export, or (with `type`) a pending operation on one. */
export interface ExportEntry {
  type: "creating" | "deleting" | "updating";
  kind: string;
  name: string;
  inputs: Props;
  id?: string;
  outputs?: Props;
}

/** A stack export with these resources and pending operations, as `pulumi stack export --show-secrets` writes it. */
export function exportOf(pending: ExportEntry[], resources: Omit<ExportEntry, "type">[] = []): StackExport {
  const res = (e: Omit<ExportEntry, "type">) => ({
    urn: urnOf(e.kind, e.name),
    custom: true,
    type: `pulumi-nodejs:dynamic/alicloud:${e.kind}`,
    ...(e.id !== undefined ? { id: e.id } : {}),
    inputs: { __provider: "exports.handler = …", ...e.inputs },
    ...(e.outputs !== undefined ? { outputs: { __provider: "exports.handler = …", ...e.outputs } } : {}),
  });
  const doc = { version: 3, deployment: { manifest: { time: "t" }, resources: resources.map(res), pending_operations: pending.map((p) => ({ type: p.type, resource: res(p) })) } };
  return parseRecoverExport(JSON.stringify(doc), "test export");
}

/** What `pulumi up` does before a create: check, with the identity the Resource classes pass. */
export async function checkedInputs(emu: RunningEmulator, lc: Lifecycle, name: string, args: Props): Promise<Props> {
  const r = await lc.check(emulatorContext(emu), {}, { ...args, resourceIdentity: identity(name) });
  expect(r.failures ?? []).toEqual([]);
  return r.inputs as Props;
}

/** The create call goes through, its answer is lost, and the create gives up: what a killed `pulumi up` leaves. */
export async function interruptedCreate(emu: RunningEmulator, lc: Lifecycle, inputs: Props, product: string, action: string): Promise<void> {
  emu.control.addFault({ product, action, kind: "lost", count: 1 });
  await caught(lc.create(emulatorContext(emu, { retry: { maxAttempts: 1 } }), inputs));
  emu.control.clearFaults();
}
