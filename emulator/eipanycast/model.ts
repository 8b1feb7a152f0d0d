/**
 * Eipanycast (2020-03-09) state and rules: Anycast EIPs, their bindings, and the asynchronous status
 * transitions between them. No HTTP here (see handlers.ts) and no timers: every transitional state
 * stores a due time (`now + duration`) and is completed lazily whenever the model is touched with a
 * `now` at or past it (any action, `inventory(now)`, `settle(now)`).
 *
 * State machine (api-facts.md §7.1):
 *   Allocate ──► Allocating ──► Allocated ──Associate──► Associating ──► Associated
 *   Associated ──Unassociate──► Unassociating ──► Associated (bindings remain) | Allocated (none left)
 *   Allocated|Associated ──ModifySpec──► Modifying ──► previous status
 *   Associated ──UpdateAnycastEipAddressAssociations──► (EIP stays Associated) binding MODIFYING ──► BINDED
 *   Allocated ──Release──► Releasing ──► gone (Describe → ResourceNotFound.AnycastInstance)
 *
 * An EIP has at most one pending transition: every mutating action on an EIP with one pending is refused
 * with `IncorrectStatus.Anycast`, so transitions never overlap.
 */
import { randomInt } from "node:crypto";
import { ApiError, TransitionTiming } from "../core/types";
import * as errors from "./errors";
import { POP_LOCATIONS, isPopLocation, isServerRegion } from "./regions";
import { type EipanycastSeedResult, type EipanycastSeedSpec, prepareSeedEip, seedError } from "./seed";

// ---------------------------------------------------------------------------------------------------
// Types

export type EipStatus =
  | "Allocating"
  | "Allocated"
  | "Associating"
  | "Associated"
  | "Unassociating"
  | "Modifying"
  | "Releasing";

export const EIP_STATUSES: readonly EipStatus[] = [
  "Allocating",
  "Allocated",
  "Associating",
  "Associated",
  "Unassociating",
  "Modifying",
  "Releasing",
];

/** `DELETED` is never shown: an unbound binding is removed from the list (ASSUMPTION, like Terraform expects). */
export type BindingStatus = "BINDING" | "BINDED" | "UNBINDING" | "MODIFYING";
export type BindInstanceType = "SlbInstance" | "NetworkInterface";
export type AssociationMode = "Default" | "Normal";
export type BusinessStatus = "Normal" | "FinancialLocked" | "RiskExpired";

/** Names of the asynchronous transitions, usable with `setTiming`. */
export type TransitionName = "Allocating" | "Associating" | "Unassociating" | "Modifying" | "Releasing";
export const TRANSITION_NAMES: readonly TransitionName[] = [
  "Allocating",
  "Associating",
  "Unassociating",
  "Modifying",
  "Releasing",
];

/**
 * Default durations (ms). `Allocating` is 0: the docs say a new EIP is `Allocated` (ASSUMPTION: the
 * state is kept so that clients' wait loops can be exercised by configuring a duration).
 */
export const DEFAULT_TIMING: Readonly<Record<TransitionName, number | null>> = Object.freeze({
  Allocating: 0,
  Associating: 2000,
  Unassociating: 2000,
  Modifying: 1000,
  Releasing: 2000,
});

/** Every transition completes within the call that starts it: for tests that are not about waiting. */
export const INSTANT_TIMING: Readonly<Record<TransitionName, number>> = Object.freeze(
  Object.fromEntries(Object.keys(DEFAULT_TIMING).map((name) => [name, 0])) as Record<TransitionName, number>,
);

export interface Binding {
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: BindInstanceType;
  status: BindingStatus;
  associationMode: AssociationMode;
  /** Only for NetworkInterface; ASSUMPTION: left unset when omitted (no ENI inventory to read a primary IP from). */
  privateIpAddress?: string;
  popLocations: string[];
  /** Epoch ms of the Associate call. */
  bindTime: number;
}

