/**
 * The stack config namespace shared with the official alicloud provider, through the real Pulumi CLI: a
 * stack configured for that provider too — its keys in its shapes, `alicloud:endpoints` a YAML list
 * holding other services' endpoints as well — runs preview, up and destroy; the config the harness writes
 * is one the official provider accepts (checked against its key list), with our own keys in
 * `alicloud-release:`. The keys earlier versions read in `alicloud:` still work, each warned about once
 * per command, naming its new key.
 */
import { officialConfigProblems } from "../../provider/cloud/official-config";
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

// Its longest test runs 7 (stack init) + 2 config + preview + up + destroy commands.
jest.setTimeout(e2eTimeout(12));

const emu = useEmulator({ anycastTiming: "instant" });
let stack: TestStack | undefined;

beforeEach(() => {
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: "ipam-pool-e2e", regionId: "cn-hangzhou", cidrs: ["10.0.0.0/16"] }] } });
});
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

const inventory = () => emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: unknown[] } };
const occurrences = (text: string, part: string) => text.split(part).length - 1;
const diagnosticsOf = (output: string) => output.slice(output.indexOf("\nDiagnostics:"));

test("a stack configured for the official provider too — its keys, its shapes — runs preview, up and destroy", async () => {
  stack = new TestStack(emu);
  await stack.init(
    [
      { type: "IpamPoolAllocation", name: "web", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 24 } },
      { type: "AnycastEipAddress", name: "edge", args: { serviceLocation: "international", bandwidth: 200 } },
    ],
    {
      "alicloud:endpoints": null, // set below as a YAML list, as `pulumi config set --path` writes it
      "alicloud:protocol": "HTTPS",
      "alicloud:skipRegionValidation": "true",
      "alicloud:clientReadTimeout": "30000",
      "alicloud:maxRetryTimeout": "60",
      "alicloud:configurationSource": "e2e",
      "alicloud:accountId": "1234567890123456",
    },
  );
  const paths = {
    "alicloud:endpoints[0].ecs": "ecs.aliyuncs.com",
    "alicloud:endpoints[0].vpc": "vpc.aliyuncs.com",
    "alicloud:endpoints[1].vpcipam": emu.url,
    "alicloud:endpoints[1].eipanycast": emu.url,
    "alicloud:assumeRole.roleArn": "acs:ram::1234567890123456:role/deployer",
    "alicloud:assumeRole.sessionExpiration": "900",
  };
  await stack.ok(["config", "set-all", "--path", ...Object.entries(paths).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]), "-s", stack.stack]);

  const config = await stack.config();
  expect(officialConfigProblems(config)).toEqual([]);
  expect(JSON.parse(config["alicloud:endpoints"])).toEqual([{ ecs: "ecs.aliyuncs.com", vpc: "vpc.aliyuncs.com" }, { vpcipam: emu.url, eipanycast: emu.url }]);
  // none of our own keys is in the official namespace
  expect(Object.keys(config).filter((k) => !k.startsWith("alicloud:")).sort()).toEqual(["alicloud-release:retryBaseDelayMs", "e2e:resources"]);

  const preview = await stack.preview();
  expect(preview.code).toBe(0);
  expect(emu.control.calls().filter((c) => c.mutating)).toEqual([]);
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(inventory().vpcipam.allocations).toHaveLength(1);
  expect(inventory().eipanycast.eips).toHaveLength(1);
  const destroy = await stack.destroy();
  expect(destroy.code).toBe(0);
  expect(inventory().vpcipam.allocations).toEqual([]);
  expect(inventory().eipanycast.eips).toEqual([]);
  for (const out of [preview.output, up.output, destroy.output]) expect(out).not.toContain("deprecated");
});

test("the alicloud: keys of earlier versions still work, each warned about once per command, naming its new key", async () => {
  stack = new TestStack(emu);
  await stack.init(
    [
      { type: "IpamPoolAllocation", name: "a", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 24 } },
      { type: "IpamPoolAllocation", name: "b", args: { ipamPoolId: "ipam-pool-e2e", cidrMask: 25 } },
    ],
    {
      "alicloud-release:retryBaseDelayMs": null,
      "alicloud:retryBaseDelayMs": "0",
      "alicloud:readTimeoutMs": "60000",
      "alicloud:endpoints": JSON.stringify({ vpcipam: emu.url, eipanycast: emu.url }),
    },
  );
  const up = await stack.up();
  expect(up.code).toBe(0);
  expect(inventory().vpcipam.allocations).toHaveLength(2);
  const destroy = await stack.destroy();
  expect(destroy.code).toBe(0);
  expect(inventory().vpcipam.allocations).toEqual([]);
  // The provider writes each warning once; the engine shows it as it comes and again under Diagnostics,
  // which collects every line the provider wrote.
  for (const out of [diagnosticsOf(up.output), diagnosticsOf(destroy.output)]) {
    expect(occurrences(out, "Pulumi config alicloud:retryBaseDelayMs is deprecated")).toBe(1);
    expect(out).toContain("Move it: `pulumi config set alicloud-release:retryBaseDelayMs 0` and `pulumi config rm alicloud:retryBaseDelayMs`.");
    expect(occurrences(out, "Pulumi config alicloud:readTimeoutMs is deprecated")).toBe(1);
    expect(out).toContain("`pulumi config set alicloud-release:readTimeoutMs 60000`");
    expect(occurrences(out, "Pulumi config alicloud:endpoints is an object")).toBe(1);
  }
});
