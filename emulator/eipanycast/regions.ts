/**
 * Eipanycast's fixed geography: the regions a bound instance may live in and the access points
 * (PoPs). Data only, kept out of the model (api-facts.md §7.7).
 */

/**
 * DescribeAnycastServerRegions for `international`: regions whose cloud resources can be bound.
 * ASSUMPTION: a fixed list of real region ids; the display names are ours (the docs' example name
 * `eu-west-1-gb33-a01` is an internal label we cannot reproduce for other regions).
 */
export const SERVER_REGIONS: readonly { regionId: string; regionName: string }[] = [
  { regionId: "cn-hangzhou", regionName: "China (Hangzhou)" },
  { regionId: "cn-shanghai", regionName: "China (Shanghai)" },
  { regionId: "cn-beijing", regionName: "China (Beijing)" },
  { regionId: "cn-hongkong", regionName: "China (Hong Kong)" },
  { regionId: "ap-southeast-1", regionName: "Singapore" },
  { regionId: "ap-northeast-1", regionName: "Japan (Tokyo)" },
  { regionId: "us-west-1", regionName: "US (Silicon Valley)" },
  { regionId: "us-east-1", regionName: "US (Virginia)" },
  { regionId: "eu-central-1", regionName: "Germany (Frankfurt)" },
  { regionId: "eu-west-1", regionName: "UK (London)" },
];

/**
 * DescribeAnycastPopLocations for `international`: access points. ASSUMPTION: ids follow the docs'
 * example `us-west-1-pop` and the name equals the id (as in the docs' example).
 */
export const POP_LOCATIONS: readonly { regionId: string; regionName: string }[] = [
  "us-west-1-pop",
  "us-east-1-pop",
  "eu-west-1-pop",
  "eu-central-1-pop",
  "ap-southeast-1-pop",
  "ap-southeast-2-pop",
  "ap-southeast-3-pop",
  "ap-northeast-1-pop",
  "ap-south-1-pop",
  "me-east-1-pop",
  "cn-hongkong-pop",
].map((id) => ({ regionId: id, regionName: id }));

const SERVER_REGION_IDS = new Set(SERVER_REGIONS.map((r) => r.regionId));
const POP_LOCATION_IDS = new Set(POP_LOCATIONS.map((p) => p.regionId));

export const isServerRegion = (regionId: string): boolean => SERVER_REGION_IDS.has(regionId);
export const isPopLocation = (pop: string): boolean => POP_LOCATION_IDS.has(pop);
