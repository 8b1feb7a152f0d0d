/**
 * The decisions of `recover`, pure: what a pending operation's facts (read from the state and, read-only,
 * from the cloud) allow it to do. run.ts gathers the facts and carries the decisions out.
 *
 * The rules, for a pending create of this package:
 * - an association is found by its binding key (the create takes an existing binding over), so it never
 *   needs the token: bound → resume, not bound → clear;
 * - a create that adopts makes nothing, so resuming it is always safe;
 * - an EIP or an allocation: no candidate (no object of its kind, outside the state, created since the
 *   create started) proves that none was made → clear. Otherwise the create is sent again with its
 *   recorded ClientToken — but only while the service can still remember the token (`--replay-window`;
 *   an allocation of an explicit CIDR at any age, since a second allocation of the same block is refused).
 *   Past that, or without a token, recover lists the candidates and adopts only the one named with
 *   `--adopt ID`;
 * - a create whose resource a later run made again (the state holds the URN, created after this create
 *   started) is stale: what it made is an orphan, listed, never put into the state.
 */
import type { ResourceKind } from "../registry";
import { Candidate, RecoverAction } from "./types";

export interface CreateFacts {
  kind: ResourceKind;
  /** The recorded ClientToken's issue time, when the create has one. */
  tokenIssuedAt?: number;
  /** Whether the token is young enough to send again (see `--replay-window`). */
  withinWindow: boolean;
  /** The state holds the URN with an object made after this create started (or this create has no token). */
  stale: boolean;
  /** The inputs adopt an existing object: the create makes nothing. */
  adopting: boolean;
  /** An IPAM allocation of an explicit CIDR. */
  byCidr: boolean;
  /** EIP / allocation: the read-only candidates. */
  candidates: readonly Candidate[];
  /** Association: the binding asked for, if the EIP has it, and the state resource holding it, if any. */
  binding?: { id: string; status: string; heldBy?: string };
  /** The `--adopt` ID that names one of the candidates. */
  adopt?: string;
  /** e.g. `Anycast EIP`, for the texts. */
  noun: string;
  /** e.g. `in cn-hangzhou, named "web"`: where the candidates were looked for. */
  scope: string;
  /** The replay window, for the texts (e.g. `1 h`). */
  windowLabel: string;
  /** The token's age, for the texts (e.g. `3 min`). */
  ageLabel?: string;
}

export interface CreatePlan {
  action: Extract<RecoverAction, "resume" | "adopt" | "clear" | "decide">;
  /** The object it would put into the state, when known before acting. */
  objectId?: string;
  reason: string;
  next: string | null;
}

/** What the user does when recover cannot decide between candidates. */
function adoptOrClear(noun: string): string {
  return (
    `if one of them is the one this resource's create made, put it into the state with \`recover --adopt <id> --yes\` (release the others if nothing uses them); ` +
    `if none is, run \`pulumi refresh --clear-pending-creates\`, then \`pulumi up\` makes a new ${noun}`
  );
}

function planAssociation(f: CreateFacts): CreatePlan {
  const b = f.binding;
  if (b === undefined) return { action: "clear", reason: "the EIP has no such binding: the association was not made (or was detached since); `pulumi up` makes it", next: null };
  if (b.heldBy !== undefined) return { action: "clear", reason: `binding ${b.id} (${b.status}) is already in the state as ${b.heldBy}`, next: null };
  if (f.stale) {
    return {
      action: "decide",
      objectId: b.id,
      reason: `binding ${b.id} (${b.status}) exists, but the state holds this resource with another binding, made by a later run`,
      next: "detach the binding if nothing uses it (UnassociateAnycastEipAddress), then run recover again",
    };
  }
  return { action: "resume", objectId: b.id, reason: `binding ${b.id} exists (${b.status}): the create takes it over and waits until it is BINDED`, next: null };
}

function tokenText(f: CreateFacts): string {
  if (f.tokenIssuedAt === undefined) return "the pending create records no ClientToken (it was written by an earlier version of this package)";
  return `its ClientToken was recorded ${f.ageLabel ?? "?"} ago, past the ${f.windowLabel} replay window: the service may have forgotten it, and sending the create again could make a second ${f.noun}`;
}

/** The plan for one pending create of this package. */
export function planCreate(f: CreateFacts): CreatePlan {
  if (f.kind === "AnycastEipAssociation") return planAssociation(f);
  if (f.adopting) {
    return f.stale
      ? { action: "clear", reason: "it adopts an existing object (nothing was created), and a later run has made the resource again", next: null }
      : { action: "resume", reason: "it adopts an existing object: the create is run again (it creates nothing)", next: null };
  }
  const ids = f.candidates.map((c) => c.id);
  if (f.adopt !== undefined) {
    if (f.stale) return { action: "decide", reason: `--adopt ${f.adopt}: the state already holds this resource, made by a later run`, next: "release the candidates if nothing uses them" };
    return { action: "adopt", objectId: f.adopt, reason: `--adopt ${f.adopt}: it becomes the resource (read, nothing created)`, next: null };
  }
  if (ids.length === 0) {
    return { action: "clear", reason: `no ${f.noun} was made: none ${f.scope} that the state does not hold, created since the create started`, next: null };
  }
  if (f.stale) {
    return {
      action: "decide",
      reason: `a later run made this resource again, so what this create made is an orphan: ${ids.join(", ")}`,
      next: `release ${ids.length === 1 ? "it" : "them"} if nothing uses ${ids.length === 1 ? "it" : "them"} (or adopt into another resource); recover drops the pending create once no candidate is left`,
    };
  }
  if (f.tokenIssuedAt !== undefined && (f.withinWindow || f.byCidr)) {
    const why = f.withinWindow ? `recorded ${f.ageLabel ?? "?"} ago, within the ${f.windowLabel} replay window` : "an explicit CIDR cannot be allocated twice";
    return {
      action: "resume",
      reason: `the create is sent again with its recorded ClientToken (${why}): the service answers with the ${f.noun} the interrupted create made, or makes it if the create never reached it`,
      next: null,
    };
  }
  return { action: "decide", reason: `${ids.length} candidate${ids.length === 1 ? "" : "s"}; ${tokenText(f)}`, next: adoptOrClear(f.noun) };
}

/** `90 s`, `12 min`, `3.5 h`, `2 d`. */
export function durationLabel(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

/** Parses `--replay-window`: `0`, `90s`, `30m`, `2h`, `1d` (a bare number is seconds). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

/** The exit status of a report: 1 when anything failed, 2 when anything needs a decision, else 0. */
export function exitCodeOf(actions: readonly RecoverAction[], orphans = 0): 0 | 1 | 2 {
  if (actions.includes("error")) return 1;
  return actions.includes("decide") || orphans > 0 ? 2 : 0;
}
