/** Which failed release calls delete checks the outcome of (releaseOutcomeUnknown), by error. */
import { CloudError, connectFailureError } from "../../provider/cloud/errors";
import { deadlineReachedError } from "../../provider/cloud/retry";
import { releaseOutcomeUnknown } from "../../provider/release-outcome";

const failure = (code: string, fields: Partial<ConstructorParameters<typeof CloudError>[0]> = {}) => new CloudError({ code, message: "m", ...fields });

test.each([
  ["a read timeout", failure("ReadTimeout", { kind: "transient" })],
  ["a connection reset after sending", failure("ECONNRESET")],
  ["a 503 ServiceUnavailable", failure("ServiceUnavailable", { status: 503 })],
  ["a 500 with an unknown code", failure("Whatever", { status: 500 })],
  ["a transient error after an earlier attempt reached the service", failure("ECONNREFUSED", { nothingSent: false })],
  ["the deadline reached after a lost answer (the last error's code and kind)", deadlineReachedError("releasing x", 3000, failure("ECONNRESET"))],
])("%s: the outcome is checked", (_what, err) => {
  expect(releaseOutcomeUnknown(err)).toBe(true);
});

test.each([
  ["a refused connection (nothing sent)", connectFailureError({ code: "ECONNREFUSED", endpoint: "h", action: "A", product: "P", from: "f", settings: "s", cause: undefined })],
  ["no time left to send it", deadlineReachedError("releasing x", 3000)],
  ["IncorrectStatus.Anycast (busy)", failure("IncorrectStatus.Anycast")],
  ["throttling", failure("Throttling.User")],
  ["a permission error", failure("Forbidden.RAM", { status: 403 })],
  ["a refusal", failure("OperationDenied.ResourceTypeIsNotCustom", { status: 400 })],
  ["not found", failure("ResourceNotFound.IpamPoolAllocation")],
  ["not a cloud error", new Error("boom")],
])("%s: the error is final, no outcome check", (_what, err) => {
  expect(releaseOutcomeUnknown(err)).toBe(false);
});
