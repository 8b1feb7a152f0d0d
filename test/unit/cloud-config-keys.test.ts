/**
 * The stack config namespace is shared with the official alicloud provider: every `alicloud:` key read
 * here is one it defines, read in its shape; our own keys live in `alicloud-release:`; the keys earlier
 * versions read in `alicloud:` still work, each warned about once, naming its replacement.
 */
import { resolveCredentialSource } from "../../provider/cloud/credentials";
import { resolveEndpoint } from "../../provider/cloud/endpoints";
import { OFFICIAL_CONFIG_KEYS, OFFICIAL_ENDPOINT_KEYS, OfficialConfigShape, officialConfigProblems } from "../../provider/cloud/official-config";
import {
  envSource,
  OWN_SETTINGS,
  resolveBackoffBaseMs,
  resolveRegion,
  resolveTimeouts,
  SettingsSource,
  warnOnceEach,
} from "../../provider/cloud/settings";

/** Every setting the provider resolves, through one source. */
function resolveAll(source: SettingsSource) {
  return {
    credentials: resolveCredentialSource(source),
    region: resolveRegion(source),
    vpcipam: resolveEndpoint(source, "VpcIpam", "cn-hangzhou"),
    eipanycast: resolveEndpoint(source, "Eipanycast", "cn-hangzhou"),
    timeouts: resolveTimeouts(source),
    backoffBaseMs: resolveBackoffBaseMs(source, 200),
  };
}

const DEPRECATED_KEYS: string[] = Object.values(OWN_SETTINGS).map((s) => s.deprecatedKey);

test("every alicloud: key the provider reads is one the official provider defines (or a deprecated key of ours)", () => {
  const asked = new Set<string>();
  const source: SettingsSource = {
    config: (key) => {
      asked.add(key);
      return undefined;
    },
    env: { ALIBABA_CLOUD_REGION: "cn-hangzhou" },
  };
  resolveAll(source);
  const keys = [...asked];
  expect(keys.filter((k) => k.startsWith("alicloud:") && !(k in OFFICIAL_CONFIG_KEYS) && !DEPRECATED_KEYS.includes(k))).toEqual([]);
  expect(keys.filter((k) => !k.startsWith("alicloud:")).sort()).toEqual(["alicloud-release:connectTimeoutMs", "alicloud-release:readTimeoutMs", "alicloud-release:retryBaseDelayMs"]);
  for (const k of DEPRECATED_KEYS) expect(k in OFFICIAL_CONFIG_KEYS).toBe(false);
});

/** A value of each shape, as the engine hands config to a provider (strings; JSON for structures). */
const SAMPLE: Record<OfficialConfigShape, string> = {
  string: "x",
  integer: "30000",
  boolean: "true",
  object: JSON.stringify({ roleArn: "acs:ram::123:role/x", sessionExpiration: 900 }),
  "list of endpoint objects": "[]",
};

test("a stack config with every key of the official provider, in its shapes, works unchanged and warns about nothing", () => {
  const config: Record<string, string> = Object.fromEntries(Object.entries(OFFICIAL_CONFIG_KEYS).map(([k, shape]) => [k, SAMPLE[shape]]));
  Object.assign(config, {
    "alicloud:region": "cn-shanghai",
    "alicloud:accessKey": "AKID",
    "alicloud:secretKey": "SECRET",
    "alicloud:protocol": "HTTP",
    // other services' entries, and ours as a bare host (which takes alicloud:protocol) and as a URL
    "alicloud:endpoints": JSON.stringify([{ ecs: "ecs.aliyuncs.com", vpc: "vpc.aliyuncs.com" }, { vpcipam: "vpcipam.internal.example:8443", eipanycast: "https://eipanycast.example" }]),
  });
  expect(officialConfigProblems(config)).toEqual([]);
  const warnings: string[] = [];
  const resolved = resolveAll(envSource({}, config, (_key, message) => warnings.push(message)));
  expect(resolved).toMatchObject({
    credentials: { kind: "static", accessKeyId: "AKID", accessKeySecret: "SECRET", securityToken: "x" },
    region: "cn-shanghai",
    vpcipam: { host: "vpcipam.internal.example:8443", protocol: "HTTP", from: "Pulumi config alicloud:endpoints[1].vpcipam" },
    eipanycast: { host: "eipanycast.example", protocol: "HTTPS", from: "Pulumi config alicloud:endpoints[1].eipanycast" },
    timeouts: { connectTimeoutMs: 5000, readTimeoutMs: 15000 },
    backoffBaseMs: 200,
  });
  expect(warnings).toEqual([]);
});