export interface Pending {
  transition: TransitionName;
  /** Epoch ms at which it completes; `null` = held until `settle()`. */
  dueAt: number | null;
  /** Modifying (spec): the status to return to. */
  returnTo?: "Allocated" | "Associated";
  /** Associating / Unassociating / Modifying (pop locations): the binding concerned. */
  bindInstanceId?: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface Eip {
  anycastId: string;
  /** Creation order; used for stable listing and paging. */
  seq: number;
  ipAddress: string;
  name: string;
  description: string;
  status: EipStatus;
  businessStatus: BusinessStatus;
  bandwidth: number;
  serviceLocation: string;
  instanceChargeType: string;
  internetChargeType: string;
  resourceGroupId: string;
  serviceManaged: boolean;
  orderId: string;
  /** Epoch ms. */
  createTime: number;
  tags: Tag[];
  bindings: Binding[];
  pending?: Pending;
}

// ---------------------------------------------------------------------------------------------------
// Fixed catalogue data

/** Account fields of every EIP (the emulator has one account view; ASSUMPTION: values are arbitrary). */
export const ALI_UID = 1234567890123456;
export const BID = "26842";
/** ASSUMPTION: the resource group an EIP gets when Allocate omits ResourceGroupId. */
export const DEFAULT_RESOURCE_GROUP_ID = "rg-acfmemulatordefault";

export const BANDWIDTH_MIN = 200;
export const BANDWIDTH_MAX = 1000;
export const DEFAULT_BANDWIDTH = 1000;

export { SERVER_REGIONS, POP_LOCATIONS, isServerRegion, isPopLocation } from "./regions";

/**
 * Addresses come from the three documentation ranges (RFC 5737), hosts .1–.254: 762 addresses.
 * Live EIPs never share one; a cursor walks the pool so a released address is not handed out again
 * until the pool wraps. ASSUMPTION: running out is `QuotaExceeded.AnycastEipAddress`.
 */
const IP_PREFIXES = ["192.0.2.", "198.51.100.", "203.0.113."];
const IP_POOL_SIZE = IP_PREFIXES.length * 254;
const ipAt = (i: number): string => `${IP_PREFIXES[Math.floor(i / 254)]}${(i % 254) + 1}`;

// ---------------------------------------------------------------------------------------------------
// Process-wide id sources: an AnycastId is never repeated in a process, across model instances,
// resets and restores.

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const issuedAnycastIds = new Set<string>();
let orderCounter = 0;
const ORDER_BASE = 210_000_000_000_000 + randomInt(0, 1_000_000) * 1000;

function newAnycastId(): string {
  for (;;) {
    let s = "aeip-";
    for (let i = 0; i < 20; i++) s += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
    if (!issuedAnycastIds.has(s)) {
      issuedAnycastIds.add(s);
      return s;
    }
  }
}

/** ASSUMPTION: OrderId is a decimal string (pay-as-you-go orders still get one). */
function newOrderId(): string {
  orderCounter += 1;
  return String(ORDER_BASE + orderCounter);
}

// ---------------------------------------------------------------------------------------------------
// Inputs

export interface AllocateInput {
  bandwidth: number;
  serviceLocation: string;
  instanceChargeType: string;
  internetChargeType: string;
  name: string;
  description: string;
  resourceGroupId?: string;
}

export interface FindQuery {
  anycastId?: string;
  ip?: string;
  bindInstanceId?: string;
}

export interface ListFilter {
  anycastId?: string;
  anycastIds?: readonly string[];
  ipAddress?: string;
  bindInstanceIds?: readonly string[];
  businessStatus?: string;
  instanceChargeType?: string;
  internetChargeType?: string;
  name?: string;
  serviceLocation?: string;
  status?: string;
  resourceGroupId?: string;
  tags?: readonly { key: string; value?: string }[];
}

export interface AssociateInput {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: BindInstanceType;
  associationMode?: AssociationMode;
  popLocations: readonly string[];
  privateIpAddress?: string;
  dryRun: boolean;
}

export interface UnassociateInput {
  anycastId: string;
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: BindInstanceType;
  privateIpAddress?: string;
  dryRun: boolean;
}

export interface UpdateAssociationsInput {
  anycastId: string;
  bindInstanceId: string;
  associationMode?: AssociationMode;
  popLocationAdd: readonly string[];
  popLocationDelete: readonly string[];
  dryRun: boolean;
}

export type { EipanycastSeedBinding, EipanycastSeedEip, EipanycastSeedSpec, EipanycastSeedResult } from "./seed";

// ---------------------------------------------------------------------------------------------------
// Snapshot

const SNAPSHOT_FORMAT = "eipanycast-model/1";

interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  seq: number;
  ipCursor: number;
  eips: Eip[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fraction). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}


