/**
 * Cloud errors that carry a hint (one table, provider/cloud/errors.ts), produced the way the real API
 * produces them by the emulator over real HTTP: each error keeps its code, message and request id and
 * adds what to do. And a failure to connect, where nothing was sent, does not warn that an object may
 * have been created.
 */
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { anycastEipAddressLifecycle as eipLc } from "../../provider/anycast/eip-lifecycle";
import { CloudError } from "../../provider/cloud/errors";
import { ipamPoolAllocationLifecycle as lc } from "../../provider/ipam/lifecycle";
import { caught, checkedCreate, emulatorContext, REGION } from "../helpers/cloud";
import { useEmulator } from "../helpers/emulator";

const emu = useEmulator({ anycastTiming: "instant" });

beforeEach(() => {
  emu.control.seed({
    vpcipam: {
      pools: [
        { ipamPoolId: "ipam-pool-main", regionId: REGION, cidrs: ["10.0.0.0/16"] },
        { ipamPoolId: "ipam-pool-sh", regionId: "cn-shanghai", cidrs: ["172.16.0.0/16"] },
      ],
    },
  });
});

/** A port nobody listens on any more. */
async function refusingPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  return port;
}

const RID = /\(RequestId [0-9A-F-]{36}\)/;

test("SignatureDoesNotMatch: the hint says to check the secret key, and the server's StringToSign is not printed", async () => {
  const ctx = emulatorContext(emu, {}, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "not-the-secret" });
  const err = (await caught(checkedCreate(lc, ctx, { ipamPoolId: "ipam-pool-main", cidrMask: 24 }))) as CloudError;
  expect(err).toMatchObject({ code: "SignatureDoesNotMatch", status: 400 });
  // the emulator answers as the gateway does, with its StringToSign in the message…
  expect(emu.control.calls()[0]).toMatchObject({ outcome: { code: "SignatureDoesNotMatch" } });
  // …which the error shown leaves out
  expect(err.message).not.toMatch(/string ?to ?sign|ACS3-HMAC-SHA256/i);
  expect(err.message).toMatch(RID);
  expect(err.message).toContain("Specified signature does not match our calculation.");
  expect(err.message).toContain("check the access key secret");
  expect(err.message).toContain("alicloud:secretKey");
});

test("OperationDenied.RequestRegionInvalid at create: the hint names both regions and the setting", async () => {
  const ctx = emulatorContext(emu);
  const err = (await caught(checkedCreate(lc, ctx, { ipamPoolId: "ipam-pool-sh", cidrMask: 24 }))) as CloudError;
  expect(err).toMatchObject({ code: "OperationDenied.RequestRegionInvalid" });
  expect(err.message).toMatch(RID);
  expect(err.message).toContain(`The call was made in region ${REGION}, but IPAM pool ipam-pool-sh is in cn-shanghai`);
  expect(err.message).toContain('set the resource\'s regionId to "cn-shanghai"');
  expect(emu.control.state().vpcipam.allocations).toEqual([]);
});

test("ResourceNotFound.IpamPool against the emulator: the hint says how to seed a pool", async () => {
  const ctx = emulatorContext(emu);
  const err = (await caught(checkedCreate(lc, ctx, { ipamPoolId: "ipam-pool-missing", cidrMask: 24 }))) as CloudError;
  expect(err).toMatchObject({ code: "ResourceNotFound.IpamPool", status: 404 });
  expect(err.message).toMatch(RID);
  expect(err.message).toContain(`The endpoint ${emu.url} is local, presumably the emulator, which has no IPAM pool ipam-pool-missing`);
  expect(err.message).toContain(`--pool ipam-pool-missing=10.0.0.0/16@${REGION}`);
  expect(err.message).toContain("POST /_emulator/seed");
});

test("a bare host:port endpoint is taken as HTTPS: EPROTO says so and shows the http:// form; nothing was sent, no retry", async () => {
  const ctx = emulatorContext(emu, {}, { ALIBABA_CLOUD_ENDPOINT_VPCIPAM: emu.endpoint });
  const err = (await caught(checkedCreate(lc, ctx, { ipamPoolId: "ipam-pool-main", cidrMask: 24 }))) as CloudError;
  expect(err).toMatchObject({ code: "EPROTO", kind: "permanent", nothingSent: true });
  expect(err.cloudMessage).toMatch(new RegExp(`^could not connect to https://${emu.endpoint} \\(TLS handshake failed\\) calling CreateIpamPoolAllocation; nothing was sent`));
  expect(err.message).toContain(`The endpoint is taken as HTTPS (an endpoint written without http:// is); if it serves plain HTTP, as the emulator does, set it as http://${emu.endpoint}`);
  expect(err.message).not.toMatch(/ssl3_get_record|RegionId=/);
  expect(emu.control.calls()).toEqual([]);
});

describe("allocating an Anycast EIP: the 'may exist, adopt it' warning only when the request may have reached the service", () => {
  test("a refused connection (nothing sent) does not warn", async () => {
    const port = await refusingPort();
    const ctx = emulatorContext(emu, {}, { ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: `http://127.0.0.1:${port}` });
    const err = (await caught(checkedCreate(eipLc, ctx, { serviceLocation: "international", name: "edge" }))) as CloudError;
    expect(err).toMatchObject({ code: "ECONNREFUSED", nothingSent: true });
    expect(err.message).toContain("nothing was sent");
    expect(err.message).not.toMatch(/went through|adoptAnycastId|not in the stack state/);
  });

  test("a lost response on every attempt (it may have been applied) still warns, with the ClientToken", async () => {
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "lost" });
    const ctx = emulatorContext(emu, {}, { ALICLOUD_RELEASE_MAX_ATTEMPTS: "2" });
    const err = (await caught(checkedCreate(eipLc, ctx, { serviceLocation: "international", name: "edge", maxAttempts: 2 }))) as CloudError;
    expect(err.nothingSent).toBeFalsy();
    // the SDK's request line (endpoint and query) is not repeated in the message
    expect(err.message).not.toMatch(/POST http|\?ServiceLocation=/);
    expect(err.message).toMatch(/If the allocation went through, an Anycast EIP named "edge" exists that is not in the stack state: .* adoptAnycastId \(ClientToken [0-9a-z-]+\)/);
  });
});
