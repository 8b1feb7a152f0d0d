/**
 * Runs `recover` over a parsed stack export: for every pending operation of this package, gathers the
 * facts (read-only: the state, the recorded create token, the cloud), decides (plan.ts), and with
 * `apply` carries the decisions out — sending an interrupted create again with its recorded ClientToken
 * (through the resource's own create, so its remaining steps run too), or reading an adopted candidate.
 * The recovered resources are returned for the caller to write into the state.
 */
import { ContextOverrides, CloudContext, createContext, stderrProgress } from "../cloud/context";
import { CloudError } from "../cloud/errors";
import { systemClock } from "../cloud/retry";
import { SettingsSource } from "../cloud/settings";
import type { PreflightSettings, StateResource } from "../preflight/types";
import { CREATE_TOKEN_PROPERTY, parseCreateToken } from "../create-token";
import { IDENTITY_PROPERTY, parseIdentity } from "../identity";
import { PartialCreateError } from "../lifecycle";
import { kindOfTypeToken, REGISTRY, ResourceKind } from "../registry";
import { pendingStateResource, Recovered, stateResourceOf } from "./export";
import { CLOCK_SKEW_MS, listCreateCandidates, describePendingBinding } from "./find";
import { listOrphans } from "./orphans";
import { CreateFacts, durationLabel, exitCodeOf, planCreate } from "./plan";
import { PendingOperation, Props, RecoverInputError, RecoverReport, RecoverResult, RecoverSummary, StackExport } from "./types";

/** The default `--replay-window`: how old a create token may be for recover to send the create again. */
export const DEFAULT_REPLAY_WINDOW_MS = 60 * 60 * 1000;

export interface RecoverOptions {
  /**
   * Settings as the provider reads them — one source for every resource, or each resource's own (its
   * provider's config stored in the state: provider/preflight/settings.ts). Resources given the same
   * source share one context, as they share a provider process.
   */
  settings: SettingsSource | ((res: StateResource) => SettingsSource);
  /** Where the settings came from, for the report. */
  settingsFrom?: PreflightSettings;
  stack?: string | null;
  /** Where the export came from, for the report. */
  source: string;
  /** `--yes`: carry the actions out (otherwise only read, and report the plan). */
  apply: boolean;
  /** `--adopt ID`: candidates to put into the state. */
  adopt?: readonly string[];
  replayWindowMs?: number;
  /** `--list-orphans`. */
  listOrphans?: boolean;
  /** Epoch ms now, for the tokens' age (default: the context's clock). */
  now?: () => number;
  progress?: (line: string) => void;
  /** For tests: transport, clock, policies. */
  context?: ContextOverrides;
}

export interface RecoverRun {
  report: RecoverReport;
  /** The creates settled by putting an object into the state (empty in a plan). */
  recovered: Recovered[];
  /** Whether the state should be written: creates were settled and nothing needs a decision. */
  write: boolean;
}

const NOUNS: Record<ResourceKind, string> = { IpamPoolAllocation: "IPAM pool allocation", AnycastEipAddress: "Anycast EIP", AnycastEipAssociation: "association" };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One pending operation on its way through recover. */
interface Item {
  op: PendingOperation;
  /** The context its provider would have: from the settings of the provider it ran with. */
  ctx: CloudContext;
  result: RecoverResult;
  facts?: CreateFacts;
}

/** Changes a result in place, type-checked. */
function patch(result: RecoverResult, changes: Partial<RecoverResult>): void {
  Object.assign(result, changes);
}

function baseResult(op: PendingOperation): RecoverResult {
  return { operation: op.type, urn: op.urn, name: op.name, type: op.kind ?? null, id: op.id ?? "", action: "none", done: false, objectId: null, candidates: [], token: null, reason: "", next: null };
}

/** IDs of this package's objects the state holds (live or waiting for their delete), by resource. */
function heldIds(exp: StackExport): Map<string, string> {
  const held = new Map<string, string>();
  for (const r of exp.resources) if (r.id !== undefined && kindOfTypeToken(r.type) !== undefined) held.set(r.id, r.urn);
  return held;
}

