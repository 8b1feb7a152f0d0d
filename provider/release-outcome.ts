/**
 * A release whose answer never came. When the retry policy gives up on a release call with an error that
 * says the call may have reached the service (a read timeout, a connection lost after sending, a 5xx),
 * the release may well have been committed: failing the delete on that error would report a failed
 * destroy for an object that is gone. So delete reads the object — within the same grace past the
 * deadline an answered release gets for its confirmation (confirmationDeadline) — and reports what
 * happened: gone is a release; still there fails with the original error, saying so. A definite answer of
 * the service (a refusal, a permission error, not found) is acted on as it is, with no read.
 */
import { attemptErrorLabel } from "./cloud/context";
import { CloudError } from "./cloud/errors";
import { confirmationDeadline } from "./cloud/poll";
import { Operation } from "./operation";

/**
 * Whether a release call that failed with `err` may still have been applied: a transient failure (the
 * network's or the service's: the answer, if any, says nothing about the release) of a call that may
 * have reached the service. A call that was never sent (`nothingSent`, or no time left to send it — a
 * `DeadlineReached` error, whose kind is not transient) cannot have been applied.
 */
export function releaseOutcomeUnknown(err: unknown): err is CloudError {
  return err instanceof CloudError && err.kind === "transient" && err.nothingSent !== true;
}

/** What one read after an unanswered release found. */
export type ReleaseOutcomeSeen =
  /** The object is gone: it was released. */
  | { kind: "gone" }
  /** It is on its way out (an EIP `Releasing`): the release was accepted; `untilGone` waits it out. */
  | { kind: "releasing"; untilGone(): Promise<void> }
  /** It is still there, in `state`: the release did not happen. */
  | { kind: "present"; state: string };

/** How to check the outcome of one object's release. */
export interface ReleaseOutcomeCheck {
  /** The object, as the release names it (`IPAM pool allocation …`). */
  what: string;
  /** One read of the object (under the retry policy, with `confirm`'s deadline). */
  read(confirm: Operation): Promise<ReleaseOutcomeSeen>;
}

/**
 * What a rerun does, said in every error of an unanswered release. Safe because delete reads first (gone
 * is success) and takes not-found from the release as success; a rerun sends a new ClientToken, so the
 * token is not what makes it safe.
 */
const RERUN_LABEL = "running `pulumi destroy` again is safe (delete reads it first and releases it only if it is still there)";

/** `err` with a sentence after its request id, keeping any hint it has. */
function withOutcomeSentence(err: CloudError, sentence: string): CloudError {
  return new CloudError({ ...err.fields(), hint: err.hint ? `${err.hint}. ${sentence}` : sentence });
}

function errorLabel(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * After the release call of `check.what` failed with `err`: rethrows `err` unless the release may have
 * been applied (see releaseOutcomeUnknown); otherwise reads the object within the confirmation grace and
 * returns when it is gone (one progress line says the answer was lost and the object was released), or
 * throws `err` saying what the read found. A release seen in progress is waited out to gone.
 */
export async function settleUnansweredRelease(op: Operation, err: unknown, check: ReleaseOutcomeCheck): Promise<void> {
  if (!releaseOutcomeUnknown(err)) throw err;
  const { what } = check;
  const confirm: Operation = { ...op, deadlineAt: confirmationDeadline(op.ctx.clock, op.deadlineAt) };
  let seen: ReleaseOutcomeSeen;
  try {
    seen = await check.read(confirm);
  } catch (readErr) {
    throw withOutcomeSentence(err, `The outcome could not be checked (${errorLabel(readErr)}): it may or may not have been released; ${RERUN_LABEL}`);
  }
  if (seen.kind === "present") {
    throw withOutcomeSentence(err, `The outcome was checked: ${what} is still there (${seen.state}): the release did not take effect; ${RERUN_LABEL}`);
  }
  // A wait that runs out reports itself (`still Releasing after …; run the command again to keep waiting`).
  if (seen.kind === "releasing") await seen.untilGone();
  op.ctx.progress(`${what}: the answer to its release was lost (${attemptErrorLabel(err)}), and it is gone: it was released`);
}
