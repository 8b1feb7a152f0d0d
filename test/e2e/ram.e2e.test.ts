/**
 * A missing RAM permission through the real Pulumi CLI: with the documented lifecycle policy
 * (docs/ram-policy.json) `pulumi up` works; without its ReleaseAnycastEipAddress statement `pulumi destroy`
 * fails, and what the user reads names the code, the missing permission with its resource, and the
 * request id of the denied call; the EIP stays in the state, and with the statement back destroy releases it.
 */
import { documentedPolicy, withoutStatement } from "../helpers/ram-scenarios";
import { useEmulator } from "../helpers/emulator";
import { TestStack, e2eTimeout } from "./harness";

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