test("alicloud:protocol also applies to the regional default and env hosts; anything but HTTP/HTTPS is refused by name", () => {
  expect(resolveEndpoint(envSource({}, { "alicloud:protocol": "HTTP" }), "VpcIpam", "cn-hangzhou")).toMatchObject({ host: "vpcipam.cn-hangzhou.aliyuncs.com", protocol: "HTTP" });
  expect(resolveEndpoint(envSource({ ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: "127.0.0.1:8080" }, { "alicloud:protocol": "HTTP" }), "Eipanycast", "cn-hangzhou")).toMatchObject({ protocol: "HTTP" });
  expect(() => resolveEndpoint(envSource({}, { "alicloud:protocol": "FTP" }), "VpcIpam", "cn-hangzhou")).toThrow('Pulumi config alicloud:protocol is "FTP"; expected HTTP or HTTPS');
});

describe("our own keys: alicloud-release:, then the deprecated alicloud: key, then the environment", () => {
  const env = { ALICLOUD_RELEASE_READ_TIMEOUT_MS: "3000", ALICLOUD_RELEASE_CONNECT_TIMEOUT_MS: "300", ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "30" };
  const silent = () => undefined;

  test("the new key wins over both", () => {
    const s = envSource(env, { "alicloud-release:readTimeoutMs": "1000", "alicloud:readTimeoutMs": "2000", "alicloud-release:connectTimeoutMs": "100", "alicloud-release:retryBaseDelayMs": "0" }, silent);
    expect(resolveTimeouts(s)).toEqual({ connectTimeoutMs: 100, readTimeoutMs: 1000 });
    expect(resolveBackoffBaseMs(s, 200)).toBe(0);
  });

  test("the deprecated key over the environment; the environment alone; bad values name the key", () => {
    expect(resolveTimeouts(envSource(env, { "alicloud:readTimeoutMs": "2000" }, silent))).toEqual({ connectTimeoutMs: 300, readTimeoutMs: 2000 });
    expect(resolveBackoffBaseMs(envSource(env, {}, silent), 200)).toBe(30);
    expect(() => resolveTimeouts(envSource({}, { "alicloud-release:readTimeoutMs": "soon" }))).toThrow('Pulumi config alicloud-release:readTimeoutMs is "soon"; expected a whole number of milliseconds ≥ 1');
  });
});

test("the deprecated keys still work, each warned about once however often it is read, naming its replacement", () => {
  const lines: string[] = [];
  const warn = warnOnceEach((line) => lines.push(line));
  const config = {
    "alicloud:readTimeoutMs": "60000",
    "alicloud:connectTimeoutMs": "100",
    "alicloud:retryBaseDelayMs": "0",
    "alicloud:endpoints": JSON.stringify({ vpcipam: "http://127.0.0.1:9", EipAnycast: "http://127.0.0.1:10" }),
  };
  for (let call = 0; call < 3; call++) {
    const s = envSource({}, config, warn);
    expect(resolveTimeouts(s)).toEqual({ connectTimeoutMs: 100, readTimeoutMs: 60000 });
    expect(resolveBackoffBaseMs(s, 200)).toBe(0);
    expect(resolveEndpoint(s, "VpcIpam", "cn-hangzhou")).toMatchObject({ host: "127.0.0.1:9", protocol: "HTTP", from: "Pulumi config alicloud:endpoints.vpcipam" });
    expect(resolveEndpoint(s, "Eipanycast", "cn-hangzhou")).toMatchObject({ host: "127.0.0.1:10", from: "Pulumi config alicloud:endpoints.EipAnycast" });
  }
  const why = "(the official alicloud provider rejects `alicloud:` keys it does not define) and is not read from version 0.3.0 on.";
  expect(lines).toEqual([
    `warning: Pulumi config alicloud:connectTimeoutMs is deprecated ${why} Move it: \`pulumi config set alicloud-release:connectTimeoutMs 100\` and \`pulumi config rm alicloud:connectTimeoutMs\`.`,
    `warning: Pulumi config alicloud:readTimeoutMs is deprecated ${why} Move it: \`pulumi config set alicloud-release:readTimeoutMs 60000\` and \`pulumi config rm alicloud:readTimeoutMs\`.`,
    `warning: Pulumi config alicloud:retryBaseDelayMs is deprecated ${why} Move it: \`pulumi config set alicloud-release:retryBaseDelayMs 0\` and \`pulumi config rm alicloud:retryBaseDelayMs\`.`,
    `warning: Pulumi config alicloud:endpoints is an object; the official alicloud provider types it as a list of objects and rejects this. Set it as a list — \`pulumi config set alicloud:endpoints '[${config["alicloud:endpoints"]}]'\` — the object is not read from version 0.3.0 on.`,
    `warning: Pulumi config alicloud:endpoints.EipAnycast: the official alicloud provider's key is "eipanycast" and it rejects "EipAnycast"; rename it. "EipAnycast" is not read from version 0.3.0 on.`,
  ]);
});