/** Facts and plan of one pending create (read-only). */
async function inspectPendingCreate(ctx: CloudContext, exp: StackExport, item: Item, options: RecoverOptions, now: number): Promise<void> {
  const { op, result } = item;
  const kind = op.kind!;
  const token = parseCreateToken(op.inputs[CREATE_TOKEN_PROPERTY]);
  const windowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const ageMs = token === undefined ? undefined : now - token.issuedAt;
  const withinWindow = ageMs !== undefined && ageMs <= windowMs;
  if (token !== undefined) result.token = { token: token.token, issuedAt: new Date(token.issuedAt).toISOString(), ageSeconds: Math.round(ageMs! / 1000), withinWindow };
  const live = exp.resources.find((r) => r.urn === op.urn && !r.pendingDelete && r.id !== undefined);
  const liveToken = parseCreateToken(live?.inputs[CREATE_TOKEN_PROPERTY]);
  const stale = live !== undefined && (token === undefined || (liveToken !== undefined && liveToken.issuedAt > token.issuedAt));
  const held = heldIds(exp);
  const facts: CreateFacts = {
    kind,
    tokenIssuedAt: token?.issuedAt,
    withinWindow,
    stale,
    adopting: typeof op.inputs.adoptAnycastId === "string" || typeof op.inputs.adoptAllocationId === "string",
    byCidr: kind === "IpamPoolAllocation" && typeof op.inputs.cidr === "string" && op.inputs.cidr !== "",
    candidates: [],
    noun: NOUNS[kind],
    scope: scopeLabel(op),
    windowLabel: durationLabel(windowMs),
    ageLabel: ageMs === undefined ? undefined : durationLabel(ageMs),
  };
  if (kind === "AnycastEipAssociation") {
    const { id, binding } = await describePendingBinding(ctx, op);
    if (binding !== undefined) facts.binding = { id, status: binding.status, heldBy: held.get(id) };
  } else if (!facts.adopting) {
    const cutoffMs = token === undefined ? undefined : token.issuedAt - CLOCK_SKEW_MS;
    facts.candidates = await listCreateCandidates(ctx, op, { held: new Set(held.keys()), cutoffMs, identity: parseIdentity(op.inputs[IDENTITY_PROPERTY]) });
    result.candidates = [...facts.candidates];
  }
  item.facts = facts;
}

/** `in cn-hangzhou, named "web"` — where candidates of a pending create are looked for. */
function scopeLabel(op: PendingOperation): string {
  const i = op.inputs;
  const where = op.kind === "IpamPoolAllocation" ? `in IPAM pool ${String(i.ipamPoolId)}` : `in ${typeof i.regionId === "string" ? i.regionId : "the provider region"}`;
  const block = typeof i.cidr === "string" ? `, of ${i.cidr}` : typeof i.cidrMask === "number" ? `, of a /${i.cidrMask}` : "";
  const named = typeof i.name === "string" && i.name !== "" ? `, named ${JSON.stringify(i.name)}` : "";
  return `${where}${block}${named}`;
}

/** A pending delete: the delete's own read-only checks say whether running it again is enough. */
async function inspectPendingDelete(ctx: CloudContext, exp: StackExport, item: Item): Promise<void> {
  const { op, result } = item;
  const resources = exp.resources.map(stateResourceOf);
  const target = pendingStateResource(op);
  const finding = await REGISTRY[op.kind!].loadPreflightCheck()(ctx, target, resources);
  const rerun = (reason: string): void => patch(result, { action: "rerun", reason });
  if (finding.verdict === "gone") rerun(`${finding.reason}: running the command again drops it from the state; no release is sent`);
  else if (finding.verdict === "releasable") rerun(`${finding.reason}: running the command again releases it (its delete reads first, so nothing is released twice)`);
  else if (finding.verdict === "retained") rerun(finding.reason);
  else if (finding.verdict === "refused") patch(result, { action: "decide", reason: `running the command again would be refused: ${finding.reason}`, next: finding.fix });
  else patch(result, { action: "error", reason: finding.reason });
}

/** A pending update: the object must still exist for `pulumi up` to apply the change again. */
async function inspectPendingUpdate(ctx: CloudContext, exp: StackExport, item: Item): Promise<void> {
  const { op, result } = item;
  // The engine records an update's new state, which carries no ID: the state's live resource of the URN does.
  const stored = exp.resources.find((r) => r.urn === op.urn && !r.pendingDelete && r.id !== undefined && (op.id === undefined || r.id === op.id));
  if (stored === undefined) {
    patch(result, { action: "rerun", reason: "the state holds no object for it: running the command again settles it" });
    return;
  }
  const id = stored.id!;
  patch(result, { id });
  const read = await REGISTRY[op.kind!].loadLifecycle().read(ctx, id, stored.outputs);
  if (read.props === undefined) {
    patch(result, {
      action: "decide",
      reason: `${NOUNS[op.kind!]} ${id} no longer exists, so \`pulumi up\` cannot apply the change again`,
      next: "`pulumi refresh` drops it from the state; `pulumi up` then makes a new one",
    });
    return;
  }
  patch(result, { action: "rerun", reason: `${NOUNS[op.kind!]} ${id} exists: \`pulumi up\` applies the change again (each in-place change reads the object first, so none is applied twice)` });
}

