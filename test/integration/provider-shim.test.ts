/**
 * The serialized provider as the dynamic-provider host sees it. Installed under node_modules, a resource's
 * provider is stored as one `require` (covered by the e2e suite). Loaded from anywhere else (a workspace
 * link, this test's TypeScript sources), Pulumi captures the shim object by value: that text must stay
 * small, hold no implementation or credentials, and still reach the installed implementation.
 * Needs `npm run build` (the installed copy under node_modules), which `npm test` runs first.
 */
import path from "node:path";
import { serializeFunction } from "@pulumi/pulumi/runtime/closure/serializeClosure";
// the host's own loader (a dependency of @pulumi/pulumi, untyped)
 
const requireFromString = require("require-from-string") as (code: string, filename: string) => unknown;
import ipamProvider = require("../../provider/providers/ipam-pool-allocation");

const REPO = path.resolve(__dirname, "..", "..");

test("captured by value, the shim is a few hundred bytes per method and reaches the installed runtime", async () => {
  const { text } = await serializeFunction(() => ipamProvider, { allowSecrets: true });
  expect(text).toContain('require("pulumi-alicloud-release/runtime")');
  expect(text).not.toMatch(/openapi|SignedTransport|accessKey/i);
  expect(Buffer.byteLength(text)).toBeLessThan(3000);

  // what the host does: requireFromString(__provider).handler(), from the program directory
  const provider = (requireFromString(text, path.join(REPO, "__provider.js")) as { handler(): typeof ipamProvider }).handler();
  const config = new Map([["alicloud:region", "cn-shanghai"]]);
  await provider.configure!({ config: { get: (k: string) => config.get(k), require: (k: string) => config.get(k)! } });
  const checked = await provider.check!({}, { ipamPoolId: "ipam-pool-abc", cidrMask: 24 });
  expect(checked).toEqual({ inputs: { ipamPoolId: "ipam-pool-abc", cidrMask: 24, regionId: "cn-shanghai", createToken: expect.stringMatching(/^pcr1-/) }, failures: [] });
  const bad = await provider.check!({}, { ipamPoolId: "pool", cidrMask: 24 });
  expect(bad.failures?.map((f) => f.property)).toEqual(["ipamPoolId"]);
});
