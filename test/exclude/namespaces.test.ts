import { describe, expect, test } from "vitest";
import { checkNamespace, parseNamespaces, protectionOf, removalRefusal, validateNamespaceInput } from "../../src/policy/namespaces.js";

const defaults = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"];

describe("namespace validation (RFC 1123 label, Gatekeeper wildcards)", () => {
  test.each([
    ["monitoring", true],
    ["a", true],
    ["team-1", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["-leading", false],
    ["trailing-", false],
    ["under_score", false],
    ["dot.ted", false],
    ["Upper", false],
    ["", false],
    ["team-*", true],
    ["*-system", true],
    ["*", false],
    ["a*b", false],
    ["*a*", false],
  ])("%s valid=%s", (name, valid) => {
    expect(checkNamespace(name).ok).toBe(valid);
  });

  test("a wildcard is accepted with a warning that says what it matches", () => {
    const check = checkNamespace("team-*");
    expect(check).toMatchObject({ ok: true, name: "team-*" });
    expect(check.ok && check.warning).toMatch(/starts with 'team-'/);
  });

  test("upper case is refused with the lower-case spelling suggested", () => {
    const check = checkNamespace("Monitoring");
    expect(check.ok).toBe(false);
    expect(!check.ok && check.error).toMatch(/'monitoring'/);
  });

  test("lists split on spaces and commas, and duplicates are ignored", () => {
    expect(parseNamespaces(["a, b", "b c", "a"]).names).toEqual(["a", "b", "c"]);
  });

  test("interactive validation reports the first bad name", () => {
    expect(validateNamespaceInput("ok bad_name")).toMatch(/bad_name/);
    expect(validateNamespaceInput("  ")).toMatch(/at least one/);
    expect(validateNamespaceInput("monitoring")).toBe(true);
  });
});

describe("protected namespaces = the assigned version's default list", () => {
  test("the add-on namespaces and the other defaults are told apart", () => {
    expect(protectionOf("kube-system", defaults)).toBe("add-on");
    expect(protectionOf("azure-extensions-usage-system", defaults)).toBe("default");
    expect(protectionOf("monitoring", defaults)).toBeUndefined();
  });
  test("a namespace outside the default list is not protected, even kube-system", () => {
    expect(protectionOf("kube-system", ["monitoring"])).toBeUndefined();
    expect(removalRefusal("kube-system", [])).toBeUndefined();
  });
  test("the refusal says why", () => {
    expect(removalRefusal("gatekeeper-system", defaults)).toMatch(/excludes it anyway/);
    expect(removalRefusal("azure-extensions-usage-system", defaults)).toMatch(/subject to the initiative/);
  });
});
