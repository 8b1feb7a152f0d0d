/**
 * The release confirmation, on a virtual clock against a scripted cloud: the delete notices the EIP is
 * gone within 1.2 × the time the release takes (the poll interval grows with the time already waited),
 * and one ClientToken covers the release. No HTTP, no real waiting.
 */
import { anycastEipAddressLifecycle as lc } from "../../provider/anycast/eip-lifecycle";
import { createContext } from "../../provider/cloud/context";
import { CloudError } from "../../provider/cloud/errors";
import { envSource } from "../../provider/cloud/settings";
import { Transport } from "../../provider/cloud/transport";
import { virtualClock } from "../helpers/clock";

function scriptedCloud(now: () => number, releaseTakesMs: number) {
  let releasedAt: number | undefined;
  const calls: { action: string; at: number; token?: unknown }[] = [];
  const record = (status: string) => ({ RequestId: "R", AnycastId: "aeip-1", IpAddress: "192.0.2.1", Status: status, ServiceManaged: 0, AnycastEipBindInfoList: [] });
  const transport: Transport = {
    async call(_product, action, params) {
      calls.push({ action, at: now(), token: params.ClientToken });
      if (action === "ReleaseAnycastEipAddress") {
        releasedAt = now();
        return { RequestId: "R" };
      }
      if (releasedAt === undefined) return record("Allocated");
      if (now() < releasedAt + releaseTakesMs) return record("Releasing");
      throw new CloudError({ code: "ResourceNotFound.AnycastInstance", message: "The specified Anycast instance does not exist.", status: 404, requestId: "R" });
    },
  };
  return { transport, calls, releasedAt: () => releasedAt! };
}

test.each([300, 1_000, 5_000, 30_000, 120_000, 290_000])("a release that takes %i ms is noticed within 1.2 × that", async (takes) => {
  const clock = virtualClock();
  const cloud = scriptedCloud(clock.now, takes);
  const lines: string[] = [];
  const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }), { transport: cloud.transport, clock, progress: (l) => lines.push(l) });
  await lc.delete(ctx, "aeip-1", { anycastId: "aeip-1", regionId: "cn-hangzhou" });
  const noticed = clock.now() - cloud.releasedAt();
  expect(noticed).toBeGreaterThanOrEqual(takes);
  expect(noticed).toBeLessThanOrEqual(Math.max(1.2 * takes, takes + ctx.poll.minIntervalMs));
  const releases = cloud.calls.filter((c) => c.action === "ReleaseAnycastEipAddress");
  expect(releases).toHaveLength(1);
  expect(lines.some((l) => /to be released: Releasing, waited/.test(l))).toBe(true);
  expect(lines.at(-1)).toBe("released Anycast EIP aeip-1");
});

test("a long release wait: a line every few seconds with the state and the time waited, each naming the resource", async () => {
  const clock = virtualClock();
  const cloud = scriptedCloud(clock.now, 120_000);
  const lines: { at: number; line: string }[] = [];
  const ctx = createContext(envSource({ ALIBABA_CLOUD_REGION: "cn-hangzhou" }), { transport: cloud.transport, clock, progress: (line) => lines.push({ at: clock.now(), line }) });
  await lc.delete(ctx, "aeip-1", { anycastId: "aeip-1", regionId: "cn-hangzhou", resourceIdentity: { project: "net", stack: "prod", name: "web-eip" } });
  expect(lines.every(({ line }) => line.startsWith('"web-eip": '))).toBe(true);
  const waits = lines.filter(({ line }) => line.includes("to be released: Releasing, waited"));
  expect(waits.length).toBeGreaterThanOrEqual(120 / 8);
  for (const { at, line } of waits) {
    const waited = Number(/waited (\d+\.\d) s$/.exec(line)?.[1]);
    expect(Math.abs(at - cloud.releasedAt() - waited * 1000)).toBeLessThanOrEqual(1000);
  }
  // pollUntil reports at most every 5 s; a probe comes at most 3 s later (DEFAULT_POLL_POLICY.maxIntervalMs)
  const gaps = waits.slice(1).map((w, i) => w.at - waits[i].at);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(8000);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5000);
});