// ---------------------------------------------------------------------------------------------------
// The model

export class EipanycastModel {
  private eips = new Map<string, Eip>();
  private seq = 0;
  private ipCursor = 0;
  private timing: Record<TransitionName, number | null> = { ...DEFAULT_TIMING };

  reset(): void {
    this.eips.clear();
    this.seq = 0;
    this.ipCursor = 0;
    this.timing = { ...DEFAULT_TIMING };
  }

  // ---- timing ---------------------------------------------------------------------------------------

  getTiming(): TransitionTiming {
    return { ...this.timing };
  }

  /**
   * Merge new durations. Unknown names or values that are not `null` / a finite number ≥ 0 are refused
   * (a typo would otherwise silently keep the default). Transitions already pending keep their due time.
   */
  setTiming(timing: TransitionTiming): void {
    const next = { ...this.timing };
    for (const [name, value] of Object.entries(timing)) {
      if (!(TRANSITION_NAMES as readonly string[]).includes(name)) {
        throw new ApiError(
          "InvalidParameter.Timing",
          `Unknown Eipanycast transition "${name}"; known: ${TRANSITION_NAMES.join(", ")}.`,
          400,
        );
      }
      if (value !== null && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
        throw new ApiError(
          "InvalidParameter.Timing",
          `Duration of "${name}" must be null or a number of milliseconds >= 0.`,
          400,
        );
      }
      next[name as TransitionName] = value;
    }
    this.timing = next;
  }

  // ---- transitions ----------------------------------------------------------------------------------

  /** Complete every pending transition due at `now`; returns how many completed. */
  advance(now: number): number {
    let n = 0;
    for (const eip of [...this.eips.values()]) {
      const p = eip.pending;
      if (p && p.dueAt !== null && p.dueAt <= now) {
        this.complete(eip);
        n += 1;
      }
    }
    return n;
  }

  /** Complete every pending transition, due or held; returns how many completed. */
  settle(now: number): number {
    let n = this.advance(now);
    for (const eip of [...this.eips.values()]) {
      if (eip.pending) {
        this.complete(eip);
        n += 1;
      }
    }
    return n;
  }

  /** Put `eip` into a transition; a 0 duration completes it at once. */
  private begin(eip: Eip, pending: Omit<Pending, "dueAt">, now: number): void {
    const duration = this.timing[pending.transition];
    eip.pending = { ...pending, dueAt: duration === null ? null : now + duration };
    if (duration === 0) this.complete(eip);
  }

  private complete(eip: Eip): void {
    const p = eip.pending;
    if (!p) return;
    eip.pending = undefined;
    const binding = p.bindInstanceId ? eip.bindings.find((b) => b.bindInstanceId === p.bindInstanceId) : undefined;
    switch (p.transition) {
      case "Allocating":
        eip.status = "Allocated";
        break;
      case "Associating":
        if (binding) binding.status = "BINDED";
        eip.status = "Associated";
        break;
      case "Unassociating":
        eip.bindings = eip.bindings.filter((b) => b.bindInstanceId !== p.bindInstanceId);
        eip.status = eip.bindings.length > 0 ? "Associated" : "Allocated";
        break;
      case "Modifying":
        if (binding) {
          binding.status = "BINDED";
        } else {
          eip.status = p.returnTo ?? (eip.bindings.length > 0 ? "Associated" : "Allocated");
        }
        break;
      case "Releasing":
        this.eips.delete(eip.anycastId);
        break;
    }
  }

  // ---- lookups --------------------------------------------------------------------------------------

