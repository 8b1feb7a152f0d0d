/**
 * A RAM denial names the missing permission: from the answer's AccessDeniedDetail when it has one, else the
 * API action; other errors are left as they are.
 */
import { CloudError } from "../../provider/cloud/errors";
import { withMissingPermission } from "../../provider/cloud/permission";

const MESSAGE = "User not authorized to operate on the specified resource, or this API doesn't support RAM.";
const cloud = (code: string, message = MESSAGE) => new CloudError({ code, message, status: 403, requestId: "RID-1", operation: "releasing Anycast EIP aeip-1" });
/** What openapi-client throws for an error body: the body under `data`. */
const thrown = (body: Record<string, unknown>) => Object.assign(new Error("code: 403"), { data: { ...body, statusCode: 403 } });
const DETAIL = { AuthAction: "eipanycast:ReleaseAnycastEipAddress", AuthResource: "acs:eipanycast:cn-hangzhou:1:anycast/aeip-1", NoPermissionType: "ExplicitDeny" };

test("AccessDeniedDetail names the RAM action, its resource and the kind of deny", () => {
  const e = withMissingPermission(cloud("Forbidden.RAM"), thrown({ AccessDeniedDetail: DETAIL }), "ReleaseAnycastEipAddress");
  expect(e.message).toBe(
    `releasing Anycast EIP aeip-1: Forbidden.RAM: ${MESSAGE} Missing RAM permission: eipanycast:ReleaseAnycastEipAddress on acs:eipanycast:cn-hangzhou:1:anycast/aeip-1 (ExplicitDeny) (RequestId RID-1)`,
  );
  expect(e).toMatchObject({ code: "Forbidden.RAM", status: 403, requestId: "RID-1", kind: "permanent" });
});

test.each(["Forbidden.RAM", "NoPermission", "NotAuthorized"])("%s without detail names the API action that was called", (code) => {
  const e = withMissingPermission(cloud(code, "Denied"), thrown({}), "DeleteIpamPoolAllocation");
  expect(e.message).toBe(`releasing Anycast EIP aeip-1: ${code}: Denied. Missing RAM permission for API action DeleteIpamPoolAllocation (see docs/ram.md for its RAM action) (RequestId RID-1)`);
});

test("other errors, Forbidden.* ones included, are left alone unless they carry AccessDeniedDetail", () => {
  for (const code of ["Forbidden.Operation", "OperationDenied.Unauthorized", "SystemBusy"]) {
    const original = cloud(code, "No.");
    expect(withMissingPermission(original, thrown({}), "ReleaseAnycastEipAddress")).toBe(original);
  }
  expect(withMissingPermission(cloud("Forbidden.Operation", "No."), thrown({ AccessDeniedDetail: { AuthAction: "vpc:X" } }), "X").message).toContain("Missing RAM permission: vpc:X");
});
