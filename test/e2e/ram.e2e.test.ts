/**
 * A missing RAM permission through the real Pulumi CLI: with the documented lifecycle policy
 * (docs/ram-policy.json) `pulumi up` works; without its ReleaseAnycastEipAddress statement `pulumi destroy`
 * fails, and what the user reads names the code, the missing permission with its resource, and the
 * request id of the denied call; the EIP stays in the state, and with the statement back destroy releases it.
 * And `recover` after a killed `pulumi up` under its documented policies (docs/ram-policy-recover.json,
 * docs/ram-policy-recover-apply.json; each statement's need is proved in test/integration/ram-policy.test.ts).
 */
import { combinedPolicy, documentedPolicy, withoutStatement } from "../helpers/ram-scenarios";
import { useEmulator } from "../helpers/emulator";
import { runReleaseCli, TestStack, e2eTimeout } from "./harness";

// init (3 commands), up, destroy, destroy, stack rm.
jest.setTimeout(e2eTimeout(7));

const emu = useEmulator({ anycastTiming: "instant" });
let stack: TestStack | undefined;
afterEach(async () => {
  emu.control.setRamPolicy(null);
  await stack?.remove();
  stack = undefined;
});

test("without eipanycast:ReleaseAnycastEipAddress, destroy fails naming the permission, its resource and the request id; granted, it releases", async () => {
  const policy = documentedPolicy("ram-policy.json");
  const release = policy.Statement.findIndex((s) => s.Action === "eipanycast:ReleaseAnycastEipAddress");
  emu.control.setRamPolicy(policy);
  stack = new TestStack(emu);
  await stack.init([{ type: "AnycastEipAddress", name: "edge", args: { serviceLocation: "international", bandwidth: 200 } }]);
  expect((await stack.up()).code).toBe(0);
  const [{ id }] = await stack.resources();

  emu.control.setRamPolicy(withoutStatement(policy, release));
  const denied = await stack.destroy();
  expect(denied.code).not.toBe(0);
  const [call] = emu.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM");
  expect(call).toMatchObject({ action: "ReleaseAnycastEipAddress", outcome: { status: 403 } });
  expect(denied.output).toContain(
    `releasing Anycast EIP ${id}: Forbidden.RAM: User not authorized to operate on the specified resource, or this API doesn't support RAM. ` +
      `Missing RAM permission: eipanycast:ReleaseAnycastEipAddress on acs:eipanycast:cn-hangzhou:1234567890123456:anycast/${id} (ImplicitDeny) ` +
      `(RequestId ${call.requestId})`,
  );
  expect((await stack.resources()).map((r) => r.id)).toEqual([id]);

  emu.control.setRamPolicy(policy);
  expect((await stack.destroy()).code).toBe(0);
  expect(await stack.resources()).toEqual([]);
});

test(
  "recover after a killed `pulumi up`: the plan under docs/ram-policy-recover.json; --yes refused without the apply file (naming the permission), then settled with it",
  async () => {
    stack = new TestStack(emu);
    await stack.init([{ type: "AnycastEipAddress", name: "edge", args: { serviceLocation: "international", bandwidth: 200 } }]);
    // The allocation is committed at once, its answer held back: the CLI is killed while it waits.
    emu.control.addFault({ product: "Eipanycast", action: "AllocateAnycastEipAddress", kind: "latency", latencyMs: 600_000 });
    const killed = await stack.runKilledWhen(["up", "--yes", "--skip-preview", "--non-interactive", "-s", stack.stack], () => emu.control.calls().some((c) => c.action === "AllocateAnycastEipAddress"));
    emu.control.clearFaults();
    expect(killed.signal).toBe("SIGKILL");
    expect((await stack.cancel()).code).toBe(0);
    const [{ anycastId }] = (emu.control.state().eipanycast as { eips: { anycastId: string }[] }).eips;
    const denials = () => emu.control.calls().filter((c) => c.outcome.code === "Forbidden.RAM");

    const plan = documentedPolicy("ram-policy-recover.json");
    emu.control.setRamPolicy(plan);
    const planned = await runReleaseCli("recover", stack);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(`candidates: Anycast EIP ${anycastId} (`);
    expect(planned.stdout).toContain("→ will send the create again");
    expect(denials()).toEqual([]);

    const refused = await runReleaseCli("recover", stack, ["--yes"]);
    expect(refused.code).toBe(1);
    const [call] = denials();
    expect(call).toMatchObject({ action: "AllocateAnycastEipAddress", outcome: { status: 403 } });
    expect(refused.stdout).toContain(
      "carrying it out failed: allocating Anycast EIP: Forbidden.RAM: User not authorized to operate on the specified resource, or this API doesn't support RAM. " +
        `Missing RAM permission: eipanycast:AllocateAnycastEipAddress on acs:eipanycast:cn-hangzhou:1234567890123456:anycast/* (ImplicitDeny) (RequestId ${call.requestId})`,
    );
    expect(refused.stdout).toContain("Nothing was written.");
    expect(await stack.pendingOperations()).toHaveLength(1);

    emu.control.setRamPolicy(combinedPolicy(plan, documentedPolicy("ram-policy-recover-apply.json")));
    const settled = await runReleaseCli("recover", stack, ["--yes"]);
    expect(settled.code).toBe(0);
    expect(settled.stdout).toContain("The state was written: 1 resource added, no pending operations left.");
    expect(denials()).toEqual([call]);
    expect((await stack.resources()).map((r) => r.id)).toEqual([anycastId]);

    emu.control.setRamPolicy(null);
    expect((await stack.destroy()).code).toBe(0);
    expect(await stack.resources()).toEqual([]);
  },
  e2eTimeout(20),
);