  private get(anycastId: string): Eip {
    const eip = this.eips.get(anycastId);
    if (!eip) throw errors.resourceNotFoundAnycastInstance();
    return eip;
  }

  /**
   * DescribeAnycastEipAddress lookup: every given criterion must match (ASSUMPTION); when several EIPs
   * match (e.g. by BindInstanceId), the oldest is returned (ASSUMPTION).
   */
  find(q: FindQuery, now: number): Readonly<Eip> {
    this.advance(now);
    for (const eip of this.ordered()) {
      if (q.anycastId !== undefined && eip.anycastId !== q.anycastId) continue;
      if (q.ip !== undefined && eip.ipAddress !== q.ip) continue;
      if (q.bindInstanceId !== undefined && !eip.bindings.some((b) => b.bindInstanceId === q.bindInstanceId)) continue;
      return eip;
    }
    throw errors.resourceNotFoundAnycastInstance();
  }

  /** Every EIP matching `f`, in creation order. */
  list(f: ListFilter, now: number): Readonly<Eip>[] {
    this.advance(now);
    return this.ordered().filter((eip) => {
      if (f.anycastId !== undefined && eip.anycastId !== f.anycastId) return false;
      if (f.anycastIds && f.anycastIds.length > 0 && !f.anycastIds.includes(eip.anycastId)) return false;
      if (f.ipAddress !== undefined && eip.ipAddress !== f.ipAddress) return false;
      if (
        f.bindInstanceIds &&
        f.bindInstanceIds.length > 0 &&
        !eip.bindings.some((b) => f.bindInstanceIds!.includes(b.bindInstanceId))
      )
        return false;
      if (f.businessStatus !== undefined && eip.businessStatus !== f.businessStatus) return false;
      if (f.instanceChargeType !== undefined && eip.instanceChargeType !== f.instanceChargeType) return false;
      if (f.internetChargeType !== undefined && eip.internetChargeType !== f.internetChargeType) return false;
      // ASSUMPTION: Name is an exact match.
      if (f.name !== undefined && eip.name !== f.name) return false;
      if (f.serviceLocation !== undefined && eip.serviceLocation !== f.serviceLocation) return false;
      if (f.status !== undefined && eip.status !== f.status) return false;
      if (f.resourceGroupId !== undefined && eip.resourceGroupId !== f.resourceGroupId) return false;
      if (f.tags) {
        for (const t of f.tags) {
          const hit = eip.tags.some((et) => et.key === t.key && (t.value === undefined || et.value === t.value));
          if (!hit) return false;
        }
      }
      return true;
    });
  }

  private ordered(): Eip[] {
    return [...this.eips.values()].sort((a, b) => a.seq - b.seq);
  }

  // ---- common preconditions ---------------------------------------------------------------------------

  /** Order of checks for every mutating action: exists → service-managed → not transitional. */
  private mutable(anycastId: string, now: number): Eip {
    this.advance(now);
    const eip = this.get(anycastId);
    if (eip.serviceManaged) throw errors.operationUnsupportedServiceManaged();
    if (eip.pending) throw errors.incorrectStatusAnycast();
    return eip;
  }

  /**
   * ASSUMPTION: an EIP locked for business reasons (FinancialLocked, RiskExpired) refuses Release,
   * Associate, ModifySpec and pop-location updates with IncorrectStatus.Anycast; Unassociate and
   * ModifyAttribute still work.
   */
  private requireNormalBusiness(eip: Eip): void {
    if (eip.businessStatus !== "Normal") throw errors.incorrectStatusAnycast();
  }

  private nextIp(): string {
    const used = new Set([...this.eips.values()].map((e) => e.ipAddress));
    for (let k = 0; k < IP_POOL_SIZE; k++) {
      const i = (this.ipCursor + k) % IP_POOL_SIZE;
      const ip = ipAt(i);
      if (!used.has(ip)) {
        this.ipCursor = (i + 1) % IP_POOL_SIZE;
        return ip;
      }
    }
    throw errors.quotaExceededAnycastEipAddress();
  }

  // ---- actions ----------------------------------------------------------------------------------------

