/**
 * The provider object handed to `pulumi.dynamic.Resource`. Pulumi serializes it into every resource's
 * state (`__provider`), and that stored text is what runs on destroy and refresh. So it is kept tiny and
 * holds nothing but the resource kind: each method requires the installed package at call time (the
 * serializer emits the `require` as is, since the package lives in node_modules) and hands over. The
 * implementation, credentials and SDK objects therefore never enter state, and destroy runs whatever
 * version of this package is installed — which is why delete accepts state written by earlier versions.
 *
 * One shim per kind lives in provider/providers/ as that module's whole export, so that an installed
 * package is stored as a single `require(...)` of that module; where the package is not under
 * node_modules (a workspace link), the serializer captures this object by value instead, and the
 * methods below still load the implementation at call time. The engine's `configure` call leaves the
 * stack config on the object the host loaded for this provider text; nothing else is kept.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { ResourceKind } from "./registry";

export type { ResourceKind };

export function providerShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // One captured helper keeps each method's serialized text to a line; `this` is the provider object the
  // host re-creates from state, where `configure` leaves the stack config for the later calls.
  const run = (method: string, self: unknown, args: unknown[]) => require("pulumi-alicloud-release/runtime").dispatch(kind, method, self, args);
  return {
    configure(...a) {
      return run("configure", this, a);
    },
    check(...a) {
      return run("check", this, a);
    },
    diff(...a) {
      return run("diff", this, a);
    },
    create(...a) {
      return run("create", this, a);
    },
    read(...a) {
      return run("read", this, a);
    },
    update(...a) {
      return run("update", this, a);
    },
    delete(...a) {
      return run("delete", this, a);
    },
  } as pulumi.dynamic.ResourceProvider;
}
