/**
 * Response field lists recorded from the official Alibaba Cloud TypeScript SDK (packages
 * `eipanycast-20200309` and `vpcipam-20230228`, `src/models/<Action>ResponseBody.ts`): each entry names
 * the SDK model it comes from. A field is its JSON type as the model's `types()` declares it; `[shape]`
 * is an array of objects, `["string"]` an array of strings. A `?` suffix marks a field the emulator may
 * leave out (the SDK declares every field optional; we list as optional only the ones that are
 * legitimately absent, e.g. `PrivateIpAddress` of an SLB binding, or `NextToken` on a last page).
 */
export type FieldType = "string" | "number" | "boolean" | readonly ["string"] | readonly [Shape];
export type Shape = { readonly [field: string]: FieldType };

const REQUEST_ONLY: Shape = { RequestId: "string" };

/** SDK `…ResponseBodyTags` / `…ResponseBodyAnycastListTags` (Eipanycast and VpcIpam alike). */
const TAG: Shape = { Key: "string", Value: "string" };

/** DescribeAnycastEipAddressResponseBodyAnycastEipBindInfoList (+ …PopLocations). */
const DESCRIBE_BIND_INFO: Shape = {
  AssociationMode: "string",
  BindInstanceId: "string",
  BindInstanceRegionId: "string",
  BindInstanceType: "string",
  BindTime: "string",
  PopLocations: [{ PopLocation: "string" }],
  "PrivateIpAddress?": "string",
  Status: "string",
};

/** ListAnycastEipAddressesResponseBodyAnycastList (+ …AnycastEipBindInfoList, …Tags). */
const LIST_ITEM: Shape = {
  AliUid: "number",
  AnycastEipBindInfoList: [{ BindInstanceId: "string", BindInstanceRegionId: "string", BindInstanceType: "string", BindTime: "string" }],
  AnycastId: "string",
  Bandwidth: "number",
  BusinessStatus: "string",
  CreateTime: "string",
  Description: "string",
  InstanceChargeType: "string",
  InternetChargeType: "string",
  IpAddress: "string",
  Name: "string",
  ResourceGroupId: "string",
  ServiceLocation: "string",
  ServiceManaged: "number",
  Status: "string",
  Tags: [TAG],
};

/** One region entry of DescribeAnycastServerRegions / DescribeAnycastPopLocations. */
const REGION: Shape = { RegionId: "string", RegionName: "string" };

export const EIPANYCAST_SHAPES: { readonly [action: string]: Shape } = {
  /** AllocateAnycastEipAddressResponseBody */
  AllocateAnycastEipAddress: { AnycastId: "string", OrderId: "string", RequestId: "string" },
  /** DescribeAnycastEipAddressResponseBody */
  DescribeAnycastEipAddress: {
    AliUid: "number",
    AnycastEipBindInfoList: [DESCRIBE_BIND_INFO],
    AnycastId: "string",
    Bandwidth: "number",
    Bid: "string",
    BusinessStatus: "string",
    CreateTime: "string",
    Description: "string",
    InstanceChargeType: "string",
    InternetChargeType: "string",
    IpAddress: "string",
    Name: "string",
    RequestId: "string",
    ResourceGroupId: "string",
    ServiceLocation: "string",
    ServiceManaged: "number",
    Status: "string",
    Tags: [TAG],
  },
  /** ListAnycastEipAddressesResponseBody */
  ListAnycastEipAddresses: { AnycastList: [LIST_ITEM], NextToken: "string", RequestId: "string", TotalCount: "number" },
  /** ModifyAnycastEipAddressAttributeResponseBody */
  ModifyAnycastEipAddressAttribute: REQUEST_ONLY,
  /** ModifyAnycastEipAddressSpecResponseBody */
  ModifyAnycastEipAddressSpec: REQUEST_ONLY,
  /** AssociateAnycastEipAddressResponseBody */
  AssociateAnycastEipAddress: REQUEST_ONLY,
  /** UnassociateAnycastEipAddressResponseBody */
  UnassociateAnycastEipAddress: REQUEST_ONLY,
  /** UpdateAnycastEipAddressAssociationsResponseBody */
  UpdateAnycastEipAddressAssociations: REQUEST_ONLY,
  /** ReleaseAnycastEipAddressResponseBody */
  ReleaseAnycastEipAddress: REQUEST_ONLY,
  /** DescribeAnycastServerRegionsResponseBody (+ …AnycastServerRegionList) */
  DescribeAnycastServerRegions: { AnycastServerRegionList: [REGION], Count: "string", RequestId: "string" },
  /** DescribeAnycastPopLocationsResponseBody (+ …AnycastPopLocationList) */
  DescribeAnycastPopLocations: { AnycastPopLocationList: [REGION], Count: "string", RequestId: "string" },
  /** TagResourcesResponseBody */
  TagResources: { RequestId: "string", Success: "boolean" },
  /** UntagResourcesResponseBody */
  UntagResources: { RequestId: "string", Success: "boolean" },
  /** ListTagResourcesResponseBody (+ …TagResources) */
  ListTagResources: {
    NextToken: "string",
    RequestId: "string",
    TagResources: [{ ResourceId: "string", ResourceType: "string", TagKey: "string", TagValue: "string" }],
  },
  /** ChangeResourceGroupResponseBody */
  ChangeResourceGroup: REQUEST_ONLY,
};

