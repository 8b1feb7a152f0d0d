/**
 * The ClientToken of a create, made in `check` and carried in the checked inputs as the hidden input
 * `createToken`. The engine records the checked inputs of a create in the checkpoint (a pending
 * `creating` operation) before it calls create, so when a run dies mid-create the token is in the state:
 * `pulumi-alicloud-release recover` sends the create again with it, and within the token's lifetime the
 * service answers with the object the interrupted create made instead of making a second one.
 *
 * A fresh token per `check`, never one derived from the inputs: a replacement (`--replace`, or any
 * replacing change) and a destroy-then-up run `check` again, so their creates can never be answered with
 * the object of an earlier create — which may be live and held by another resource, or released.
 *
 * The token names the time it was made (the checking machine's clock), so `recover` can tell whether the
 * service may still remember it. It is never a diff (see typedLifecycle), and state written before it
 * existed has none: creates then make a token of their own, as they did.
 */
import { randomBytes } from "node:crypto";

export const CREATE_TOKEN_PROPERTY = "createToken";

/** `pcr1-<ms since the epoch, base 36>-<32 hex>`: ASCII, 46–48 characters (the APIs take up to 64). */
const TOKEN_PATTERN = /^pcr1-([0-9a-z]{1,11})-([0-9a-f]{32})$/;

export interface CreateToken {
  token: string;
  /** Epoch ms when `check` made it, by the clock of the machine that ran `pulumi up`. */
  issuedAt: number;
}

/** A new token issued at `nowMs`. */
export function newCreateToken(nowMs: number): string {
  return `pcr1-${Math.max(0, Math.floor(nowMs)).toString(36)}-${randomBytes(16).toString("hex")}`;
}

/** The token in raw inputs or stored state; undefined when absent or not one this module makes. */
export function parseCreateToken(v: unknown): CreateToken | undefined {
  if (typeof v !== "string") return undefined;
  const m = TOKEN_PATTERN.exec(v);
  if (!m) return undefined;
  const issuedAt = parseInt(m[1], 36);
  return Number.isSafeInteger(issuedAt) ? { token: v, issuedAt } : undefined;
}
