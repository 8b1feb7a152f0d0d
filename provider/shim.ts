/**
 * The provider object handed to `pulumi.dynamic.Resource`. Pulumi serializes it into every resource's
 * state (`__provider`), and that stored text is what runs on destroy and refresh. So it is kept tiny and
 * holds nothing but the resource kind: each method requires the installed package at call time (the
 * serializer emits the `require` as is, since the package lives in node_modules) and hands over. The
 * implementation, credentials and SDK objects therefore never enter state, and destroy runs whatever
 * version of this package is installed — which is why delete accepts state written by earlier versions.
 */
import type * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "IpamPoolAllocation" | "AnycastEipAddress" | "AnycastEipAssociation";

export function providerShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "configure", this, [req]);
    },
    async check(olds, news) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "check", this, [olds, news]);
    },
    async diff(id, olds, news) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "diff", this, [id, olds, news]);
    },
    async create(inputs) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "create", this, [inputs]);
    },
    async read(id, props) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "read", this, [id, props]);
    },
    async update(id, olds, news) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "update", this, [id, olds, news]);
    },
    async delete(id, props) {
      return require("pulumi-alicloud-release/runtime").dispatch(kind, "delete", this, [id, props]);
    },
  };
}
