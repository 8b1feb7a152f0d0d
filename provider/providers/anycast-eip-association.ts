/**
 * The AnycastEipAssociation provider object, as this module's whole export. When the package is installed under
 * node_modules, Pulumi's serializer then stores `require("pulumi-alicloud-release/dist/provider/providers/anycast-eip-association")`
 * as the resource's provider (a few hundred bytes) instead of the object's code. This path is part of
 * the state contract: later versions must keep it.
 */
import { providerShim } from "../shim";

export = providerShim("AnycastEipAssociation");
