/**
 * Eipanycast seeding (`POST /_emulator/seed` → `{eipanycast: {eips: [...]}}`): the spec's types and
 * its validation into model records. Pure: the model assigns ids, addresses and order ids.
 */
import { ApiError } from "../core/types";
import {
  BANDWIDTH_MAX,
  BANDWIDTH_MIN,
  DEFAULT_BANDWIDTH,
  DEFAULT_RESOURCE_GROUP_ID,
  EIP_STATUSES,
  type AssociationMode,
  type BindInstanceType,
  type Binding,
  type BindingStatus,
  type BusinessStatus,
  type Eip,
  type EipStatus,
  type Pending,
  type Tag,
} from "./model";
import { POP_LOCATIONS } from "./regions";

export interface EipanycastSeedBinding {
  bindInstanceId: string;
  bindInstanceRegionId: string;
  bindInstanceType: BindInstanceType;
  /** Default `BINDED`. `BINDING`/`UNBINDING`/`MODIFYING` need the matching EIP status (see below). */
  status?: BindingStatus;
  /** Default: `Default` for the first binding, `Normal` for the others. */
  associationMode?: AssociationMode;
  privateIpAddress?: string;
  /** Default: every pop location for a `Default` binding, none for `Normal`. */
  popLocations?: string[];
}

export interface EipanycastSeedEip {
  anycastId?: string;
  name?: string;
  description?: string;
  bandwidth?: number;
  serviceManaged?: boolean;
  businessStatus?: BusinessStatus;
  /**
   * Default `Associated` when bindings are given, else `Allocated`. A transitional status starts its
   * transition at the seed's `now` with the configured duration:
   * `Allocating`/`Releasing` need no bindings; `Associating` needs exactly one `BINDING` binding,
   * `Unassociating` exactly one `UNBINDING` binding; `Modifying` (spec change) needs all bindings
   * `BINDED`; `Associated` may have one `MODIFYING` binding (a pending pop-location update).
   */
  status?: EipStatus;
  resourceGroupId?: string;
  tags?: Tag[];
  bindings?: EipanycastSeedBinding[];
}

export interface EipanycastSeedSpec {
  eips: EipanycastSeedEip[];
}

export interface EipanycastSeedResult {
  anycastIds: string[];
}

export const seedError = (msg: string): ApiError => new ApiError("InvalidParameter.Seed", `Invalid Eipanycast seed: ${msg}`, 400);

/** A validated seed EIP (id, address, order id and seq still to assign) and its pending transition. */
export interface PreparedSeedEip {
  eip: Eip;
  pending?: Omit<Pending, "dueAt">;
}

function checkEipFields(e: EipanycastSeedEip, at: string, exists: (anycastId: string) => boolean): void {
  if (e.anycastId !== undefined) {
    if (typeof e.anycastId !== "string" || !/^aeip-[a-z0-9]+$/.test(e.anycastId)) {
      throw seedError(`${at}.anycastId must look like aeip-<lowercase alnum>`);
    }
    if (exists(e.anycastId)) throw seedError(`${at}.anycastId ${e.anycastId} already exists`);
  }
  if (e.name !== undefined && typeof e.name !== "string") throw seedError(`${at}.name must be a string`);
  if (e.description !== undefined && typeof e.description !== "string") {
    throw seedError(`${at}.description must be a string`);
  }
  const bandwidth = e.bandwidth ?? DEFAULT_BANDWIDTH;
  if (!Number.isInteger(bandwidth) || bandwidth < BANDWIDTH_MIN || bandwidth > BANDWIDTH_MAX) {
    throw seedError(`${at}.bandwidth must be an integer ${BANDWIDTH_MIN}-${BANDWIDTH_MAX}`);
  }
  const businessStatus = e.businessStatus ?? "Normal";
  if (!["Normal", "FinancialLocked", "RiskExpired"].includes(businessStatus)) {
    throw seedError(`${at}.businessStatus must be Normal, FinancialLocked or RiskExpired`);
  }
  if (e.bindings !== undefined && !Array.isArray(e.bindings)) throw seedError(`${at}.bindings must be an array`);
  if (e.tags !== undefined && !Array.isArray(e.tags)) throw seedError(`${at}.tags must be an array`);
}

