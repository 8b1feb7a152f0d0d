/** The human-readable rendering of a preflight report: one row per resource, bindings under each EIP. */
import { PreflightBinding, PreflightReport, PreflightResult } from "./types";

/** `releasable`, `already gone`, `refused: <reason> — <fix>`, `retained: <reason>`, `error: <reason>`. */
export function verdictText(r: Pick<PreflightResult, "verdict" | "reason" | "fix">): string {
  switch (r.verdict) {
    case "releasable":
      return "releasable";
    case "gone":
      return "already gone";
    case "refused":
      return `refused: ${r.reason} — ${r.fix ?? ""}`;
    default:
      return `${r.verdict}: ${r.reason}`;
  }
}

const HANDLING_TEXT: Record<PreflightBinding["handling"], string> = {
  association: "detached first by",
  detachOnDelete: "detached by detachOnDelete",
  leaving: "already being detached",
  blocking: "blocks the release",
};

export function bindingText(b: PreflightBinding, nameOf: (urn: string) => string): string {
  const status = b.status && b.status !== "BINDED" ? `, ${b.status}` : "";
  const handling = b.handling === "association" && b.associationUrn ? `${HANDLING_TEXT.association} AnycastEipAssociation ${nameOf(b.associationUrn)}` : HANDLING_TEXT[b.handling];
  return `bound: ${b.instanceId} (${b.instanceType} in ${b.regionId}${status}) — ${handling}`;
}

function pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - s.length));
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The table `preflight` prints (without --json). */
export function formatReport(report: PreflightReport): string {
  const lines: string[] = [];
  const where = report.stack ? `stack ${report.stack}` : report.source;
  if (report.resources.length === 0) {
    return `Destroy preflight (${where}): no IpamPoolAllocation, AnycastEipAddress or AnycastEipAssociation resources.\n`;
  }
  lines.push(`Destroy preflight (${where}): ${count(report.resources.length, "resource")}`);
  if (report.settings) lines.push(`Settings from ${report.settings.label}.`);
  lines.push("");
  const names = new Map(report.resources.map((r) => [r.urn, r.name]));
  const nameOf = (urn: string) => names.get(urn) ?? urn.slice(urn.lastIndexOf("::") + 2);
  const rows = report.resources.map((r) => [r.type, r.name + (r.pendingDelete ? " (pending delete)" : ""), r.id || "-", verdictText(r)]);
  const header = ["TYPE", "NAME", "ID", "VERDICT"];
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? pad(c, widths[i]) : c)).join("  ");
  lines.push(line(header));
  report.resources.forEach((r, i) => {
    lines.push(line(rows[i]));
    // A binding's note (why this stack's association does not help) is already part of the refusal's reason.
    for (const b of r.bindings ?? []) lines.push(`    ${bindingText(b, nameOf)}`);
  });
  const s = report.summary;
  const parts = [
    `${s.releasable} releasable`,
    `${s.gone} already gone`,
    `${s.refused} refused`,
    ...(s.retained > 0 ? [`${s.retained} retained`] : []),
    ...(s.error > 0 ? [`${s.error} not checked (error)`] : []),
  ];
  lines.push("", `Summary: ${parts.join(", ")}.`);
  if (report.exitCode === 0) lines.push("`pulumi destroy` would release every resource above.");
  else if (report.exitCode === 2) lines.push(`\`pulumi destroy\` would fail on ${count(s.refused, "resource")}: apply the fixes above first.`);
  else lines.push(`Some resources could not be checked; fix the errors above and run the preflight again.`);
  return `${lines.join("\n")}\n`;
}
