/**
 * Detaching one binding of an Anycast EIP: the one routine behind an AnycastEipAssociation's delete and an
 * AnycastEipAddress's `detachOnDelete`.
 */
import { Operation } from "../operation";
import { AnycastEipRecord, BindingKey, bindingLabel, findBinding, unassociateAnycastEip, waitForEip } from "./api";
import { transitionOf } from "./checks";
import { AnycastEipBinding } from "./types";

export interface DetachOutcome {
  /** `gone`: there turned out to be nothing to detach (the EIP or the binding went away meanwhile). */
  outcome: "detached" | "gone";
  /** The EIP as last described (undefined when not described again, or when it is gone). */
  record: AnycastEipRecord | undefined;
}

/**
 * Detaches `binding` (as listed on `record`) and waits until the EIP no longer lists it. A transition in
 * progress is waited out first (the EIP refuses a second change meanwhile); a binding already UNBINDING is
 * only waited for. The UnassociateAnycastEipAddress call carries one ClientToken for all its attempts;
 * for an ENI it names the private IP (`privateIpAddress`, else the one the binding reports).
 */
export async function detachBinding(
  op: Operation,
  record: AnycastEipRecord,
  key: BindingKey,
  binding: AnycastEipBinding,
  options: { announce: string; privateIpAddress?: string },
): Promise<DetachOutcome> {
  let current: AnycastEipBinding | undefined = binding;
  if (current.status !== "UNBINDING" && transitionOf(record) !== undefined) {
    const ready = await waitForEip(op, `waiting for Anycast EIP ${key.anycastId} to settle before detaching`, key.anycastId, (r) => {
      const b = findBinding(r, key);
      if (r === undefined || b === undefined || b.status === "UNBINDING") return { done: true };
      const state = transitionOf(r);
      return state === undefined ? { done: true } : { done: false, state };
    }, "describe");
    current = findBinding(ready, key);
    if (ready === undefined || current === undefined) return { outcome: "gone", record: ready };
  }
  if (current.status !== "UNBINDING") {
    op.ctx.progress(options.announce);
    const privateIpAddress = key.bindInstanceType === "NetworkInterface" ? options.privateIpAddress || current.privateIpAddress || undefined : undefined;
    const accepted = await unassociateAnycastEip(op, { ...key, privateIpAddress }, op.ctx.newClientToken());
    if (!accepted) return { outcome: "gone", record: undefined };
  }
  const after = await waitForEip(op, `waiting for ${bindingLabel(key)} to be detached`, key.anycastId, (r) => {
    const b = findBinding(r, key);
    return { done: b === undefined, state: b?.status };
  }, "describe");
  return { outcome: "detached", record: after };
}
