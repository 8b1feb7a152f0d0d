/**
 * The region IDs the official endpoint data knows, and the check-time warning for one it does not.
 *
 * The list is the VpcIpam client's endpoint map in the official Alibaba Cloud TypeScript SDK
 * (`vpcipam-20230228`, one `vpcipam.<region>.aliyuncs.com` per region). The Eipanycast client
 * (`eipanycast-20200309`) carries no map — only the regional rule `eipanycast.<region>.aliyuncs.com` — so
 * the same list of public regions serves both products.
 *
 * An unknown region is a warning, not a failure: Alibaba Cloud opens regions after this list was taken,
 * and a region it does not know may still be right. A misspelt one (`eu-nowhere-9`, `cn-hangzou`) would
 * otherwise pass preview and fail only at `up`, on a host name that does not resolve.
 */
import { nearestNames } from "../input-names";

export const KNOWN_REGION_IDS: readonly string[] = [
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "cn-beijing",
  "cn-beijing-finance-1",
  "cn-chengdu",
  "cn-fuzhou",
  "cn-guangzhou",
  "cn-hangzhou",
  "cn-hangzhou-finance",
  "cn-heyuan",
  "cn-hongkong",
  "cn-huhehaote",
  "cn-nanjing",
  "cn-qingdao",
  "cn-shanghai",
  "cn-shanghai-finance-1",
  "cn-shenzhen",
  "cn-shenzhen-finance-1",
  "cn-wuhan-lr",
  "cn-wulanchabu",
  "cn-zhangjiakou",
  "eu-central-1",
  "eu-west-1",
  "me-central-1",
  "me-east-1",
  "us-east-1",
  "us-west-1",
];

const KNOWN = new Set(KNOWN_REGION_IDS);

/** How many known regions the warning suggests. */
const SUGGESTIONS = 3;

/**
 * The warning for a region the endpoint data does not know, or undefined for a known one. `source` says
 * where the region came from (`regionId`, or the provider default `alicloud:region`).
 */
export function unknownRegionWarningLabel(regionId: string, source: string): string | undefined {
  if (KNOWN.has(regionId)) return undefined;
  // Regions of the same area (`eu`, `cn`, …) first: `eu-nowhere-9` suggests eu-west-1 before ap-northeast-1.
  const area = (id: string) => id.split("-")[0];
  const sameArea = KNOWN_REGION_IDS.filter((r) => area(r) === area(regionId));
  const nearby = nearestNames(regionId, sameArea, SUGGESTIONS);
  const nearest = [...nearby, ...nearestNames(regionId, KNOWN_REGION_IDS.filter((r) => area(r) !== area(regionId)), SUGGESTIONS - nearby.length)];
  return (
    `warning: ${source} "${regionId}" is not a region the official Alibaba Cloud endpoint data knows ` +
    `(nearest: ${nearest.join(", ")}); it is not refused, since regions opened later are missing from that list, but check its spelling`
  );
}
