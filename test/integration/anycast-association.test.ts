/**
 * AnycastEipAssociation's lifecycle against the emulator over real HTTP, and how it composes with the EIP
 * on destroy (detach before release).
 */
import { anycastEipAssociationLifecycle as lc } from "../../provider/anycast/association-lifecycle";
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { CloudContext } from "../../provider/cloud/context";
import { PartialCreateError, Props, ReleaseRefusedError } from "../../provider/lifecycle";
import { virtualClock } from "../helpers/clock";
import { caught, checkedCreate, emulatorContext } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const REGION = "cn-hangzhou";
const emu = useEmulator({ anycastTiming: "instant" });

const ctxFor = (onLine?: (l: string) => void): CloudContext & { lines: string[] } => emulatorContext(emu, { progress: onLine });
const settleOnWait = (l: string) => {
  if (/^waiting for/.test(l)) emu.control.settle();
};

interface EmuBinding {
  bindInstanceId: string;
  status: string;
  associationMode: string;
  popLocations: string[];
}
const eips = () => (emu.control.state().eipanycast as { eips: { anycastId: string; status: string; bindings: EmuBinding[] }[] }).eips;
const bindingsOf = (id: string) => eips().find((e) => e.anycastId === id)?.bindings ?? [];
const calls = (action?: string) => emu.control.calls().filter((c) => action === undefined || c.action === action);
const seed = (...specs: Record<string, unknown>[]): string[] =>
  (emu.control.seed({ eipanycast: { eips: specs } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds;

const eni = (anycastId: string, extra: Props = {}): Props => ({
  anycastId,
  bindInstanceId: "eni-a1",
  bindInstanceRegionId: "us-west-1",
  bindInstanceType: "NetworkInterface",
  ...extra,
});

const associated = (ctx: CloudContext, args: Props) => checkedCreate(lc, ctx, args);

describe("create / read / update / delete", () => {
  test("associate (held in Associating until the provider waits), read, change pop locations, detach", async () => {
    emu.control.setTiming({ eipanycast: { Associating: null, Unassociating: null, Modifying: null } });
    const [id] = seed({ bindings: [{ bindInstanceId: "lb-default", bindInstanceRegionId: "us-east-1", bindInstanceType: "SlbInstance" }] });
    const ctx = ctxFor(settleOnWait);

    const a = await associated(ctx, eni(id, { associationMode: "Normal", popLocations: ["us-west-1-pop"], privateIpAddress: "10.0.0.5" }));
    expect(a.id).toBe(`${id}:eni-a1:us-west-1:NetworkInterface`);
    expect(a.outs).toEqual({
      anycastId: id,
      bindInstanceId: "eni-a1",
      bindInstanceRegionId: "us-west-1",
      bindInstanceType: "NetworkInterface",
      privateIpAddress: "10.0.0.5",
      associationMode: "Normal",
      popLocations: ["us-west-1-pop"],
      status: "BINDED",
      bindTime: expect.stringMatching(/Z$/),
      regionId: REGION,
    });
    const assoc = calls("AssociateAnycastEipAddress");
    expect(assoc).toHaveLength(1);
    expect(assoc[0].params).toMatchObject({ AnycastId: id, BindInstanceId: "eni-a1", AssociationMode: "Normal", "PopLocations.1.PopLocation": "us-west-1-pop", PrivateIpAddress: "10.0.0.5" });
    expect(assoc[0].clientToken).toEqual(expect.any(String));
    expect(ctx.lines.some((l) => /to be BINDED: BINDING/.test(l))).toBe(true);

    expect(await lc.read(ctx, a.id, a.outs)).toEqual({ id: a.id, props: a.outs });

    const news = { ...a.inputs, popLocations: ["eu-west-1-pop", "ap-southeast-1-pop"] };
    expect(await lc.diff(ctx, a.id, a.outs, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.control.clearCalls();
    const upd = (await lc.update(ctx, a.id, a.outs, news)).outs as Props;
    expect(upd.popLocations).toEqual(expect.arrayContaining(["eu-west-1-pop", "ap-southeast-1-pop"]));
    expect(upd.popLocations).toHaveLength(2);
    const change = calls("UpdateAnycastEipAddressAssociations");
    expect(change).toHaveLength(1);
    expect(change[0].params).toMatchObject({
      "PopLocationAddList.1.PopLocation": "eu-west-1-pop",
      "PopLocationAddList.2.PopLocation": "ap-southeast-1-pop",
      "PopLocationDeleteList.1.PopLocation": "us-west-1-pop",
    });
    expect((await lc.diff(ctx, a.id, upd, news)).changes).toBe(false);
    // Limits only: no API call.
    emu.control.clearCalls();
    const limits = (await lc.update(ctx, a.id, upd, { ...news, maxAttempts: 4 })).outs as Props;
    expect(limits).toEqual({ ...upd, maxAttempts: 4 });
    expect(calls()).toEqual([]);

    emu.control.clearCalls();
    await lc.delete(ctx, a.id, upd);
    expect(bindingsOf(id).map((b) => b.bindInstanceId)).toEqual(["lb-default"]);
    const un = calls("UnassociateAnycastEipAddress");
    expect(un).toHaveLength(1);
    expect(un[0].params).toMatchObject({ AnycastId: id, BindInstanceId: "eni-a1", BindInstanceRegionId: "us-west-1", BindInstanceType: "NetworkInterface", PrivateIpAddress: "10.0.0.5" });
    expect(await lc.read(ctx, a.id, upd)).toEqual({});
  });

  test("create waits for an EIP still settling (just allocated / being modified) before associating", async () => {
    emu.control.setTiming({ eipanycast: { Modifying: null } });
    const [id] = seed({ status: "Modifying" });
    const ctx = ctxFor(settleOnWait);
    const a = await associated(ctx, eni(id));
    expect(a.outs).toMatchObject({ status: "BINDED", associationMode: "Default" });
    expect(calls("AssociateAnycastEipAddress").map((c) => c.outcome.status)).toEqual([200]);
  });

  test("a binding that never completes ends in PartialCreateError carrying its ID; destroy detaches it", async () => {
    emu.control.setTiming({ eipanycast: { Associating: null } });
    const [id] = seed({});
    // The deadline passes on a virtual clock: only the waits spend it, however slow the machine's calls.
    const ctx = emulatorContext(emu, { clock: virtualClock() });
    const checked = await lc.check(ctx, {}, eni(id, { timeoutSeconds: 0.3 }));
    const err = (await caught(lc.create(ctx, checked.inputs as Props))) as PartialCreateError;
    expect(err).toBeInstanceOf(PartialCreateError);
    expect(err.id).toBe(`${id}:eni-a1:us-west-1:NetworkInterface`);
    expect(err.properties).toMatchObject({ anycastId: id, bindInstanceId: "eni-a1", status: "BINDING", regionId: REGION });
    expect(err.message).toMatch(/still BINDING/);
    expect(bindingsOf(id)).toHaveLength(1);

    // The stored timeoutSeconds (0.3) bounds the destroy too: its waits also run on a virtual clock.
    await lc.delete(emulatorContext(emu, { clock: virtualClock(), progress: settleOnWait }), err.id, err.properties);
    expect(bindingsOf(id)).toEqual([]);
  });

  test("a binding left by an interrupted run is taken over without a second Associate", async () => {
    const [id] = seed({ bindings: [{ bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" }] });
    const ctx = ctxFor();
    const a = await associated(ctx, eni(id));
    expect(a.outs.status).toBe("BINDED");
    expect(calls("AssociateAnycastEipAddress")).toHaveLength(0);
    expect(ctx.lines.join("\n")).toMatch(/already exists \(BINDED\); taking it under management/);
  });

  test("associating to an EIP that does not exist fails plainly (nothing created)", async () => {
    const err = await caught(associated(ctxFor(), eni("aeip-missing")));
    expect(err).not.toBeInstanceOf(PartialCreateError);
    expect(err.message).toMatch(/Anycast EIP aeip-missing does not exist/);
    expect(calls("AssociateAnycastEipAddress")).toHaveLength(0);
  });

  test("Associate's lost response is replayed with the same ClientToken: one binding", async () => {
    const [id] = seed({});
    emu.control.addFault({ product: "Eipanycast", action: "AssociateAnycastEipAddress", kind: "lost", count: 1 });
    const a = await associated(ctxFor(), eni(id));
    const assoc = calls("AssociateAnycastEipAddress");
    expect(assoc.map((c) => [c.fault, c.replayed])).toEqual([
      ["lost", false],
      [null, true],
    ]);
    expect(new Set(assoc.map((c) => c.clientToken)).size).toBe(1);
    expect(a.outs.status).toBe("BINDED");
    expect(bindingsOf(id)).toHaveLength(1);
  });

  test("Associate's only attempt lost (committed, no reply): the provider finds the binding and carries on", async () => {
    const [id] = seed({});
    emu.control.addFault({ product: "Eipanycast", action: "AssociateAnycastEipAddress", kind: "lost" });
    const ctx = ctxFor();
    const a = await associated(ctx, eni(id, { maxAttempts: 1 }));
    expect(a.outs.status).toBe("BINDED");
    expect(ctx.lines.join("\n")).toMatch(/the association went through despite/);
  });

  test("read: EIP gone, or binding gone → {}", async () => {
    const [id] = seed({});
    const ctx = ctxFor();
    expect(await lc.read(ctx, `${id}:eni-a1:us-west-1:NetworkInterface`, {})).toEqual({});
    expect(await lc.read(ctx, "aeip-gone:eni-a1:us-west-1:NetworkInterface", {})).toEqual({});
  });
});

describe("delete", () => {
  test("EIP or binding already gone: success with no Unassociate call", async () => {
    const [id] = seed({});
    const ctx = ctxFor();
    await lc.delete(ctx, `${id}:eni-a1:us-west-1:NetworkInterface`, {});
    await lc.delete(ctx, "aeip-gone:eni-a1:us-west-1:NetworkInterface", { regionId: REGION });
    expect(calls("UnassociateAnycastEipAddress")).toHaveLength(0);
  });

  test("a Conflict / SystemBusy burst on Unassociate is retried with ONE ClientToken", async () => {
    const [id] = seed({ bindings: [{ bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" }] });
    emu.control.addFault({ product: "Eipanycast", action: "UnassociateAnycastEipAddress", kind: "error", code: "OperationFailed.Conflict", count: 2 });
    emu.control.addFault({ product: "Eipanycast", action: "UnassociateAnycastEipAddress", kind: "error", code: "SystemBusy", status: 503, count: 1 });
    await lc.delete(ctxFor(), `${id}:eni-a1:us-west-1:NetworkInterface`, { regionId: REGION });
    const un = calls("UnassociateAnycastEipAddress");
    expect(un.map((c) => c.outcome.code ?? c.outcome.status)).toEqual(["OperationFailed.Conflict", "OperationFailed.Conflict", "SystemBusy", 200]);
    expect(new Set(un.map((c) => c.clientToken)).size).toBe(1);
    expect(bindingsOf(id)).toEqual([]);
  });

  test("waits for a binding that is still BINDING before detaching it; an UNBINDING one is only waited for", async () => {
    emu.control.setTiming({ eipanycast: { Associating: null, Unassociating: null } });
    const [a, b] = seed(
      { status: "Associating", bindings: [{ bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface", status: "BINDING" }] },
      { status: "Unassociating", bindings: [{ bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface", status: "UNBINDING" }] },
    );
    const ctx = ctxFor(settleOnWait);
    await lc.delete(ctx, `${a}:eni-a1:us-west-1:NetworkInterface`, { regionId: REGION });
    await lc.delete(ctx, `${b}:eni-a1:us-west-1:NetworkInterface`, { regionId: REGION });
    expect(bindingsOf(a)).toEqual([]);
    expect(bindingsOf(b)).toEqual([]);
    expect(calls("UnassociateAnycastEipAddress").map((c) => [c.params.AnycastId, c.outcome.status])).toEqual([[a, 200]]);
  });
});

describe("with the EIP: what `pulumi destroy` does", () => {
  test("the EIP refuses to go while associated (no release call); once the association is deleted, it releases", async () => {
    const ctx = ctxFor(settleOnWait);
    const eipChecked = await eipLc.check(ctx, {}, { serviceLocation: "international", name: "edge" });
    const eip = await eipLc.create(ctx, eipChecked.inputs as Props);
    const a = await associated(ctx, eni(eip.id));

    const err = await caught(eipLc.delete(ctx, eip.id, eip.outs as Props));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toContain("eni-a1 (NetworkInterface in us-west-1)");
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(0);

    // Pulumi deletes dependents first: the association, then the EIP.
    await lc.delete(ctx, a.id, a.outs);
    await eipLc.delete(ctx, eip.id, eip.outs as Props);
    expect(eips()).toEqual([]);
    expect(calls().filter((c) => c.mutating).map((c) => c.action)).toEqual([
      "AllocateAnycastEipAddress",
      "AssociateAnycastEipAddress",
      "UnassociateAnycastEipAddress",
      "ReleaseAnycastEipAddress",
    ]);
  });
});