  allocate(input: AllocateInput, now: number): { anycastId: string; orderId: string } {
    this.advance(now);
    const ipAddress = this.nextIp();
    const eip: Eip = {
      anycastId: newAnycastId(),
      seq: ++this.seq,
      ipAddress,
      name: input.name,
      description: input.description,
      status: "Allocating",
      businessStatus: "Normal",
      bandwidth: input.bandwidth,
      serviceLocation: input.serviceLocation,
      instanceChargeType: input.instanceChargeType,
      internetChargeType: input.internetChargeType,
      resourceGroupId: input.resourceGroupId ?? DEFAULT_RESOURCE_GROUP_ID,
      serviceManaged: false,
      orderId: newOrderId(),
      createTime: now,
      tags: [],
      bindings: [],
    };
    this.eips.set(eip.anycastId, eip);
    this.begin(eip, { transition: "Allocating" }, now);
    return { anycastId: eip.anycastId, orderId: eip.orderId };
  }

  /** Synchronous (ASSUMPTION: no Modifying state). `undefined` leaves a field unchanged. */
  modifyAttribute(anycastId: string, change: { name?: string; description?: string }, now: number): void {
    const eip = this.mutable(anycastId, now);
    if (change.name !== undefined) eip.name = change.name;
    if (change.description !== undefined) eip.description = change.description;
  }

  /**
   * Status → Modifying → back to Allocated/Associated. ASSUMPTION: the new bandwidth is visible at once
   * (the status, not the value, tells that the change is in flight).
   */
  modifySpec(anycastId: string, bandwidth: number, now: number): void {
    const eip = this.mutable(anycastId, now);
    this.requireNormalBusiness(eip);
    const returnTo = eip.status === "Associated" ? "Associated" : "Allocated";
    eip.bandwidth = bandwidth;
    eip.status = "Modifying";
    this.begin(eip, { transition: "Modifying", returnTo }, now);
  }

  associate(input: AssociateInput, now: number): void {
    const eip = this.mutable(input.anycastId, now);
    this.requireNormalBusiness(eip);
    if (!isServerRegion(input.bindInstanceRegionId)) {
      throw errors.invalidParameter(
        "BindInstanceRegionId",
        "Call DescribeAnycastServerRegions for the regions you can bind instances in.",
      );
    }
    // ASSUMPTION: one EIP binds a given instance once, whatever the region/type given.
    if (eip.bindings.some((b) => b.bindInstanceId === input.bindInstanceId)) {
      throw errors.operationConflictBindInstanceExists();
    }
    // The first binding (more precisely: while the EIP has no Default binding and no binding at all)
    // must be Default; later ones are Normal. Omitted mode → Default when there is no binding, else Normal.
    const first = eip.bindings.length === 0;
    const hasDefault = eip.bindings.some((b) => b.associationMode === "Default");
    const mode: AssociationMode = input.associationMode ?? (first ? "Default" : "Normal");
    if (first && mode !== "Default") {
      throw errors.invalidParameter("AssociationMode", "The first association of an Anycast EIP must use Default.");
    }
    if (mode === "Default" && hasDefault) {
      throw errors.invalidParameter("AssociationMode", "The Anycast EIP already has a Default association.");
    }
    // PopLocations are ignored for the Default binding: all access points are used. For Normal bindings
    // they must be known access points (ASSUMPTION: an empty list is accepted).
    let popLocations: string[];
    if (mode === "Default") {
      popLocations = POP_LOCATIONS.map((p) => p.regionId);
    } else {
      for (const pop of input.popLocations) {
        if (!isPopLocation(pop)) {
          throw errors.invalidParameter("PopLocation", "Call DescribeAnycastPopLocations for the valid access points.");
        }
      }
      popLocations = [...new Set(input.popLocations)];
    }
    if (input.dryRun) throw errors.dryRunOperation();

    eip.bindings.push({
      bindInstanceId: input.bindInstanceId,
      bindInstanceRegionId: input.bindInstanceRegionId,
      bindInstanceType: input.bindInstanceType,
      status: "BINDING",
      associationMode: mode,
      privateIpAddress: input.privateIpAddress,
      popLocations,
      bindTime: now,
    });
    eip.status = "Associating";
    this.begin(eip, { transition: "Associating", bindInstanceId: input.bindInstanceId }, now);
  }

