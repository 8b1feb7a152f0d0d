import { OWNER_TAG_KEY, ownerTagFailures, ownerTagValue, stackOwnerPrefix, tagsWithOwner } from "../../provider/anycast/ownership";
import { MAX_TAGS } from "../../provider/anycast/validate";

test("the owner value is project/stack/name; past 128 characters the name is cut and a hash of the whole added", () => {
  expect(ownerTagValue({ project: "net", stack: "prod", name: "edge" })).toBe("net/prod/edge");
  const long = ownerTagValue({ project: "net", stack: "prod", name: "x".repeat(200) });
  expect(long).toHaveLength(128);
  expect(long.startsWith(stackOwnerPrefix("net", "prod"))).toBe(true);
  expect(long).toMatch(/~[0-9a-f]{12}$/);
  expect(ownerTagValue({ project: "net", stack: "prod", name: `${"x".repeat(199)}y` })).not.toBe(long);
});

test("allocation tags: the declared ones plus the owner tag, unless the resource is unknown or the EIP's tag quota is declared in full", () => {
  const identity = { project: "net", stack: "prod", name: "edge" };
  expect(tagsWithOwner({ env: "prod" }, identity)).toEqual({ env: "prod", [OWNER_TAG_KEY]: "net/prod/edge" });
  expect(tagsWithOwner({ env: "prod" }, undefined)).toEqual({ env: "prod" });
  const full = Object.fromEntries(Array.from({ length: MAX_TAGS }, (_, i) => [`k${i}`, "v"]));
  expect(tagsWithOwner(full, identity)).toEqual(full);
});

test("a program may not declare the owner tag's key", () => {
  expect(ownerTagFailures({ tags: { env: "x" } })).toEqual([]);
  expect(ownerTagFailures({ tags: { [OWNER_TAG_KEY]: "a/b/c" } })).toEqual([
    { property: `tags["${OWNER_TAG_KEY}"]`, reason: `the tag key ${OWNER_TAG_KEY} is reserved: this package sets it on the EIPs it allocates; use another key` },
  ]);
});
