/**
 * Pacing of a throttled action through the real CLI: a destroy whose releases overrun the account's
 * throttle queues them in the provider process (provider/cloud/pacing.ts) and ends with every EIP
 * released, each release committed once, and progress lines — named by resource — saying the retries
 * wait in turn. The backoff base is the production one (pacing is off with the tests' zero base). No
 * timing is asserted; the throttled destroy's figures are the bench's (`npm run bench -- --only throttle`).
 */
import { TestStack, e2eTimeout } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(e2eTimeout(3));

const emu = useEmulator({ anycastTiming: "instant" });
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.remove();
  stack = undefined;
});

test("a destroy of 8 EIPs over a release throttle of burst 1: paced in the provider, all released, each once", async () => {
  stack = new TestStack(emu);
  const names = Array.from({ length: 8 }, (_, i) => `eip${i}`);
  await stack.init(
    names.map((name) => ({ type: "AnycastEipAddress", name, args: { serviceLocation: "international", name } })),
    { "alicloud-release:retryBaseDelayMs": "200" },
  );
  expect((await stack.up()).code).toBe(0);
  emu.control.setRateLimit({ product: "Eipanycast", action: "ReleaseAnycastEipAddress", perSecond: 4, burst: 1 });

  const destroyed = await stack.destroy(["--parallel", "8"]);
  expect(destroyed.code).toBe(0);
  expect((emu.control.state().eipanycast as { eips: unknown[] }).eips).toEqual([]);
  const releases = emu.control.calls().filter((c) => c.action === "ReleaseAnycastEipAddress");
  expect(releases.filter((c) => c.mutating)).toHaveLength(8);
  const throttled = releases.filter((c) => c.outcome.code === "Throttling.User");
  expect(throttled.length).toBeGreaterThan(0);
  // Each throttled release has its line (the engine prints progress lines twice: live, then in Diagnostics).
  const pacedLine = /"eip\d": releasing Anycast EIP aeip-\S+: attempt \d+ failed \(Throttling\.User, RequestId ([^)]+)\); retrying in turn \(the action is paced at \d+\.\d calls\/s in this process\)/;
  const pacedRequestIds = new Set(destroyed.output.split("\n").flatMap((l) => pacedLine.exec(l)?.[1] ?? []));
  expect(pacedRequestIds).toEqual(new Set(throttled.map((c) => c.requestId)));
});
