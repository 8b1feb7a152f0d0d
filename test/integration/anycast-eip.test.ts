/**
 * AnycastEipAddress's lifecycle against the emulator, over real HTTP with real signatures. Transitions are
 * driven with timing 0, or held (null) and settled from a progress callback — no sleeps.
 */
import { anycastEipAddressLifecycle as lc } from "../../provider/anycast/eip-lifecycle";
import { CloudContext } from "../../provider/cloud/context";
import { PartialCreateError, Props, ReleaseRefusedError } from "../../provider/lifecycle";
import { dispatch } from "../../provider/runtime";
import { virtualClock } from "../helpers/clock";
import { caught, checkedCreate, emulatorContext } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const REGION = "cn-hangzhou";
const emu = useEmulator({ anycastTiming: "instant" });

type Ctx = CloudContext & { lines: string[] };

/** A provider context pointed at the emulator with zero backoff; `onLine` sees every progress line. */
const ctxFor = (onLine?: (line: string) => void, env: Record<string, string> = {}): Ctx => emulatorContext(emu, { progress: onLine }, env);

/** Settles held transitions whenever the provider reports that it is waiting. */
const settleOnWait = (line: string) => {
  if (/^waiting for/.test(line)) emu.control.settle();
};

interface EmuEip {
  anycastId: string;
  status: string;
  name: string;
  description: string;
  bandwidth: number;
  bindings: { bindInstanceId: string; status: string }[];
}
const eips = () => (emu.control.state().eipanycast as { eips: EmuEip[] }).eips;
const calls = (action?: string) => emu.control.calls().filter((c) => c.product === "Eipanycast" && (action === undefined || c.action === action));
const actions = () => calls().map((c) => c.action);

function seed(...specs: Record<string, unknown>[]): string[] {
  const out = emu.control.seed({ eipanycast: { eips: specs } }) as { eipanycast: { anycastIds: string[] } };
  return out.eipanycast.anycastIds;
}

const created = (ctx: Ctx, args: Props) => checkedCreate(lc, ctx, args);

