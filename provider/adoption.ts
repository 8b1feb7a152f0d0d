/**
 * What a resource that adopts existing cloud objects (`adoptAllocationId`, `adoptAnycastId`) needs so that
 * one object is never managed by both sides of a change: the in-process record of adoptions, and the
 * preview-time refusal of a replacement that would adopt the object it replaces.
 */
import { randomUUID } from "node:crypto";
import { stateDeleteCommandLabel } from "./identity";
import { ReleaseRefusedError } from "./lifecycle";

/**
 * The IDs of one resource kind adopted by a create in this provider process. All resources of one
 * `pulumi up` go through one provider process, so when a create adopts an object (a renamed resource
 * adopting what the old one held), the delete of the *other* resource in the same run finds the ID here
 * and leaves the object to the new resource instead of releasing it. The adopting resource's own outputs
 * carry `mark` (`adoptedInRun`), so its own delete still releases. Deliberately per-process (one per kind,
 * held by the lifecycle module): a later `pulumi destroy` is a new process and releases as usual.
 */
export interface AdoptionRecord {
  /** This process's mark, stored as `adoptedInRun` in the adopter's outputs. */
  readonly mark: string;
  /** Notes an adoption of `id` by a create of this process. */
  adopted(id: string): void;
  /** Whether `id` was adopted in this process by another resource than the one whose `adoptedInRun` this is. */
  heldByAnother(id: string, adoptedInRun: string | undefined): boolean;
}

export function adoptionRecord(): AdoptionRecord {
  const ids = new Set<string>();
  const mark = randomUUID();
  return {
    mark,
    adopted: (id) => void ids.add(id),
    heldByAnother: (id, adoptedInRun) => ids.has(id) && adoptedInRun !== mark,
  };
}

/**
 * A replacement creates before it deletes. If the new resource adopts the very object this one holds
 * (`adoptId` names `heldId`), the create takes it over and the delete then releases it: `diff` refuses at
 * preview instead, saying what works. `label` names the object; `noun` is how the text calls it,
 * `adoptProperty` the argument that adopts it, `cannotChange` the sentence that says what cannot change,
 * `urn` the resource's URN when known (for the exact `pulumi state delete` command).
 */
export function refuseReplacingAdopted(
  replaces: readonly string[],
  heldId: string,
  adoptId: unknown,
  words: { label: string; noun: string; adoptProperty: string; cannotChange: (what: string) => string; urn?: string },
): void {
  if (replaces.length === 0 || adoptId !== heldId) return;
  const what = replaces.join(", ");
  throw new ReleaseRefusedError(
    words.label,
    `changing ${what} replaces the resource, and the replacement would adopt this same ${words.noun} (${words.adoptProperty}) and then release it`,
    `${words.cannotChange(what)}: put ${what} back as it was; or, to manage it with the new settings, ` +
      `remove it from the program (its delete releases it) or from the state without releasing it (${stateDeleteCommandLabel({ urn: words.urn, id: heldId })}), then adopt it again`,
  );
}

/**
 * What `up` says when it adopts an object that `pulumi destroy` would refuse to release as it is now (a VPC
 * allocation, a bound or service-managed EIP): the adoption succeeds, but the user learns now, with the
 * same reason and fix the delete and the preflight command give, not at destroy time. Undefined otherwise.
 */
export function adoptionWarningLabel(label: string, verdict: { kind: string; reason?: string; fix?: string }): string | undefined {
  if (verdict.kind !== "refused") return undefined;
  return `warning: adopted ${label}, but \`pulumi destroy\` would refuse to release it: ${verdict.reason}. ${verdict.fix}`;
}
