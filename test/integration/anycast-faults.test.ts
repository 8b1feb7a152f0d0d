/**
 * Anycast EIP allocate/release under injected faults, over real HTTP: Conflict and SystemBusy bursts,
 * throttling, IncorrectStatus from a real transition, a connection reset and a lost response (committed,
 * reply dropped). Each ends with exactly one EIP allocated (or none left after a release), and every
 * retry of one operation carries the same ClientToken.
 */
import { anycastEipAddressLifecycle as lc } from "../../provider/anycast/eip-lifecycle";
import { CloudContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { SignedTransport, Transport } from "../../provider/cloud/transport";
import { Props } from "../../provider/lifecycle";
import { emulatorContext, emulatorEnv } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const REGION = "cn-hangzhou";
const emu = useEmulator({ anycastTiming: "instant" });

const env = () => emulatorEnv(emu);
const ctxFor = (opts: { onLine?: (l: string) => void; transport?: Transport } = {}): CloudContext & { lines: string[] } =>
  emulatorContext(emu, { transport: opts.transport, progress: opts.onLine });

const eips = () => (emu.control.state().eipanycast as { eips: { anycastId: string; status: string; bandwidth?: number }[] }).eips;
const calls = (action: string) => emu.control.calls().filter((c) => c.action === action);
const seedOne = (): string => (emu.control.seed({ eipanycast: { eips: [{}] } }) as { eipanycast: { anycastIds: string[] } }).eipanycast.anycastIds[0];

async function allocate(ctx: CloudContext): Promise<{ id: string; outs: Props }> {
  const checked = await lc.check(ctx, {}, { serviceLocation: "international", name: "faulty" });
  const r = await lc.create(ctx, checked.inputs as Props);
  return { id: r.id, outs: r.outs as Props };
}

/** Every call of `action` carried one and the same ClientToken; returns the calls. */
function oneToken(action: string) {
  const list = calls(action);
  expect(list.length).toBeGreaterThan(0);
  expect(new Set(list.map((c) => c.clientToken)).size).toBe(1);
  expect(list[0].clientToken).toEqual(expect.any(String));
  return list;
}

describe("release", () => {
  test.each([
    ["OperationFailed.Conflict", 400],
    ["SystemBusy", 503],
    ["Throttling.User", 400],
  ])("a burst of %s is retried with ONE ClientToken until the release goes through", async (code, status) => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code, status, count: 3 });
    const ctx = ctxFor();
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => c.outcome.code ?? c.outcome.status)).toEqual([code, code, code, 200]);
    expect(eips()).toEqual([]);
    // Each failed attempt was reported, with its request id.
    const retryLines = ctx.lines.filter((l) => l.startsWith(`releasing Anycast EIP ${id}: attempt`));
    expect(retryLines).toHaveLength(3);
    expect(retryLines[0]).toContain(`(${code}, RequestId ${release[0].requestId}); retrying in 0 s`);
  });

  test("a burst longer than maxAttempts gives up, saying how many attempts were made and what the cloud said", async () => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "OperationFailed.Conflict", count: 5 });
    const ctx = ctxFor();
    const err = await lc.delete(ctx, id, { anycastId: id, regionId: REGION, maxAttempts: 2 }).then(
      () => undefined,
      (e: Error) => e,
    );
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release).toHaveLength(2);
    expect(err?.message).toMatch(new RegExp(`^releasing Anycast EIP ${id}: after 2 failed attempts: OperationFailed.Conflict: .*\\(RequestId ${release[1].requestId}\\)$`));
    expect(eips()).toHaveLength(1);
  });

  test("IncorrectStatus.Anycast from a real transition (a spec change lands between the check and the release) is retried with the same token", async () => {
    const id = seedOne();
    emu.control.setTiming({ eipanycast: { Modifying: null } });
    // A transport that, just before the first release, has "someone else" start a bandwidth change.
    const real = new SignedTransport(envSource(env()));
    let raced = false;
    const transport: Transport = {
      async call(product, action, params, options) {
        if (action === "ReleaseAnycastEipAddress" && !raced) {
          raced = true;
          await real.call(product, "ModifyAnycastEipAddressSpec", { AnycastId: id, Bandwidth: "400" }, options);
        }
        return real.call(product, action, params, options);
      },
    };
    // Once the provider reports the failed attempt, the change completes.
    const ctx = ctxFor({ transport, onLine: (l) => l.includes("IncorrectStatus.Anycast") && emu.control.settle() });
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => c.outcome.code ?? c.outcome.status)).toEqual(["IncorrectStatus.Anycast", 200]);
    expect(eips()).toEqual([]);
  });

  test("IncorrectStatus.Anycast outlasting the retries sends delete back to the checks, then releases with the SAME token", async () => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "IncorrectStatus.Anycast", count: 2 });
    const ctx = ctxFor();
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION, maxAttempts: 2 });
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => c.outcome.code ?? c.outcome.status)).toEqual(["IncorrectStatus.Anycast", "IncorrectStatus.Anycast", 200]);
    expect(ctx.lines.join("\n")).toMatch(/still reports a status that blocks the release; checking again/);
    expect(eips()).toEqual([]);
  });

  test("IncorrectStatus.Anycast is retried by one layer: a release that keeps answering it is sent 3 times, not 3 × maxAttempts", async () => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "error", code: "IncorrectStatus.Anycast" });
    const ctx = ctxFor();
    const err = await lc.delete(ctx, id, { anycastId: id, regionId: REGION }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: "IncorrectStatus.Anycast" });
    // The default maxAttempts is 8: before, each of the 3 rounds spent all 8 attempts (24 release calls).
    expect(oneToken("ReleaseAnycastEipAddress")).toHaveLength(3);
    expect(ctx.lines.filter((l) => /checking again/.test(l))).toHaveLength(2);
    expect(eips()).toHaveLength(1);
  });

  test("an association made between the check and the release turns into a refusal on the re-check (no further release call)", async () => {
    const id = seedOne();
    const real = new SignedTransport(envSource(env()));
    let raced = false;
    const transport: Transport = {
      async call(product, action, params, options) {
        if (action === "ReleaseAnycastEipAddress" && !raced) {
          raced = true;
          await real.call(
            product,
            "AssociateAnycastEipAddress",
            { AnycastId: id, BindInstanceId: "eni-late", BindInstanceRegionId: "us-west-1", BindInstanceType: "NetworkInterface", ClientToken: "race-1" },
            options,
          );
        }
        return real.call(product, action, params, options);
      },
    };
    const err = await lc.delete(ctxFor({ transport }), id, { anycastId: id, regionId: REGION, maxAttempts: 1 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe("ReleaseRefusedError");
    expect(err?.message).toContain("eni-late (NetworkInterface in us-west-1)");
    expect(calls("ReleaseAnycastEipAddress").map((c) => c.outcome.code)).toEqual(["IncorrectStatus.Anycast"]);
    expect(eips()).toHaveLength(1);
  });

  test("connection reset before the release ran: retried with the same token, released once", async () => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "reset", count: 1 });
    const ctx = ctxFor();
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => [c.fault, c.outcome.status, c.mutating])).toEqual([
      ["reset", 0, false],
      [null, 200, true],
    ]);
    expect(ctx.lines.some((l) => /attempt 1 failed \(ECONNRESET/.test(l))).toBe(true);
    expect(eips()).toEqual([]);
  });

  test("lost response (the release was committed, the reply dropped): the retry replays the same token; no second release", async () => {
    const id = seedOne();
    emu.control.setTiming({ eipanycast: { Releasing: null } });
    emu.control.addFault({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", kind: "lost", count: 1 });
    const ctx = ctxFor({ onLine: (l) => /to be released/.test(l) && emu.control.settle() });
    await lc.delete(ctx, id, { anycastId: id, regionId: REGION });
    const release = oneToken("ReleaseAnycastEipAddress");
    expect(release.map((c) => [c.fault, c.mutating, c.replayed])).toEqual([
      ["lost", true, false],
      [null, false, true],
    ]);
    expect(eips()).toEqual([]);
  });

  test("throttled Describe calls (the check and the confirmation) are retried too", async () => {
    const id = seedOne();
    emu.control.addFault({ product: "Eipanycast", action: "DescribeAnycastEipAddress", kind: "error", code: "Throttling.User", count: 2 });
    await lc.delete(ctxFor(), id, { anycastId: id, regionId: REGION });
    expect(calls("ReleaseAnycastEipAddress")).toHaveLength(1);
    expect(eips()).toEqual([]);
  });
});