describe("create / read / update / delete", () => {
  test("the whole life of an EIP, with plain-JSON outputs and the call sequence of each step", async () => {
    const ctx = ctxFor(settleOnWait);
    const { inputs, id, outs } = await created(ctx, { serviceLocation: "international", bandwidth: 500, name: "web", description: "front door" });
    expect(id).toMatch(/^aeip-/);
    expect(outs).toEqual({
      anycastId: id,
      ipAddress: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      status: "Allocated",
      businessStatus: "Normal",
      serviceManaged: false,
      bandwidth: 500,
      bindings: [],
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      serviceLocation: "international",
      internetChargeType: "PayByTraffic",
      instanceChargeType: "PostPaid",
      name: "web",
      description: "front door",
      resourceGroupId: expect.stringMatching(/^rg-/),
      tags: {},
      declaredTags: {},
      regionId: REGION,
      detachOnDelete: false,
    });
    expect(JSON.parse(JSON.stringify(outs))).toEqual(outs);
    expect(actions()).toEqual(["AllocateAnycastEipAddress", "DescribeAnycastEipAddress"]);
    expect(calls("AllocateAnycastEipAddress")[0].params).toMatchObject({ ServiceLocation: "international", Bandwidth: "500", Name: "web", Description: "front door", InstanceChargeType: "PostPaid", InternetChargeType: "PayByTraffic" });

    emu.control.clearCalls();
    expect(await lc.read(ctx, id, outs)).toEqual({ id, props: outs });
    expect(actions()).toEqual(["DescribeAnycastEipAddress"]);

    // In place: rename + bandwidth, with the spec change held in Modifying until the provider waits.
    emu.control.setTiming({ eipanycast: { Modifying: null } });
    const news = { ...inputs, name: "web2", description: "", bandwidth: 800, detachOnDelete: true };
    expect(await lc.diff(ctx, id, outs, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.control.clearCalls();
    const updated = (await lc.update(ctx, id, outs, news)).outs as Props;
    expect(updated).toMatchObject({ name: "web2", description: "", bandwidth: 800, status: "Allocated", detachOnDelete: true });
    expect(actions().filter((a) => a !== "DescribeAnycastEipAddress")).toEqual(["ModifyAnycastEipAddressAttribute", "ModifyAnycastEipAddressSpec"]);
    expect(ctx.lines.some((l) => /bandwidth change.*Modifying/.test(l))).toBe(true);
    expect(eips()[0]).toMatchObject({ name: "web2", description: "", bandwidth: 800 });

    // detachOnDelete / limits only: no API call at all
    emu.control.clearCalls();
    const limitsOnly = (await lc.update(ctx, id, { ...updated, __provider: "p" }, { ...news, detachOnDelete: false, timeoutSeconds: 120 })).outs as Props;
    expect(limitsOnly).toEqual({ ...updated, detachOnDelete: false, timeoutSeconds: 120 });
    expect(actions()).toEqual([]);

    emu.control.clearCalls();
    await lc.delete(ctx, id, limitsOnly);
    expect(actions()).toEqual(["DescribeAnycastEipAddress", "ReleaseAnycastEipAddress", "DescribeAnycastEipAddress"]);
    expect(eips()).toEqual([]);
    expect(await lc.read(ctx, id, outs)).toEqual({});
  });

  test("create waits while the new EIP is Allocating", async () => {
    emu.control.setTiming({ eipanycast: { Allocating: null } });
    const ctx = ctxFor(settleOnWait);
    const { outs } = await created(ctx, { serviceLocation: "international" });
    expect(outs.status).toBe("Allocated");
    expect(ctx.lines.some((l) => /to be allocated: Allocating/.test(l))).toBe(true);
  });

  test("a create that cannot finish hands the EIP's ID to the engine (PartialCreateError), and destroy then releases it", async () => {
    emu.control.setTiming({ eipanycast: { Allocating: null } });
    // The deadline passes on a virtual clock: only the waits spend it, however slow the machine's calls.
    const ctx = emulatorContext(emu, { clock: virtualClock() });
    const checked = await lc.check(ctx, {}, { serviceLocation: "international", timeoutSeconds: 0.3, name: "partial" });
    const err = (await caught(lc.create(ctx, checked.inputs as Props))) as PartialCreateError;
    expect(err).toBeInstanceOf(PartialCreateError);
    expect(err.id).toMatch(/^aeip-/);
    expect(err.message).toMatch(new RegExp(`Anycast EIP ${err.id} was allocated, but .*still Allocating.*pulumi destroy`));
    expect(err.properties).toMatchObject({ anycastId: err.id, regionId: REGION, status: "Allocating", name: "partial", detachOnDelete: false });
    expect(JSON.parse(JSON.stringify(err.properties))).toEqual(err.properties);
    expect(eips().map((e) => e.anycastId)).toEqual([err.id]);
    expect(calls("AllocateAnycastEipAddress")).toHaveLength(1);

    // The next `up` updates it (waits for Allocated), or destroy releases it. The stored timeoutSeconds
    // (0.3) bounds them too: their waits also run on a virtual clock.
    const done = emulatorContext(emu, { clock: virtualClock(), progress: settleOnWait });
    const upd = (await lc.update(done, err.id, err.properties, checked.inputs as Props)).outs as Props;
    expect(upd.status).toBe("Allocated");
    await lc.delete(done, err.id, err.properties);
    expect(eips()).toEqual([]);
  });

  test("adoption takes an existing EIP without allocating, applying a declared name; delete then releases it", async () => {
    const [id] = seed({ name: "legacy", bandwidth: 300 });
    const ctx = ctxFor(settleOnWait);
    const r = await created(ctx, { serviceLocation: "international", adoptAnycastId: id, name: "adopted" });
    expect(r.id).toBe(id);
    expect(r.outs).toMatchObject({ anycastId: id, name: "adopted", bandwidth: 300, adoptAnycastId: id });
    expect(calls("AllocateAnycastEipAddress")).toHaveLength(0);
    expect(actions()).toEqual(["DescribeAnycastEipAddress", "ModifyAnycastEipAddressAttribute", "DescribeAnycastEipAddress"]);
    // Unset bandwidth keeps the adopted one: no diff.
    expect((await lc.diff(ctx, id, r.outs, r.inputs)).changes).toBe(false);
    await lc.delete(ctx, id, r.outs);
    expect(eips()).toEqual([]);
  });

  test("adopting what destroy would refuse (bound, service-managed) warns at up with the refusal's reason and fix; detachOnDelete adopts a bound one silently", async () => {
    const binding = { bindInstanceId: "eni-adopt1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" };
    const [bound, managed] = seed({ bindings: [binding] }, { serviceManaged: true });
    for (const id of [bound, managed]) {
      const ctx = ctxFor();
      const r = await created(ctx, { serviceLocation: "international", adoptAnycastId: id });
      const refusal = await caught(lc.delete(ctxFor(), id, r.outs));
      expect(refusal).toBeInstanceOf(ReleaseRefusedError);
      const { reason, fix } = refusal as ReleaseRefusedError;
      const warnings = ctx.lines.filter((l) => l.startsWith("warning: "));
      expect(warnings).toEqual([expect.stringMatching(/^warning: adopted Anycast EIP aeip-\S+ \(.*\), but `pulumi destroy` would refuse to release it: /)]);
      expect(warnings[0].endsWith(`: ${reason}. ${fix}`)).toBe(true);
    }
    const quiet = ctxFor();
    const [another] = seed({ bindings: [{ ...binding, bindInstanceId: "eni-adopt2" }] });
    await created(quiet, { serviceLocation: "international", adoptAnycastId: another, detachOnDelete: true });
    expect(quiet.lines.filter((l) => l.startsWith("warning: "))).toEqual([]);
  });

  test("adopting an EIP that does not exist is refused with a plain error naming adoptAnycastId", async () => {
    const ctx = ctxFor();
    const err = await caught(created(ctx, { serviceLocation: "international", adoptAnycastId: "aeip-doesnotexist" }));
    expect(err).not.toBeInstanceOf(PartialCreateError);
    expect(err.message).toMatch(/^adoptAnycastId: Anycast EIP aeip-doesnotexist does not exist in region cn-hangzhou/);
    expect(calls("AllocateAnycastEipAddress")).toHaveLength(0);
    expect(eips()).toEqual([]);
  });

  test("read: an EIP that is gone or being released drops out of the state; read makes no change", async () => {
    const ctx = ctxFor();
    expect(await lc.read(ctx, "aeip-gone", { regionId: REGION })).toEqual({});
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    const [id] = seed({ status: "Releasing" });
    expect(await lc.read(ctx, id, {})).toEqual({});
    expect(calls().every((c) => c.action === "DescribeAnycastEipAddress")).toBe(true);
  });

  test("refresh sees drift: read reports the cloud's values", async () => {
    const [id] = seed({ name: "drifted", bandwidth: 400 });
    const ctx = ctxFor();
    const r = await lc.read(ctx, id, { anycastId: id, name: "original", bandwidth: 1000, regionId: REGION, detachOnDelete: true });
    expect(r.props).toMatchObject({ name: "drifted", bandwidth: 400, detachOnDelete: true, regionId: REGION });
  });

  test("update of an EIP that is gone fails and says to refresh", async () => {
    const ctx = ctxFor();
    const err = await caught(lc.update(ctx, "aeip-gone", { regionId: REGION }, { serviceLocation: "international", name: "x" }));
    expect(err.message).toMatch(/no longer exists.*pulumi refresh/);
  });
});

describe("delete", () => {
  test("already gone: success with no release call — destroy is re-runnable", async () => {
    const ctx = ctxFor();
    const { id, outs } = await created(ctx, { serviceLocation: "international" });
    await lc.delete(ctx, id, outs);
    emu.control.clearCalls();
    await lc.delete(ctx, id, outs);
    expect(actions()).toEqual(["DescribeAnycastEipAddress"]);
    expect(ctx.lines.join("\n")).toMatch(/nothing to release/);
  });

  test("service-managed: refused, with NO release call, naming who manages it", async () => {
    const [id] = seed({ serviceManaged: true, name: "managed" });
    const ctx = ctxFor();
    const err = await caught(lc.delete(ctx, id, { anycastId: id, regionId: REGION, detachOnDelete: true }));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toMatch(new RegExp(`^refusing to release Anycast EIP ${id} \\(.*"managed"\\): it is managed by an Alibaba Cloud service`));
    expect(err.message).toMatch(/Release it through the Alibaba Cloud service that manages it/);
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(0);
    expect(calls("UnassociateAnycastEipAddress")).toHaveLength(0);
    expect(eips()).toHaveLength(1);
  });

  test("associated: refused with NO release call, listing every bound instance and both ways out", async () => {
    const [id] = seed({
      bindings: [
        { bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" },
        { bindInstanceId: "lb-b2", bindInstanceRegionId: "eu-west-1", bindInstanceType: "SlbInstance" },
      ],
    });
    const ctx = ctxFor();
    const err = await caught(lc.delete(ctx, id, { anycastId: id, regionId: REGION, detachOnDelete: false }));
    expect(err).toBeInstanceOf(ReleaseRefusedError);
    expect(err.message).toContain("it is still associated with 2 instances: eni-a1 (NetworkInterface in us-west-1), lb-b2 (SlbInstance in eu-west-1)");
    expect(err.message).toMatch(/remove the AnycastEipAssociation/);
    expect(err.message).toMatch(/detachOnDelete: true/);
    expect(actions()).toEqual(["DescribeAnycastEipAddress"]);
    expect(eips()[0].bindings).toHaveLength(2);
  });

  test("detachOnDelete: each binding is unassociated (one ClientToken each, one at a time), then the EIP is released", async () => {
    emu.control.setTiming({ eipanycast: { Unassociating: null, Releasing: null } });
    const [id] = seed({
      bindings: [
        { bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface", privateIpAddress: "10.0.0.5" },
        { bindInstanceId: "lb-b2", bindInstanceRegionId: "eu-west-1", bindInstanceType: "SlbInstance" },
      ],
    });
    const ctx = ctxFor(settleOnWait);
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION, detachOnDelete: true });
    expect(eips()).toEqual([]);
    const mutating = calls().filter((c) => c.action !== "DescribeAnycastEipAddress");
    expect(mutating.map((c) => [c.action, c.params.BindInstanceId ?? null])).toEqual([
      ["UnassociateAnycastEipAddress", "eni-a1"],
      ["UnassociateAnycastEipAddress", "lb-b2"],
      ["ReleaseAnycastEipAddress", null],
    ]);
    expect(mutating.every((c) => c.outcome.status === 200)).toBe(true);
    const tokens = mutating.map((c) => c.clientToken);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens.every((t) => typeof t === "string" && t.length > 0 && t.length <= 64)).toBe(true);
    expect(mutating[0].params.PrivateIpAddress).toBe("10.0.0.5");
    expect(mutating[1].params.PrivateIpAddress).toBeUndefined();
    expect(ctx.lines.some((l) => /detachOnDelete: detaching eni-a1/.test(l))).toBe(true);
  });

  test.each(["Modifying", "Allocating"])("mid-transition (%s): waits, bounded by the deadline, then releases", async (status) => {
    emu.control.setTiming({ eipanycast: { [status]: null } });
    const [id] = seed({ status });
    const ctx = ctxFor(settleOnWait);
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    expect(eips()).toEqual([]);
    expect(ctx.lines.some((l) => new RegExp(`settle before releasing: ${status}`).test(l))).toBe(true);
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(1);
    expect(calls("ReleaseAnycastEipAddress")[0].outcome.status).toBe(200);
  });

  test("mid-unassociation (last binding UNBINDING): waits, then releases", async () => {
    emu.control.setTiming({ eipanycast: { Unassociating: null } });
    const [id] = seed({ status: "Unassociating", bindings: [{ bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface", status: "UNBINDING" }] });
    const ctx = ctxFor(settleOnWait);
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    expect(eips()).toEqual([]);
    expect(calls("UnassociateAnycastEipAddress")).toHaveLength(0);
  });

  test("a transition that outlasts the deadline fails the delete with no release call and says to run again", async () => {
    emu.control.setTiming({ eipanycast: { Modifying: null } });
    const [id] = seed({ status: "Modifying" });
    // A virtual clock: on the real one, a first describe slower than 0.3 s left no state to report.
    const ctx = emulatorContext(emu, { clock: virtualClock() });
    const err = await caught(lc.delete(ctx, id, { anycastId: id, regionId: REGION, timeoutSeconds: 0.3 }));
    expect(err.message).toMatch(/still Modifying after .* s \(deadline reached\); run the command again/);
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(0);
    // …and a second run, once it settled, releases.
    emu.control.settle();
    await lc.delete(ctxFor(), id, { anycastId: id, regionId: REGION });
    expect(eips()).toEqual([]);
  });

  test("the release is confirmed by polling until the EIP is gone (Releasing held, then settled)", async () => {
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    const [id] = seed({});
    const ctx = ctxFor((l) => {
      if (/to be released: Releasing/.test(l)) emu.control.settle();
    });
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    expect(eips()).toEqual([]);
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(1);
    // Describe before, the probe that saw Releasing (and reported the wait), then the probe that saw it gone.
    expect(calls("DescribeAnycastEipAddress")).toHaveLength(1 + 1 + 1);
    expect(ctx.lines.filter((l) => /to be released: Releasing/.test(l))).toHaveLength(1);
    expect(ctx.lines.at(-1)).toBe(`released Anycast EIP ${id}`);
  });

  test("a release interrupted mid-Releasing (crash) is finished by the next destroy without a second release call", async () => {
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    const [id] = seed({ status: "Releasing" });
    const ctx = ctxFor(settleOnWait);
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(0);
    expect(eips()).toEqual([]);
  });

  test("state written by an earlier version (only the ID) is enough: the provider's region is used", async () => {
    const [id] = seed({});
    await lc.delete(ctxFor(), id, { __provider: "old provider text" });
    expect(eips()).toEqual([]);
  });

  test("a release refused by the service for a reason we do not retry fails fast with code, message, request id and operation", async () => {
    const [id] = seed({});
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "Forbidden.RAM", status: 403, message: "User not authorized" });
    const err = await caught(lc.delete(ctxFor(), id, { anycastId: id, regionId: REGION }));
    const release = calls("ReleaseAnycastEipAddress");
    expect(release).toHaveLength(1);
    // a permission denial also names the action whose permission is missing (no AccessDeniedDetail here)
    expect(err.message).toBe(
      `releasing Anycast EIP ${id}: Forbidden.RAM: User not authorized. Missing RAM permission for API action ReleaseAnycastEipAddress (see docs/ram.md for its RAM action) (RequestId ${release[0].requestId})`,
    );
    expect(eips()).toHaveLength(1);
  });
});

describe("through the runtime dispatch (what the serialized shim calls)", () => {
  test("check, create and delete with settings from Pulumi config", async () => {
    const config = new Map<string, string>([
      ["alicloud:region", REGION],
      ["alicloud:accessKey", emu.accessKeyId],
      ["alicloud:secretKey", emu.accessKeySecret],
      ["alicloud:endpoints", JSON.stringify([{ eipanycast: emu.url }])],
      ["alicloud-release:retryBaseDelayMs", "0"],
    ]);
    const self = {};
    await dispatch("AnycastEipAddress", "configure", self, [{ config: { get: (k: string) => config.get(k) } }]);
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const checked = (await dispatch("AnycastEipAddress", "check", self, [{}, { serviceLocation: "international" }])) as { inputs: Props };
      expect(checked.inputs.regionId).toBe(REGION);
      const res = (await dispatch("AnycastEipAddress", "create", self, [checked.inputs])) as { id: string; outs: Props };
      expect(eips().map((e) => e.anycastId)).toEqual([res.id]);
      await dispatch("AnycastEipAddress", "delete", self, [res.id, res.outs]);
      expect(eips()).toEqual([]);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(/released Anycast EIP/);
    } finally {
      stderr.mockRestore();
    }
  });
});

test("an EIP adopted by a create of this process is not released by another resource's delete (a renamed resource); the adopter's own delete releases it", async () => {
  const [id] = seed({});
  const ctx = ctxFor(settleOnWait);
  const r = await created(ctx, { serviceLocation: "international", adoptAnycastId: id });
  const { adoptedInRun, ...earlierRun } = r.outs;
  expect(adoptedInRun).toEqual(expect.any(String));
  emu.control.clearCalls();
  await lc.delete(ctx, id, earlierRun);
  expect(calls()).toEqual([]);
  expect(eips().map((e) => e.anycastId)).toEqual([id]);
  await lc.delete(ctx, id, r.outs);
  expect(calls("ReleaseAnycastEipAddress")).toHaveLength(1);
  expect(eips()).toEqual([]);
});