  unassociate(input: UnassociateInput, now: number): void {
    const eip = this.mutable(input.anycastId, now);
    // ASSUMPTION: the binding is identified by all of id, region and type (Terraform's attachment id);
    // a PrivateIpAddress, when given, must be the bound one.
    const binding = eip.bindings.find(
      (b) =>
        b.bindInstanceId === input.bindInstanceId &&
        b.bindInstanceRegionId === input.bindInstanceRegionId &&
        b.bindInstanceType === input.bindInstanceType,
    );
    if (!binding) throw errors.resourceNotFoundBindInstance();
    if (input.privateIpAddress !== undefined && binding.privateIpAddress !== undefined) {
      if (binding.privateIpAddress !== input.privateIpAddress) throw errors.resourceNotFoundBindInstance();
    }
    if (input.dryRun) throw errors.dryRunOperation();

    binding.status = "UNBINDING";
    eip.status = "Unassociating";
    this.begin(eip, { transition: "Unassociating", bindInstanceId: binding.bindInstanceId }, now);
  }

  /**
   * Pop-location changes of one binding: binding MODIFYING → BINDED after the `Modifying` duration.
   * ASSUMPTIONS: the EIP status stays Associated meanwhile (but the EIP counts as busy); AssociationMode,
   * when given, must be the binding's mode (it cannot be switched); adding a present access point or
   * deleting an absent one is a no-op; the changes are visible at once.
   */
  updateAssociations(input: UpdateAssociationsInput, now: number): void {
    const eip = this.mutable(input.anycastId, now);
    this.requireNormalBusiness(eip);
    const binding = eip.bindings.find((b) => b.bindInstanceId === input.bindInstanceId);
    if (!binding) throw errors.resourceNotFoundBindInstance();
    if (input.associationMode !== undefined && input.associationMode !== binding.associationMode) {
      throw errors.invalidParameter("AssociationMode", "The association mode of a binding cannot be changed.");
    }
    for (const pop of [...input.popLocationAdd, ...input.popLocationDelete]) {
      if (!isPopLocation(pop)) {
        throw errors.invalidParameter("PopLocation", "Call DescribeAnycastPopLocations for the valid access points.");
      }
    }
    if (input.dryRun) throw errors.dryRunOperation();

    const pops = new Set(binding.popLocations);
    for (const pop of input.popLocationAdd) pops.add(pop);
    for (const pop of input.popLocationDelete) pops.delete(pop);
    binding.popLocations = [...pops];
    binding.status = "MODIFYING";
    this.begin(eip, { transition: "Modifying", bindInstanceId: binding.bindInstanceId }, now);
  }

  /**
   * ReleaseAnycastEipAddress (the seed page): unknown → ResourceNotFound.AnycastInstance; service-managed →
   * OperationUnsupported.ServiceManaged; any binding (BINDED, BINDING, UNBINDING, MODIFYING) or a
   * transitional status → IncorrectStatus.Anycast ("make sure that the instance is not associated");
   * FinancialLocked/RiskExpired → IncorrectStatus.Anycast (ASSUMPTION).
   * Effect: Releasing, then gone after the `Releasing` duration.
   */
  release(anycastId: string, now: number): void {
    const eip = this.mutable(anycastId, now);
    if (eip.bindings.length > 0 || eip.status !== "Allocated") throw errors.incorrectStatusAnycast();
    this.requireNormalBusiness(eip);
    eip.status = "Releasing";
    this.begin(eip, { transition: "Releasing" }, now);
  }

  // ---- control plane ----------------------------------------------------------------------------------

