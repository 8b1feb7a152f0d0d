import { resolveCredentialSource } from "../../provider/cloud/credentials";
import { parseEndpoint, resolveEndpoint } from "../../provider/cloud/endpoints";
import { envSource, resolveRegion, resolveTimeouts, SettingsError } from "../../provider/cloud/settings";

describe("credentials", () => {
  test("Pulumi config wins over env; env Alibaba names over Terraform names", () => {
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: "envA", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "envS", ALICLOUD_ACCESS_KEY: "tfA", ALICLOUD_SECRET_KEY: "tfS" };
    expect(resolveCredentialSource(envSource(env, { "alicloud:accessKey": "cfgA", "alicloud:secretKey": "cfgS", "alicloud:securityToken": "tok" }))).toMatchObject({ kind: "static", accessKeyId: "cfgA", accessKeySecret: "cfgS", securityToken: "tok", from: "Pulumi config alicloud:accessKey" });
    expect(resolveCredentialSource(envSource(env))).toMatchObject({ accessKeyId: "envA", from: "env ALIBABA_CLOUD_ACCESS_KEY_ID" });
    expect(resolveCredentialSource(envSource({ ALICLOUD_ACCESS_KEY: "tfA", ALICLOUD_SECRET_KEY: "tfS", ALICLOUD_SECURITY_TOKEN: "t" }))).toMatchObject({ accessKeyId: "tfA", securityToken: "t" });
    expect(resolveCredentialSource(envSource({}, { "alicloud:profile": "prod" }))).toMatchObject({ kind: "profile", profile: "prod" });
    expect(resolveCredentialSource(envSource({}))).toMatchObject({ kind: "chain" });
  });

  test("half a pair is an error naming what is missing", () => {
    expect(() => resolveCredentialSource(envSource({}, { "alicloud:accessKey": "a" }))).toThrow("Pulumi config alicloud:accessKey is set but its pair is missing: set alicloud:secretKey");
    expect(() => resolveCredentialSource(envSource({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s" }))).toThrow(/set ALIBABA_CLOUD_ACCESS_KEY_ID/);
  });
});

describe("endpoints", () => {
  test("regional defaults, env and config overrides", () => {
    expect(resolveEndpoint(envSource({}), "VpcIpam", "cn-shanghai")).toMatchObject({ host: "vpcipam.cn-shanghai.aliyuncs.com", protocol: "HTTPS" });
    expect(resolveEndpoint(envSource({}), "Eipanycast", "cn-hangzhou")).toMatchObject({ host: "eipanycast.cn-hangzhou.aliyuncs.com" });
    expect(resolveEndpoint(envSource({ ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: "http://127.0.0.1:8080" }), "Eipanycast", "x-y")).toMatchObject({ host: "127.0.0.1:8080", protocol: "HTTP" });
    const cfg = envSource({ ALIBABA_CLOUD_ENDPOINT_VPCIPAM: "http://127.0.0.1:1" }, { "alicloud:endpoints": JSON.stringify([{ vpcipam: "http://127.0.0.1:9" }]) });
    expect(resolveEndpoint(cfg, "VpcIpam", "cn-hangzhou")).toMatchObject({ host: "127.0.0.1:9", from: "Pulumi config alicloud:endpoints[0].vpcipam" });
    expect(parseEndpoint("vpcipam.example.com", "x")).toMatchObject({ host: "vpcipam.example.com", protocol: "HTTPS" });
  });

  test("bad values name the setting", () => {
    expect(() => resolveEndpoint(envSource({ ALIBABA_CLOUD_ENDPOINT_VPCIPAM: "ftp://x y" }), "VpcIpam", "cn-hangzhou")).toThrow(/env ALIBABA_CLOUD_ENDPOINT_VPCIPAM is "ftp:\/\/x y"; expected/);
    expect(() => resolveEndpoint(envSource({}, { "alicloud:endpoints": "{" }), "VpcIpam", "cn-hangzhou")).toThrow(/alicloud:endpoints is not JSON/);
  });
});

describe("region and timeouts", () => {
  test("explicit, then config, then env; missing or malformed is explained", () => {
    expect(resolveRegion(envSource({ ALICLOUD_REGION: "cn-beijing" }), "cn-shanghai")).toBe("cn-shanghai");
    expect(resolveRegion(envSource({ ALICLOUD_REGION: "cn-beijing" }, { "alicloud:region": "cn-hangzhou" }))).toBe("cn-hangzhou");
    expect(resolveRegion(envSource({ ALICLOUD_REGION: "cn-beijing" }))).toBe("cn-beijing");
    expect(() => resolveRegion(envSource({}))).toThrow(SettingsError);
    expect(() => resolveRegion(envSource({ ALIBABA_CLOUD_REGION: "Hangzhou" }))).toThrow(/env ALIBABA_CLOUD_REGION is "Hangzhou", which is not a region id/);
  });

  test("timeouts default explicitly and reject nonsense", () => {
    expect(resolveTimeouts(envSource({}))).toEqual({ connectTimeoutMs: 5000, readTimeoutMs: 15000 });
    expect(resolveTimeouts(envSource({ ALICLOUD_RELEASE_READ_TIMEOUT_MS: "250" })).readTimeoutMs).toBe(250);
    expect(() => resolveTimeouts(envSource({ ALICLOUD_RELEASE_READ_TIMEOUT_MS: "soon" }))).toThrow(/ALICLOUD_RELEASE_READ_TIMEOUT_MS is "soon"/);
  });
});