/** Fills one item's plan, read-only. */
async function inspectPending(ctx: CloudContext, exp: StackExport, item: Item, options: RecoverOptions, now: number): Promise<void> {
  const { op, result } = item;
  if (op.kind === undefined) {
    if (op.type === "creating") {
      patch(result, {
        action: "decide",
        reason: "a pending create of a resource of another provider: writing the recovered state would drop it",
        next: "settle it first (`pulumi refresh` asks what to do with it; or `pulumi refresh --clear-pending-creates`), then run recover again",
      });
    } else patch(result, { action: "none", reason: "not this package's resource: running the command again settles it" });
    return;
  }
  try {
    if (op.type === "creating") {
      await inspectPendingCreate(ctx, exp, item, options, now);
      const plan = planCreate({ ...item.facts!, adopt: undefined });
      patch(result, { action: plan.action, objectId: plan.objectId ?? null, reason: plan.reason, next: plan.next });
    } else if (op.type === "deleting") await inspectPendingDelete(ctx, exp, item);
    else if (op.type === "updating") await inspectPendingUpdate(ctx, exp, item);
    else patch(result, { action: "rerun", reason: `interrupted while ${op.type}: running the command again settles it` });
  } catch (err) {
    patch(result, { action: "error", reason: errorText(err) });
  }
}

/** `--adopt ID`s: each must be a candidate of exactly one pending create; the plans that take one are redone. */
function applyAdoptions(items: readonly Item[], adopt: readonly string[]): void {
  for (const id of adopt) {
    const owners = items.filter((i) => i.facts?.candidates.some((c) => c.id === id));
    if (owners.length !== 1) {
      const all = items.flatMap((i) => i.facts?.candidates.map((c) => `${c.id} (${i.op.name})`) ?? []);
      throw new RecoverInputError(
        `--adopt ${id}: ${owners.length === 0 ? "not a candidate of any pending create" : "a candidate of more than one pending create"}; ` +
          (all.length === 0 ? "there are no candidates" : `the candidates are ${all.join(", ")}`),
      );
    }
    const item = owners[0];
    if (item.facts!.adopt !== undefined) throw new RecoverInputError(`--adopt ${id}: ${item.op.name} is already given --adopt ${item.facts!.adopt}`);
    item.facts!.adopt = id;
    const plan = planCreate(item.facts!);
    patch(item.result, { action: plan.action, objectId: plan.objectId ?? null, reason: plan.reason, next: plan.next });
  }
}

/** Carries out a `resume` or `adopt`: returns what goes into the state, or settles the item otherwise. */
async function carryOut(ctx: CloudContext, exp: StackExport, item: Item): Promise<Recovered | undefined> {
  const { op, result } = item;
  const lifecycle = REGISTRY[op.kind!].loadLifecycle();
  if (result.action === "adopt") {
    const read = await lifecycle.read(ctx, result.objectId!, op.inputs);
    if (read.props === undefined) throw new Error(`--adopt ${result.objectId}: it no longer exists`);
    return settled(item, { op, id: read.id ?? result.objectId!, outputs: read.props as Props }, `put ${result.objectId} into the state (adopted; nothing created)`);
  }
  let created: { id: string; outs: Props };
  try {
    const r = await lifecycle.create(ctx, op.inputs);
    created = { id: r.id, outs: (r.outs ?? {}) as Props };
  } catch (err) {
    if (err instanceof PartialCreateError) {
      return settled(item, { op, id: err.id, outputs: err.properties }, `put ${err.id} into the state; its create did not finish (${err.message}): \`pulumi up\` finishes it`);
    }
    if (item.facts?.byCidr && err instanceof CloudError && /CidrConflict/.test(err.code)) return cidrHeldElsewhere(item, err);
    throw err;
  }
  const holder = heldIds(exp).get(created.id);
  if (holder !== undefined) {
    patch(result, { action: "clear", done: true, objectId: created.id, reason: `the service answered with ${created.id}, which the state already holds as ${holder}: nothing to add` });
    return undefined;
  }
  const found = op.kind === "AnycastEipAssociation" || item.facts?.adopting || result.candidates.some((c) => c.id === created.id);
  const how = found
    ? `found ${created.id}: the interrupted create made it`
    : `made ${created.id}: the interrupted create had not reached the service (the candidates are not this resource's)`;
  return settled(item, { op, id: created.id, outputs: created.outs }, `${how}; put it into the state`);
}

function settled(item: Item, recovered: Recovered, reason: string): Recovered {
  patch(item.result, { done: true, objectId: recovered.id, reason });
  return recovered;
}

