import { CloudError, isRetryable, kindOfCode, toCloudError } from "../../provider/cloud/errors";

function teaError(code: string, status: number, message: string, requestId = "RID-1"): Error {
  // The shape openapi-client's ResponseError has for a JSON error body.
  const err = new Error(`${code}: code: ${status}, ${message} request id: ${requestId}`) as Error & Record<string, unknown>;
  err.name = "ResponseError";
  err.code = code;
  err.statusCode = status;
  err.data = { Code: code, Message: message, RequestId: requestId, Recommend: "https://api.aliyun.com/troubleshoot?q=" + code, HostId: "eipanycast.cn-hangzhou.aliyuncs.com", statusCode: status };
  return err;
}

describe("error classification is a table of codes", () => {
  test.each([
    ["Throttling.User", 400, "throttling"],
    ["Throttling", 400, "throttling"],
    ["SystemBusy", 503, "transient"],
    ["ServiceUnavailable", 503, "transient"],
    ["InternalError", 500, "transient"],
    ["OperationFailed.Conflict", 400, "busy"],
    ["IncorrectStatus.Anycast", 400, "busy"],
    ["ResourceNotFound.IpamPoolAllocation", 400, "notFound"],
    ["ResourceNotFound.AnycastInstance", 404, "notFound"],
    ["OperationDenied.ResourceTypeIsNotCustom", 400, "permanent"],
    ["OperationUnsupported.ServiceManaged", 400, "permanent"],
    ["SignatureDoesNotMatch", 400, "permanent"],
    ["SomethingNew", 502, "transient"],
    ["SomethingNew", 429, "throttling"],
    ["SomethingNew", 400, "permanent"],
  ])("%s (HTTP %d) is %s", (code, status, kind) => {
    expect(kindOfCode(code, status)).toBe(kind);
  });

  test("a cloud error body keeps code, status, request id, message and recommend", () => {
    const e = toCloudError(teaError("IncorrectStatus.Anycast", 400, "The status of the Anycast instance is invalid.", "ABC-123"), "releasing Anycast EIP aeip-1");
    expect(e).toBeInstanceOf(CloudError);
    expect(e.code).toBe("IncorrectStatus.Anycast");
    expect(e.status).toBe(400);
    expect(e.requestId).toBe("ABC-123");
    expect(e.recommend).toContain("IncorrectStatus.Anycast");
    expect(e.kind).toBe("busy");
    expect(e.message).toBe("releasing Anycast EIP aeip-1: IncorrectStatus.Anycast: The status of the Anycast instance is invalid. (RequestId ABC-123)");
  });

  test("socket and timeout failures are transient, other client errors permanent", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const timeout = Object.assign(new Error("ReadTimeout: 100. POST / failed."), { name: "RequestTimeoutError" });
    const html = (() => {
      try {
        JSON.parse("<html>502 Bad Gateway</html>");
      } catch (e) {
        return e;
      }
    })();
    expect(toCloudError(reset)).toMatchObject({ code: "ECONNRESET", kind: "transient" });
    expect(toCloudError(refused)).toMatchObject({ code: "ECONNREFUSED", kind: "transient" });
    expect(toCloudError(timeout)).toMatchObject({ code: "ReadTimeout", kind: "transient" });
    // Without the HTTP status (the transport adds it) a body that is not JSON is not worth retrying.
    expect(toCloudError(html)).toMatchObject({ code: "InvalidResponse", kind: "permanent" });
    expect(toCloudError(new TypeError("x is not a function"))).toMatchObject({ kind: "permanent" });
    expect(isRetryable(toCloudError(reset))).toBe(true);
  });

  test("after N attempts the message says so and keeps the cloud error", () => {
    const e = toCloudError(teaError("SystemBusy", 503, "The system is busy. Please try again later.", "R9"), "releasing Anycast EIP aeip-9").afterAttempts(4);
    expect(e.message).toBe("releasing Anycast EIP aeip-9: after 4 failed attempts: SystemBusy: The system is busy. Please try again later. (RequestId R9)");
    expect(e.code).toBe("SystemBusy");
    expect(e.attempts).toBe(4);
  });
});