function seedBinding(rb: EipanycastSeedBinding, bat: string, j: number, earlier: readonly Binding[], now: number): Binding {
  if (!rb || typeof rb !== "object") throw seedError(`${bat} must be an object`);
  if (typeof rb.bindInstanceId !== "string" || rb.bindInstanceId === "") {
    throw seedError(`${bat}.bindInstanceId is required`);
  }
  if (typeof rb.bindInstanceRegionId !== "string" || rb.bindInstanceRegionId === "") {
    throw seedError(`${bat}.bindInstanceRegionId is required`);
  }
  if (rb.bindInstanceType !== "SlbInstance" && rb.bindInstanceType !== "NetworkInterface") {
    throw seedError(`${bat}.bindInstanceType must be SlbInstance or NetworkInterface`);
  }
  if (earlier.some((b) => b.bindInstanceId === rb.bindInstanceId)) {
    throw seedError(`${bat}.bindInstanceId ${rb.bindInstanceId} is bound twice`);
  }
  const status = rb.status ?? "BINDED";
  if (!["BINDING", "BINDED", "UNBINDING", "MODIFYING"].includes(status)) {
    throw seedError(`${bat}.status must be BINDED, BINDING, UNBINDING or MODIFYING`);
  }
  const mode = rb.associationMode ?? (j === 0 ? "Default" : "Normal");
  if (mode !== "Default" && mode !== "Normal") throw seedError(`${bat}.associationMode must be Default or Normal`);
  if (mode === "Default" && earlier.some((b) => b.associationMode === "Default")) {
    throw seedError(`${bat}: only one Default association per EIP`);
  }
  if (rb.privateIpAddress !== undefined && rb.bindInstanceType !== "NetworkInterface") {
    throw seedError(`${bat}.privateIpAddress is only for NetworkInterface`);
  }
  if (rb.popLocations !== undefined && !Array.isArray(rb.popLocations)) {
    throw seedError(`${bat}.popLocations must be an array`);
  }
  const defaultPops = mode === "Default" ? POP_LOCATIONS.map((p) => p.regionId) : [];
  return {
    bindInstanceId: rb.bindInstanceId,
    bindInstanceRegionId: rb.bindInstanceRegionId,
    bindInstanceType: rb.bindInstanceType,
    status,
    associationMode: mode,
    privateIpAddress: rb.privateIpAddress,
    popLocations: rb.popLocations ? [...rb.popLocations] : defaultPops,
    bindTime: now,
  };
}

/** The transition a seeded status starts, after checking that the bindings fit that status. */
function seedPending(status: EipStatus, bindings: readonly Binding[], at: string): Omit<Pending, "dueAt"> | undefined {
  const inState = (s: BindingStatus) => bindings.filter((b) => b.status === s);
  switch (status) {
    case "Allocated":
    case "Allocating":
    case "Releasing":
      if (bindings.length > 0) throw seedError(`${at}: status ${status} cannot have bindings`);
      return status !== "Allocated" ? { transition: status } : undefined;
    case "Associated": {
      if (bindings.length === 0) throw seedError(`${at}: status Associated needs bindings`);
      const modifying = inState("MODIFYING");
      if (modifying.length + inState("BINDED").length !== bindings.length || modifying.length > 1) {
        throw seedError(`${at}: an Associated EIP has BINDED bindings and at most one MODIFYING`);
      }
      return modifying.length === 1 ? { transition: "Modifying", bindInstanceId: modifying[0].bindInstanceId } : undefined;
    }
    case "Associating":
    case "Unassociating": {
      const want: BindingStatus = status === "Associating" ? "BINDING" : "UNBINDING";
      const moving = inState(want);
      if (moving.length !== 1 || inState("BINDED").length !== bindings.length - 1) {
        throw seedError(`${at}: status ${status} needs exactly one ${want} binding, the others BINDED`);
      }
      return { transition: status, bindInstanceId: moving[0].bindInstanceId };
    }
    case "Modifying":
      if (!bindings.every((b) => b.status === "BINDED")) throw seedError(`${at}: status Modifying needs every binding BINDED`);
      return { transition: "Modifying", returnTo: bindings.length > 0 ? "Associated" : "Allocated" };
    default:
      return undefined;
  }
}

/** Validates `eips[index]` of a seed spec into a record; `exists` tells whether an id is taken. */
export function prepareSeedEip(raw: unknown, index: number, now: number, exists: (anycastId: string) => boolean): PreparedSeedEip {
  const at = `eips[${index}]`;
  if (!raw || typeof raw !== "object") throw seedError(`${at} must be an object`);
  const e = raw as EipanycastSeedEip;
  checkEipFields(e, at, exists);
  const bindings: Binding[] = [];
  for (const [j, rb] of (e.bindings ?? []).entries()) bindings.push(seedBinding(rb, `${at}.bindings[${j}]`, j, bindings, now));

  const status: EipStatus = e.status ?? (bindings.length > 0 ? "Associated" : "Allocated");
  if (!EIP_STATUSES.includes(status)) throw seedError(`${at}.status must be one of ${EIP_STATUSES.join(", ")}`);
  const pending = seedPending(status, bindings, at);
  const eip: Eip = {
    anycastId: e.anycastId ?? "",
    seq: 0,
    ipAddress: "",
    name: e.name ?? "",
    description: e.description ?? "",
    status,
    businessStatus: e.businessStatus ?? "Normal",
    bandwidth: e.bandwidth ?? DEFAULT_BANDWIDTH,
    serviceLocation: "international",
    instanceChargeType: "PostPaid",
    internetChargeType: "PayByTraffic",
    resourceGroupId: e.resourceGroupId ?? DEFAULT_RESOURCE_GROUP_ID,
    serviceManaged: e.serviceManaged === true,
    orderId: "",
    createTime: now,
    tags: (e.tags ?? []).map((t) => ({ key: String(t.key), value: String(t.value ?? "") })),
    bindings,
  };
  return pending ? { eip, pending } : { eip };
}
