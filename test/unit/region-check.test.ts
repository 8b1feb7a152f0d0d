/**
 * A region the official endpoint data does not know is accepted at preview with a warning naming it and
 * the known regions nearest to it (regions opened later are missing from that list, so it is not refused).
 */
import { anycastEipAddressLifecycle } from "../../provider/anycast/eip-lifecycle";
import { anycastEipAssociationLifecycle } from "../../provider/anycast/association-lifecycle";
import { createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { ipamPoolAllocationLifecycle } from "../../provider/ipam/lifecycle";
import { Lifecycle, UNKNOWN } from "../../provider/lifecycle";

function contextWithLines(region = "cn-hangzhou") {
  const lines: string[] = [];
  return { ctx: createContext(envSource({ ALIBABA_CLOUD_REGION: region }), { progress: (l) => lines.push(l) }), lines };
}

const resources: [string, Lifecycle, Record<string, unknown>][] = [
  ["IpamPoolAllocation", ipamPoolAllocationLifecycle, { ipamPoolId: "ipam-pool-a", cidrMask: 24 }],
  ["AnycastEipAddress", anycastEipAddressLifecycle, { serviceLocation: "international" }],
  ["AnycastEipAssociation", anycastEipAssociationLifecycle, { anycastId: "aeip-a1", bindInstanceId: "eni-a1", bindInstanceRegionId: "us-west-1", bindInstanceType: "NetworkInterface" }],
];

describe.each(resources)("%s check", (_name, lc, args) => {
  test('an explicit regionId "eu-nowhere-9" passes with a warning naming it and the nearest known regions', async () => {
    const { ctx, lines } = contextWithLines();
    const r = await lc.check(ctx, {}, { ...args, regionId: "eu-nowhere-9" });
    expect(r.failures).toEqual([]);
    expect(lines).toEqual([
      'warning: regionId "eu-nowhere-9" is not a region the official Alibaba Cloud endpoint data knows (nearest: eu-west-1, eu-central-1, ap-northeast-1); ' +
        "it is not refused, since regions opened later are missing from that list, but check its spelling",
    ]);
  });

  test("the provider region is checked too when it is the default", async () => {
    const { ctx, lines } = contextWithLines("cn-hangzou");
    const r = await lc.check(ctx, {}, args);
    expect(r.failures).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^warning: the default region \(alicloud:region or env ALIBABA_CLOUD_REGION\) "cn-hangzou" is not a region .* \(nearest: cn-hangzhou, /)]);
  });

  test("a known region, an unknown value during preview, and a malformed regionId (already a failure) say nothing", async () => {
    for (const regionId of ["cn-shanghai", "ap-southeast-7", UNKNOWN, "Hangzhou"]) {
      const { ctx, lines } = contextWithLines();
      await lc.check(ctx, {}, { ...args, regionId });
      expect(lines).toEqual([]);
    }
  });
});