describe("allocate", () => {
  test.each([
    ["OperationFailed.Conflict", 400],
    ["SystemBusy", 503],
  ])("a burst of %s: one ClientToken, exactly one EIP", async (code, status) => {
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "error", code, status, count: 2 });
    const { id } = await allocate(ctxFor());
    const alloc = oneToken("AllocateAnycastEipAddress");
    expect(alloc).toHaveLength(3);
    expect(eips().map((e) => e.anycastId)).toEqual([id]);
  });

  test("connection reset before the allocation ran: one ClientToken, exactly one EIP", async () => {
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "reset", count: 1 });
    const { id } = await allocate(ctxFor());
    const alloc = oneToken("AllocateAnycastEipAddress");
    expect(alloc.map((c) => c.fault)).toEqual(["reset", null]);
    expect(eips().map((e) => e.anycastId)).toEqual([id]);
  });

  test("lost response (allocated, reply dropped): the retry replays the same token and gets the SAME EIP — none leaked", async () => {
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "lost", count: 1 });
    const { id, outs } = await allocate(ctxFor());
    const alloc = oneToken("AllocateAnycastEipAddress");
    expect(alloc.map((c) => [c.fault, c.mutating, c.replayed])).toEqual([
      ["lost", true, false],
      [null, false, true],
    ]);
    expect(eips().map((e) => e.anycastId)).toEqual([id]);
    // …and it releases cleanly.
    await lc.delete(ctxFor(), id, outs);
    expect(eips()).toEqual([]);
  });

  test("every attempt lost: the error says the allocation may have gone through and how to take it over", async () => {
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "lost" });
    const ctx = ctxFor();
    const checked = await lc.check(ctx, {}, { serviceLocation: "international", name: "faulty", maxAttempts: 3 });
    const err = await lc.create(ctx, checked.inputs as Props).then(
      () => undefined,
      (e: Error) => e,
    );
    const alloc = oneToken("AllocateAnycastEipAddress");
    expect(alloc).toHaveLength(3);
    // One allocation happened (the first); the two retries replayed it.
    expect(eips()).toHaveLength(1);
    expect(err?.message).toMatch(/^allocating Anycast EIP: after 3 failed attempts over \d+(\.\d)? s: ECONNRESET: .*adoptAnycastId \(ClientToken pcr1-[0-9a-z]+-[0-9a-f]{32}\)$/);
  });
});