  seed(spec: unknown, now: number): EipanycastSeedResult {
    this.advance(now);
    const s = spec as Partial<EipanycastSeedSpec> | null;
    if (!s || typeof s !== "object" || !Array.isArray(s.eips)) throw seedError("expected { eips: [...] }");
    // Validate everything before changing anything.
    const prepared = s.eips.map((e, i) => prepareSeedEip(e, i, now, (id) => this.eips.has(id)));
    const seen = new Set<string>();
    for (const p of prepared) {
      if (p.eip.anycastId === "") continue;
      if (seen.has(p.eip.anycastId)) throw seedError(`duplicate anycastId ${p.eip.anycastId}`);
      seen.add(p.eip.anycastId);
    }
    const ids: string[] = [];
    for (const { eip, pending } of prepared) {
      if (!eip.anycastId) eip.anycastId = newAnycastId();
      issuedAnycastIds.add(eip.anycastId);
      eip.seq = ++this.seq;
      eip.ipAddress = this.nextIp();
      eip.orderId = newOrderId();
      this.eips.set(eip.anycastId, eip);
      if (pending) this.begin(eip, pending, now);
      ids.push(eip.anycastId);
    }
    return { anycastIds: ids };
  }

  /** Every EIP not yet gone (Releasing ones included), as plain JSON, after applying due transitions. */
  inventory(now: number): { eips: Record<string, unknown>[] } {
    this.advance(now);
    return {
      eips: this.ordered().map((e) => ({
        anycastId: e.anycastId,
        ipAddress: e.ipAddress,
        name: e.name,
        description: e.description,
        status: e.status,
        businessStatus: e.businessStatus,
        bandwidth: e.bandwidth,
        serviceLocation: e.serviceLocation,
        instanceChargeType: e.instanceChargeType,
        internetChargeType: e.internetChargeType,
        resourceGroupId: e.resourceGroupId,
        serviceManaged: e.serviceManaged,
        orderId: e.orderId,
        createTime: formatTime(e.createTime),
        tags: clone(e.tags),
        bindings: e.bindings.map((b) => ({
          bindInstanceId: b.bindInstanceId,
          bindInstanceRegionId: b.bindInstanceRegionId,
          bindInstanceType: b.bindInstanceType,
          status: b.status,
          associationMode: b.associationMode,
          ...(b.privateIpAddress !== undefined ? { privateIpAddress: b.privateIpAddress } : {}),
          popLocations: [...b.popLocations],
          bindTime: formatTime(b.bindTime),
        })),
        ...(e.pending ? { pending: { transition: e.pending.transition, dueAt: e.pending.dueAt } } : {}),
      })),
    };
  }

  /** Full state (EIPs, pending due times, id/IP cursors) as plain JSON. Timing is configuration, not state. */
  snapshot(): Snapshot {
    return clone({ format: SNAPSHOT_FORMAT, seq: this.seq, ipCursor: this.ipCursor, eips: this.ordered() });
  }

  restore(snapshot: unknown): void {
    const s = snapshot as Partial<Snapshot> | null;
    if (!s || typeof s !== "object" || s.format !== SNAPSHOT_FORMAT || !Array.isArray(s.eips)) {
      throw new ApiError("InvalidParameter.Snapshot", `Not an Eipanycast snapshot (format ${SNAPSHOT_FORMAT}).`, 400);
    }
    if (typeof s.seq !== "number" || typeof s.ipCursor !== "number") {
      throw new ApiError("InvalidParameter.Snapshot", "Eipanycast snapshot lacks seq/ipCursor.", 400);
    }
    const eips = clone(s.eips);
    for (const e of eips) {
      if (!e || typeof e.anycastId !== "string" || !Array.isArray(e.bindings) || !EIP_STATUSES.includes(e.status)) {
        throw new ApiError("InvalidParameter.Snapshot", "Eipanycast snapshot holds a malformed EIP.", 400);
      }
    }
    this.eips = new Map(eips.map((e) => [e.anycastId, e]));
    for (const id of this.eips.keys()) issuedAnycastIds.add(id);
    this.seq = Math.max(s.seq, ...eips.map((e) => e.seq));
    this.ipCursor = ((Math.trunc(s.ipCursor) % IP_POOL_SIZE) + IP_POOL_SIZE) % IP_POOL_SIZE;
  }
}
