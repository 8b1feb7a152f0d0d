import { newCreateToken, parseCreateToken } from "../../provider/create-token";
import { createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { anycastEipAddressLifecycle as eip } from "../../provider/anycast/eip-lifecycle";
import { ipamPoolAllocationLifecycle as alloc } from "../../provider/ipam/lifecycle";
import { anycastEipAssociationLifecycle as assoc } from "../../provider/anycast/association-lifecycle";
import type { Lifecycle } from "../../provider/lifecycle";

const T = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const clock = { now: () => T, sleep: async () => undefined, random: () => 0.5 };
const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }), { clock, transport: { call: async () => ({}) } });

test("a create token is ASCII, at most 64 characters, names its issue time and parses back", () => {
  const token = newCreateToken(T);
  expect(token).toMatch(/^pcr1-[0-9a-z]+-[0-9a-f]{32}$/);
  expect(token.length).toBeLessThanOrEqual(64);
  expect(parseCreateToken(token)).toEqual({ token, issuedAt: T });
  expect(newCreateToken(T)).not.toBe(token);
  for (const bad of [undefined, 3, "", "pcr1-x-abc", `pcr2-${T.toString(36)}-${"0".repeat(32)}`, token.toUpperCase()]) expect(parseCreateToken(bad)).toBeUndefined();
});

const args: [string, Lifecycle, Record<string, unknown>][] = [
  ["AnycastEipAddress", eip, { serviceLocation: "international" }],
  ["IpamPoolAllocation", alloc, { ipamPoolId: "ipam-pool-1", cidrMask: 24 }],
  ["AnycastEipAssociation", assoc, { anycastId: "aeip-1", bindInstanceId: "eni-1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" }],
];

describe.each(args)("%s check", (_kind, lc, news) => {
  test("makes a fresh token on every check, even with the old inputs as olds (a replacement must not reuse one)", async () => {
    const first = await lc.check(ctx, {}, news);
    expect(first.failures ?? []).toEqual([]);
    const token = first.inputs!.createToken as string;
    expect(parseCreateToken(token)?.issuedAt).toBe(T);
    const second = await lc.check(ctx, first.inputs!, news);
    expect(second.inputs!.createToken).not.toBe(token);
  });

  test("a new token is never a diff", async () => {
    const { inputs } = await lc.check(ctx, {}, news);
    const again = await lc.check(ctx, inputs!, news);
    const diff = await lc.diff(ctx, "id-1", { ...inputs!, anycastId: "aeip-1", allocationId: "id-1" }, again.inputs!);
    expect(diff.changes).toBe(false);
  });

  test("a token already in the arguments (earlier checked inputs passed back) is replaced by a fresh one", async () => {
    const { inputs } = await lc.check(ctx, {}, news);
    const again = await lc.check(ctx, inputs!, inputs!);
    expect(again.failures ?? []).toEqual([]);
    expect(parseCreateToken(again.inputs!.createToken)).toBeDefined();
    expect(again.inputs!.createToken).not.toBe(inputs!.createToken);
  });
});