describe("bandwidth change (ModifyAnycastEipAddressSpec has no ClientToken)", () => {
  async function resize(kind: "lost" | "reset"): Promise<{ id: string; ctx: CloudContext & { lines: string[] } }> {
    const id = seedOne();
    const ctx = ctxFor();
    const olds = (await lc.read(ctx, id, { regionId: REGION })).props as Props;
    expect(olds.bandwidth).not.toBe(500);
    emu.control.addFault({ product: "Eipanycast", action: "ModifyAnycastEipAddressSpec", kind, count: 1 });
    emu.control.clearCalls();
    const r = await lc.update(ctx, id, olds, { ...olds, bandwidth: 500 });
    expect(r.outs).toMatchObject({ bandwidth: 500 });
    return { id, ctx };
  }

  test("a lost reply is not re-sent blindly: the EIP is read, the change found applied, and it is sent once", async () => {
    const { id, ctx } = await resize("lost");
    expect(calls("ModifyAnycastEipAddressSpec").map((c) => c.outcome.status ?? c.outcome.code)).toHaveLength(1);
    expect(eips().find((e) => e.anycastId === id)).toMatchObject({ bandwidth: 500 });
    expect(ctx.lines.some((l) => l.includes(`Anycast EIP ${id} already has 500 Mbit/s: the change went through; not sending it again`))).toBe(true);
  });

  test("a reset before the service acted is read, found not applied, and sent again", async () => {
    const { id } = await resize("reset");
    expect(calls("ModifyAnycastEipAddressSpec")).toHaveLength(2);
    expect(eips().find((e) => e.anycastId === id)).toMatchObject({ bandwidth: 500 });
  });
});
