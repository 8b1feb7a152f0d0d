/** The text form of a recover report (`recover` without `--json`). */
import { RecoverAction, RecoverReport, RecoverResult } from "./types";

const ACTION_LABELS: Record<RecoverAction, { plan: string; done: string }> = {
  resume: { plan: "will send the create again", done: "sent the create again" },
  adopt: { plan: "will adopt", done: "adopted" },
  clear: { plan: "will drop the pending create", done: "dropped the pending create" },
  rerun: { plan: "running the command again is enough", done: "running the command again is enough" },
  decide: { plan: "needs a decision", done: "needs a decision" },
  none: { plan: "not this package's", done: "not this package's" },
  error: { plan: "error", done: "error" },
};

function operationLines(r: RecoverResult): string[] {
  const lines = [`${r.operation.padEnd(9)} ${r.type ?? "(other provider)"} ${JSON.stringify(r.name)}${r.id ? ` ${r.id}` : ""}`, `  urn:        ${r.urn}`];
  if (r.token !== null) {
    const window = r.token.withinWindow ? "within the replay window" : "past the replay window";
    lines.push(`  token:      ${r.token.token} (recorded ${r.token.ageSeconds} s ago, ${window})`);
  }
  for (const [i, c] of r.candidates.entries()) lines.push(`  ${i === 0 ? "candidates:" : "           "} ${c.label}${c.owner ? ` [owner ${c.owner}]` : ""}`);
  const label = ACTION_LABELS[r.action][r.done ? "done" : "plan"];
  lines.push(`  → ${label}${r.objectId ? ` (${r.objectId})` : ""}: ${r.reason}`);
  if (r.next) lines.push(`  next:       ${r.next}`);
  return lines;
}

/** The report as a user reads it; `command` is how to run recover again for this stack (for the hints). */
export function formatRecoverReport(report: RecoverReport): string {
  const out: string[] = [];
  const n = report.operations.length;
  out.push(`recover: stack ${report.stack ?? "(unknown)"} (${report.source}): ${n === 0 ? "no pending operations" : `${n} pending operation${n === 1 ? "" : "s"}`}`);
  if (report.settings) out.push(`Settings from ${report.settings.label}.`);
  for (const r of report.operations) out.push("", ...operationLines(r));
  if (report.orphans !== undefined) {
    out.push("", report.orphans.length === 0 ? "orphans: none (no object of this stack outside its state was found)" : `orphans: ${report.orphans.length}`);
    for (const o of report.orphans) out.push(`  ${o.label} in ${o.region || "?"} — ${o.via}`);
  }
  out.push("");
  for (const line of report.next) out.push(line);
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}
