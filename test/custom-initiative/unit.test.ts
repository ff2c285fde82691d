// Issue 17: the pure parts of akspol's custom initiative: names within ARM's limits, where the set
// may live, the set built from the real baseline and restricted built-ins, the parameters carried over.
import { describe, expect, test } from "vitest";
import baselineSet from "../../src/data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restrictedSet from "../../src/data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };
import { akspolSourceOf, assignmentNameLimit, buildPerPolicySet, convertedParameters, definitionScopeFor, derivedName } from "../../src/policy/custom-initiative.js";

const sub = "/subscriptions/11111111-1111-4111-8111-111111111111";
const mg = "/providers/Microsoft.Management/managementGroups/contoso";

describe("names", () => {
  test.each([
    ["pss-baseline", "-pp", 64, "pss-baseline-pp"],
    ["a".repeat(30), "-pp", 24, undefined],
  ])("derivedName(%s, %s, %i)", (base, suffix, max, expected) => {
    const name = derivedName(base, suffix, max);
    expect(name.length).toBeLessThanOrEqual(max);
    expect(name.endsWith(suffix)).toBe(true);
    if (expected) expect(name).toBe(expected);
    else expect(name).toMatch(/-[0-9a-f]{8}-pp$/);
    expect(derivedName(base, suffix, max)).toBe(name);
  });

  test("assignment names are limited to 24 characters at a management group, 64 elsewhere", () => {
    expect(assignmentNameLimit(`${mg}`)).toBe(24);
    expect(assignmentNameLimit(`${sub}/resourceGroups/rg`)).toBe(64);
  });
});

describe("where the custom set lives", () => {
  test.each([
    [`${sub}/resourceGroups/rg-aks-prod`, undefined, sub],
    [`${sub}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks`, undefined, sub],
    [sub, undefined, sub],
    [mg, undefined, mg],
    [`${sub}/resourceGroups/rg`, mg, mg],
  ])("assignment at %s, --definition-scope %s: %s", (scope, requested, expected) => {
    expect(definitionScopeFor(scope, requested)).toBe(expected);
  });

  test("a resource group, or a subscription that does not contain the assignment, is refused", () => {
    expect(() => definitionScopeFor(sub, `${sub}/resourceGroups/rg`)).toThrow(/not a management group or subscription/);
    expect(() => definitionScopeFor(sub, "/subscriptions/22222222-2222-4222-8222-222222222222")).toThrow(/does not contain/);
  });
});

describe("the set built from the real built-ins", () => {
  test.each([
    ["baseline", baselineSet],
    ["restricted", restrictedSet],
  ])("%s: same members, versions and defaults; one excluded-namespaces parameter per member", (_name, builtIn) => {
    const source = { id: `/providers/Microsoft.Authorization/policySetDefinitions/${builtIn.name}`, version: builtIn.properties.version };
    const set = buildPerPolicySet(builtIn as never, source);
    expect(set.version).toBe(builtIn.properties.version);
    expect(akspolSourceOf({ properties: set })).toEqual(source);
    expect(set.parameters?.excludedNamespaces).toBeUndefined();
    const shared = builtIn.properties.parameters as Record<string, { defaultValue?: unknown }>;
    for (const [name, declaration] of Object.entries(shared)) {
      if (name === "excludedNamespaces") continue;
      expect(set.parameters?.[name], name).toEqual(declaration);
    }
    for (const [index, reference] of builtIn.properties.policyDefinitions.entries()) {
      const copy = set.policyDefinitions?.[index];
      expect(copy?.policyDefinitionId).toBe(reference.policyDefinitionId);
      expect(copy?.definitionVersion).toBe(reference.definitionVersion);
      expect(copy?.policyDefinitionReferenceId).toBe(reference.policyDefinitionReferenceId);
      const own = `${reference.policyDefinitionReferenceId}-excludedNamespaces`;
      expect(copy?.parameters?.excludedNamespaces?.value).toBe(`[parameters('${own}')]`);
      expect(set.parameters?.[own]?.defaultValue).toEqual(shared.excludedNamespaces?.defaultValue);
      for (const [parameter, value] of Object.entries(reference.parameters)) {
        if (parameter !== "excludedNamespaces") expect(copy?.parameters?.[parameter], parameter).toEqual(value);
      }
    }
  });

  test("the assignment's shared excludedNamespaces goes to every member's own parameter; the rest is kept", () => {
    const set = buildPerPolicySet(baselineSet as never, { id: "/providers/Microsoft.Authorization/policySetDefinitions/x", version: "1.4.0" });
    const parameters = convertedParameters({ effect: { value: "Deny" }, excludedNamespaces: { value: ["kube-system", "monitoring"] } }, set);
    expect(parameters.effect).toEqual({ value: "Deny" });
    expect(parameters.excludedNamespaces).toBeUndefined();
    for (const reference of baselineSet.properties.policyDefinitions) {
      expect(parameters[`${reference.policyDefinitionReferenceId}-excludedNamespaces`]).toEqual({ value: ["kube-system", "monitoring"] });
    }
    expect(Object.keys(convertedParameters({ effect: { value: "Deny" } }, set))).toEqual(["effect"]);
  });
});