test("a deprecated key next to its replacement is ignored, and the warning says so", () => {
  const lines: string[] = [];
  const s = envSource({}, { "alicloud-release:retryBaseDelayMs": "0", "alicloud:retryBaseDelayMs": "50" }, warnOnceEach((l) => lines.push(l)));
  expect(resolveBackoffBaseMs(s, 200)).toBe(0);
  expect(lines).toEqual([
    "warning: Pulumi config alicloud:retryBaseDelayMs is ignored: alicloud-release:retryBaseDelayMs is set. Remove it (`pulumi config rm alicloud:retryBaseDelayMs`): the official alicloud provider rejects `alicloud:` keys it does not define.",
  ]);
});

test("by default a deprecated key is warned about on stderr once per process, however many sources read it", () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    for (let call = 0; call < 3; call++) resolveTimeouts(envSource({}, { "alicloud:connectTimeoutMs": "250" }));
  } finally {
    spy.mockRestore();
  }
  expect(written).toEqual([expect.stringMatching(/^warning: Pulumi config alicloud:connectTimeoutMs is deprecated .*alicloud-release:connectTimeoutMs 250/)]);
});

test("alicloud:endpoints that is neither a list of objects nor an object is refused, naming the key and the shape", () => {
  expect(() => resolveEndpoint(envSource({}, { "alicloud:endpoints": '"http://x"' }), "VpcIpam", "cn-hangzhou")).toThrow(
    'Pulumi config alicloud:endpoints must be a list of objects mapping a service to its endpoint, e.g. [{"vpcipam":"http://127.0.0.1:8080","eipanycast":"http://127.0.0.1:8080"}]',
  );
  expect(() => resolveEndpoint(envSource({}, { "alicloud:endpoints": '[{"vpcipam":8080}]' }), "VpcIpam", "cn-hangzhou")).toThrow("Pulumi config alicloud:endpoints[0].vpcipam must be a string");
});

describe("officialConfigProblems: what the official provider would reject", () => {
  test("our own and unknown keys, wrong shapes and unknown endpoint keys", () => {
    expect(
      officialConfigProblems({
        "alicloud:readTimeoutMs": "1000",
        "alicloud:endpoints": '{"vpcipam":"http://x"}',
        "alicloud:skipRegionValidation": "yes",
        "alicloud:clientReadTimeout": "soon",
        "alicloud:assumeRole": "[]",
        "alicloud-release:readTimeoutMs": "1000",
        "app:anything": "x",
      }),
    ).toEqual([
      "alicloud:readTimeoutMs is not a config key of the official provider",
      'alicloud:endpoints is not a list; the official provider takes a list of objects, e.g. [{"vpcipam":"…","eipanycast":"…"}]',
      'alicloud:skipRegionValidation is "yes"; the official provider takes true or false',
      'alicloud:clientReadTimeout is "soon"; the official provider takes a whole number',
      "alicloud:assumeRole is not an object; the official provider takes an object",
    ]);
    expect(officialConfigProblems({ "alicloud:endpoints": '[{"VpcIpam":"x"}]' })).toEqual(["alicloud:endpoints[0].VpcIpam is not an endpoint key of the official provider"]);
  });

  test("the official list has our two products' endpoint keys", () => {
    expect(OFFICIAL_ENDPOINT_KEYS).toEqual(expect.arrayContaining(["vpcipam", "eipanycast"]));
    expect(officialConfigProblems({ "alicloud:endpoints": '[{"vpcipam":"http://x","eipanycast":"y"},{"ecs":"z"}]', "alicloud:region": "cn-hangzhou" })).toEqual([]);
  });
});
