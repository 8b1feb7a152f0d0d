/** The two Alibaba Cloud products this package calls, with their API versions and endpoint rules. */
export const PRODUCTS = {
  VpcIpam: { version: "2023-02-28", hostPrefix: "vpcipam", envEndpoint: "ALIBABA_CLOUD_ENDPOINT_VPCIPAM" },
  Eipanycast: { version: "2020-03-09", hostPrefix: "eipanycast", envEndpoint: "ALIBABA_CLOUD_ENDPOINT_EIPANYCAST" },
} as const;

/** `VpcIpam` or `Eipanycast`. */
export type ProductName = keyof typeof PRODUCTS;