/** An explicit CIDR the create was refused: within the window the token would have answered, so it is not ours. */
function cidrHeldElsewhere(item: Item, err: CloudError): undefined {
  if (item.facts!.withinWindow) {
    patch(item.result, {
      action: "clear",
      done: true,
      reason: `the block is held by another allocation (${err.cloudMessage}), which this create did not make: its ClientToken would have been answered with it`,
      next: "`pulumi up` will fail the same way until the block is free",
    });
    return undefined;
  }
  patch(item.result, { action: "decide", reason: `the block is held by another allocation (${err.cloudMessage}); the token is too old to tell whether this create made it`, next: "`recover --adopt <id> --yes` if it is this resource's" });
  return undefined;
}

/** The report's summary. */
function summarize(results: readonly RecoverResult[]): RecoverSummary {
  const s: RecoverSummary = { pending: results.length, resume: 0, adopt: 0, clear: 0, rerun: 0, decide: 0, none: 0, error: 0 };
  for (const r of results) s[r.action]++;
  return s;
}

/**
 * The context of a resource: one per settings source (its provider's stored config, or the one source),
 * as one provider process serves all the resources of a provider. Invalid settings the context itself
 * needs (e.g. the retry base delay) fail the run here, before any call, as they would fail every call.
 */
function contextsOf(options: RecoverOptions): (res: StateResource) => CloudContext {
  const settingsFor = typeof options.settings === "function" ? options.settings : () => options.settings as SettingsSource;
  const contexts = new Map<SettingsSource, CloudContext>();
  return (res) => {
    const source = settingsFor(res);
    let ctx = contexts.get(source);
    if (ctx === undefined) {
      ctx = createContext(source, { progress: options.progress ?? stderrProgress, ...options.context });
      contexts.set(source, ctx);
    }
    return ctx;
  };
}

/** The contexts `--list-orphans` lists with: those of this package's resources and pending operations (else of every resource). */
function orphanContexts(exp: StackExport, items: readonly Item[], contextOf: (res: StateResource) => CloudContext): CloudContext[] {
  const ours = [...exp.resources.filter((r) => kindOfTypeToken(r.type) !== undefined).map((r) => contextOf(stateResourceOf(r))), ...items.filter((i) => i.op.kind !== undefined).map((i) => i.ctx)];
  return [...new Set(ours.length > 0 ? ours : exp.resources.map((r) => contextOf(stateResourceOf(r))))];
}

/** Runs recover over `exp` (see the module comment). Throws RecoverInputError for a bad `--adopt` (nothing done). */
export async function runRecover(exp: StackExport, options: RecoverOptions): Promise<RecoverRun> {
  const contextOf = contextsOf(options);
  const now = (options.now ?? (options.context?.clock ?? systemClock).now)();
  const items: Item[] = exp.pending.map((op) => ({ op, result: baseResult(op), ctx: contextOf(pendingStateResource(op)) }));
  for (const item of items) await inspectPending(item.ctx, exp, item, options, now);
  applyAdoptions(items, options.adopt ?? []);
  const recovered: Recovered[] = [];
  if (options.apply) {
    for (const item of items) {
      const { action } = item.result;
      try {
        if (action === "resume" || action === "adopt") {
          const r = await carryOut(item.ctx, exp, item);
          if (r !== undefined) recovered.push(r);
        } else if (action === "clear") item.result.done = true;
      } catch (err) {
        patch(item.result, { action: "error", reason: `${item.result.reason}; carrying it out failed: ${errorText(err)}` });
      }
    }
  }
  // Two creates of one URN (a run killed again before recover ran): the newest one stays, the older one is
  // marked for deletion when the state is written, so `pulumi up` releases it.
  recovered.sort((a, b) => (parseCreateToken(a.op.inputs[CREATE_TOKEN_PROPERTY])?.issuedAt ?? 0) - (parseCreateToken(b.op.inputs[CREATE_TOKEN_PROPERTY])?.issuedAt ?? 0));
  const results = items.map((i) => i.result);
  const orphans = options.listOrphans ? await listOrphans(orphanContexts(exp, items, contextOf), exp, results) : undefined;
  const exitCode = exitCodeOf(results.map((r) => r.action), orphans?.length ?? 0);
  const settledCreates = results.some((r) => r.operation === "creating" && r.done);
  const write = options.apply && settledCreates && !results.some((r) => r.action === "decide" || r.action === "error");
  const report: RecoverReport = {
    version: 1,
    stack: options.stack ?? exp.stack ?? null,
    source: options.source,
    ...(options.settingsFrom !== undefined ? { settings: options.settingsFrom } : {}),
    applied: options.apply,
    written: false,
    exitCode,
    summary: summarize(results),
    operations: results,
    ...(orphans !== undefined ? { orphans } : {}),
    next: [],
  };
  return { report, recovered, write };
}

