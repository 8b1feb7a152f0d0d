/**
 * `recover --list-orphans`: the objects of this stack that its state does not hold — Anycast EIPs that
 * carry its ownership tag, and the candidates of its pending creates (what an interrupted create may have
 * made). Read-only.
 */
import type { CloudContext } from "../cloud/context";
import { SettingsError } from "../cloud/settings";
import { kindOfTypeToken } from "../registry";
import { eipCandidateLabel, listOwnerTaggedEips } from "./find";
import { OWNER_TAG_KEY } from "../anycast/ownership";
import { Orphan, RecoverResult, StackExport } from "./types";

/** The regions this stack's Anycast EIPs live in (state and pending creates), and the provider's region. */
function eipRegions(ctx: CloudContext, exp: StackExport): string[] {
  const regions = new Set<string>();
  for (const r of exp.resources) if (kindOfTypeToken(r.type) === "AnycastEipAddress" && typeof r.outputs.regionId === "string" && r.outputs.regionId !== "") regions.add(r.outputs.regionId);
  for (const op of exp.pending) if (op.kind === "AnycastEipAddress" && typeof op.inputs.regionId === "string" && op.inputs.regionId !== "") regions.add(op.inputs.regionId);
  try {
    regions.add(ctx.region());
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
  }
  return [...regions].sort();
}

/**
 * The orphans, listed with each of `contexts` (one per provider the stack's resources use: their regions,
 * endpoints and credentials may differ); an object found through several is listed once.
 */
export async function listOrphans(contexts: readonly CloudContext[], exp: StackExport, results: readonly RecoverResult[]): Promise<Orphan[]> {
  const held = new Set(exp.resources.map((r) => r.id).filter((id): id is string => id !== undefined));
  const orphans: Orphan[] = [];
  if (exp.project !== undefined && exp.stack !== undefined) {
    for (const ctx of contexts) {
      for (const { region, record } of await listOwnerTaggedEips(ctx, eipRegions(ctx, exp), exp.project, exp.stack, held)) {
        if (orphans.some((o) => o.id === record.anycastId)) continue;
        orphans.push({ type: "AnycastEipAddress", id: record.anycastId, label: eipCandidateLabel(record), region, via: `ownership tag ${OWNER_TAG_KEY}=${record.tags[OWNER_TAG_KEY]}` });
      }
    }
  }
  for (const r of results) {
    if (r.operation !== "creating" || r.type === null || r.type === "AnycastEipAssociation") continue;
    const op = exp.pending.find((p) => p.urn === r.urn && p.type === "creating");
    const region = typeof op?.inputs.regionId === "string" ? op.inputs.regionId : "";
    for (const c of r.candidates) {
      if (orphans.some((o) => o.id === c.id)) continue;
      orphans.push({ type: r.type, id: c.id, label: c.label, region, via: `candidate of the interrupted create of ${r.urn}` });
    }
  }
  return orphans;
}