/** ListIpamPoolsResponseBodyIpamPools (+ …Tags) */
const IPAM_POOL: Shape = {
  AllocationDefaultCidrMask: "number",
  AllocationMaxCidrMask: "number",
  AllocationMinCidrMask: "number",
  AutoImport: "boolean",
  Cidrs: ["string"],
  CreateTime: "string",
  HasSubPool: "boolean",
  IpVersion: "string",
  IpamId: "string",
  "IpamPoolDescription?": "string",
  IpamPoolId: "string",
  "IpamPoolName?": "string",
  IpamRegionId: "string",
  IpamScopeId: "string",
  IpamScopeType: "string",
  "Ipv6Isp?": "string",
  IsShared: "boolean",
  OwnerId: "number",
  PoolDepth: "number",
  PoolRegionId: "string",
  RegionId: "string",
  ResourceGroupId: "string",
  "SourceIpamPoolId?": "string",
  Status: "string",
  Tags: [TAG],
};

/** GetIpamPoolAllocationResponseBody without RequestId = ListIpamPoolAllocationsResponseBodyIpamPoolAllocations. */
const ALLOCATION: Shape = {
  Cidr: "string",
  CreationTime: "string",
  "IpamPoolAllocationDescription?": "string",
  IpamPoolAllocationId: "string",
  "IpamPoolAllocationName?": "string",
  IpamPoolId: "string",
  RegionId: "string",
  ResourceId: "string",
  ResourceOwnerId: "number",
  ResourceRegionId: "string",
  ResourceType: "string",
  SourceCidr: "string",
  Status: "string",
};

/** The paging fields shared by the three VpcIpam List… response bodies. */
const PAGED = { Count: "number", MaxResults: "number", "NextToken?": "string", RequestId: "string", TotalCount: "number" } as const;

export const VPCIPAM_SHAPES: { readonly [action: string]: Shape } = {
  /** CreateIpamPoolAllocationResponseBody */
  CreateIpamPoolAllocation: { Cidr: "string", IpamPoolAllocationId: "string", RequestId: "string", SourceCidr: "string" },
  /** GetIpamPoolAllocationResponseBody */
  GetIpamPoolAllocation: { ...ALLOCATION, RequestId: "string" },
  /** ListIpamPoolAllocationsResponseBody (+ …IpamPoolAllocations) */
  ListIpamPoolAllocations: { ...PAGED, IpamPoolAllocations: [ALLOCATION] },
  /** UpdateIpamPoolAllocationResponseBody */
  UpdateIpamPoolAllocation: REQUEST_ONLY,
  /** DeleteIpamPoolAllocationResponseBody */
  DeleteIpamPoolAllocation: REQUEST_ONLY,
  /** ListIpamPoolCidrsResponseBody (+ …IpamPoolCidrs) */
  ListIpamPoolCidrs: { ...PAGED, IpamPoolCidrs: [{ Cidr: "string", IpamPoolId: "string", Status: "string" }] },
  /** ListIpamPoolsResponseBody */
  ListIpamPools: {
    Count: "number",
    IpamPools: [IPAM_POOL],
    MaxResults: "number",
    "NextToken?": "string",
    RequestId: "string",
    TotalCount: "number",
  },
};
