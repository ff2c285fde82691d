import { describe, expect, test } from "vitest";
import type { PolicyAssignment } from "@azure/arm-policy";
import baseline from "../../src/data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restricted from "../../src/data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };
import { changedFields } from "../../src/policy/assignment-compare.js";
import { applyEdit, operationPresent, withEffectOverrides } from "../../src/policy/edit.js";
import { parseParameterValue, spellEffect, splitAssignmentArgument } from "../../src/policy/parameter-values.js";
import type { SetDefinition } from "../../src/policy/definitions.js";
import { UsageError } from "../../src/cli/errors.js";

const asDefinition = (json: any): SetDefinition => ({ ...json.properties, id: json.id, name: json.name }) as SetDefinition;
const baselineSet = asDefinition(baseline);
const restrictedSet = asDefinition(restricted);

const assignment = (extra: Partial<PolicyAssignment> = {}): PolicyAssignment => ({
  id: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/pss",
  name: "pss",
  scope: "/subscriptions/s",
  policyDefinitionId: baseline.id,
  definitionVersion: "1.*.*",
  displayName: "PSS",
  parameters: { effect: { value: "Deny" } },
  metadata: { assignedBy: "team", createdBy: "x", createdOn: "t", updatedBy: null, updatedOn: null },
  systemData: { lastModifiedBy: "someone" },
  ...extra,
});

describe("applyEdit: namespaces", () => {
  test("the first edit of an unset excludedNamespaces starts from the assigned version's default and warns", () => {
    const plan = applyEdit(assignment(), baselineSet, { addNamespaces: ["monitoring"] });
    expect(plan.changed).toBe(true);
    expect(plan.method).toBe("PUT");
    expect(plan.before.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]);
    expect(plan.after.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "monitoring"]);
    expect(plan.warnings.join("\n")).toMatch(/no longer follows/);
    expect(plan.body.parameters?.effect).toEqual({ value: "Deny" });
  });

  test("the default comes from the definition given (Azure's), not a compiled copy", () => {
    const custom = structuredClone(baselineSet);
    custom.parameters!.excludedNamespaces!.defaultValue = ["kube-system", "only-in-azure"];
    expect(applyEdit(assignment(), custom, { addNamespaces: ["x"] }).after.excludedNamespaces).toEqual(["kube-system", "only-in-azure", "x"]);
  });

  test("adding a namespace already excluded changes nothing", () => {
    const plan = applyEdit(assignment({ parameters: { excludedNamespaces: { value: ["kube-system", "monitoring"] } } }), baselineSet, { addNamespaces: ["monitoring"] });
    expect(plan.changed).toBe(false);
    expect(plan.method).toBe("none");
  });

  test("removing a default namespace is refused without force, allowed with it", () => {
    const current = assignment({ parameters: { excludedNamespaces: { value: ["kube-system", "azure-extensions-usage-system", "monitoring"] } } });
    expect(() => applyEdit(current, baselineSet, { removeNamespaces: ["kube-system"] })).toThrow(UsageError);
    expect(() => applyEdit(current, baselineSet, { removeNamespaces: ["azure-extensions-usage-system"] })).toThrow(/subject to the initiative/);
    expect(applyEdit(current, baselineSet, { removeNamespaces: ["azure-extensions-usage-system"], force: true }).after.excludedNamespaces).toEqual(["kube-system", "monitoring"]);
    expect(applyEdit(current, baselineSet, { removeNamespaces: ["monitoring"] }).after.excludedNamespaces).toEqual(["kube-system", "azure-extensions-usage-system"]);
  });

  test("metadata maintained by ARM is not sent back; the user's metadata is", () => {
    const plan = applyEdit(assignment(), baselineSet, { addNamespaces: ["monitoring"] });
    expect(plan.body.metadata).toEqual({ assignedBy: "team" });
    expect(plan.body).not.toHaveProperty("systemData");
    expect(plan.body).not.toHaveProperty("scope");
  });
});

describe("parameter values by declared type", () => {
  test("arrays from JSON or comma lists, objects from JSON", () => {
    expect(parseParameterValue(restrictedSet, "allowedCapabilities", "CHOWN, KILL").value).toEqual(["CHOWN", "KILL"]);
    expect(parseParameterValue(restrictedSet, "allowedCapabilities", '["A"]').value).toEqual(["A"]);
    expect(parseParameterValue(restrictedSet, "allowedCapabilities", "").value).toEqual([]);
    expect(parseParameterValue(baselineSet, "allowedHostPaths", '{"paths":[]}').value).toEqual({ paths: [] });
    expect(parseParameterValue(baselineSet, "allowedhostpaths", "x", '{"paths":[{"pathPrefix":"/var","readOnly":true}]}')).toMatchObject({ name: "allowedHostPaths" });
  });
  test("wrong types, unknown names and values outside allowedValues are usage errors", () => {
    expect(() => parseParameterValue(baselineSet, "allowedHostPaths", "[1]")).toThrow(/declared as Object/);
    expect(() => parseParameterValue(baselineSet, "allowedHostPaths", "{nope")).toThrow(/not valid JSON/);
    expect(() => parseParameterValue(baselineSet, "nosuch", "1")).toThrow(/declares no parameter 'nosuch'/);
    expect(() => parseParameterValue(baselineSet, "effect", "block")).toThrow(/does not allow/);
  });
  test("allowedValues compare case-sensitively: 'Deny' and 'deny' are allowed, 'DENY' and 'Deney' are refused", () => {
    expect(parseParameterValue(baselineSet, "effect", "Deny").value).toBe("Deny");
    expect(parseParameterValue(baselineSet, "effect", "deny").value).toBe("deny");
    expect(() => parseParameterValue(baselineSet, "effect", "DENY")).toThrow(/does not allow "DENY"/);
    expect(() => parseParameterValue(baselineSet, "effect", "Deney")).toThrow(/Did you mean 'Deny'\?/);
  });
  test("name=value splitting keeps '=' in the value", () => {
    expect(splitAssignmentArgument("a=b=c")).toEqual({ name: "a", raw: "b=c" });
    expect(() => splitAssignmentArgument("novalue")).toThrow(UsageError);
  });
});

describe("effects", () => {
  test("the effect is spelled as allowedValues spell it, in the current or default style", () => {
    expect(spellEffect(baselineSet, "deny")).toBe("Deny");
    expect(spellEffect(baselineSet, "deny", "audit")).toBe("deny");
    const lowerOnly = structuredClone(baselineSet);
    lowerOnly.parameters!.effect!.allowedValues = ["audit", "deny", "disabled"];
    lowerOnly.parameters!.effect!.defaultValue = "audit";
    expect(spellEffect(lowerOnly, "deny")).toBe("deny");
  });
  test("--effect without policies sets the effect parameter with a PUT", () => {
    const plan = applyEdit(assignment(), baselineSet, { effect: { value: "audit" } });
    expect(plan.after.effect).toBe("Audit");
    expect(plan.method).toBe("PUT");
  });
  test("--effect with policies writes a policyEffect override by PATCH, and is idempotent", () => {
    const start = assignment();
    const plan = applyEdit(start, baselineSet, { effect: { value: "audit", policies: ["blockusinghostnetwork"] } });
    expect(plan.method).toBe("PATCH");
    expect(plan.body.overrides).toEqual([{ kind: "policyEffect", value: "Audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork"] }] }]);
    expect(operationPresent({ ...start, overrides: plan.body.overrides }, baselineSet, { effect: { value: "audit", policies: ["BlockUsingHostNetwork"] } })).toBe(true);
    expect(() => applyEdit(start, baselineSet, { effect: { value: "audit", policies: ["Nope"] } })).toThrow(/no policy with reference id 'Nope'/);
  });
  test("moving a policy between override values keeps the others", () => {
    const overrides = withEffectOverrides([{ kind: "policyEffect", value: "Audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["A", "B"] }] }], ["B"], "Disabled");
    expect(overrides).toEqual([
      { kind: "policyEffect", value: "Audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["A"] }] },
      { kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["B"] }] },
    ]);
  });
  test("enforcement mode", () => {
    const plan = applyEdit(assignment(), baselineSet, { enforcementMode: "DoNotEnforce" });
    expect(plan).toMatchObject({ changed: true, method: "PUT", before: { enforcementMode: "Default" }, after: { enforcementMode: "DoNotEnforce" } });
  });
  test("unset returns to the default; a parameter without default cannot be unset", () => {
    const plan = applyEdit(assignment(), baselineSet, { unset: ["effect"] });
    expect(plan.after.effect).toBe("Audit");
    expect(plan.body.parameters).toEqual({});
    const noDefault = structuredClone(baselineSet);
    delete noDefault.parameters!.effect!.defaultValue;
    expect(() => applyEdit(assignment(), noDefault, { unset: ["effect"] })).toThrow(/no default/);
  });
});

describe("comparing two reads", () => {
  test("ARM-maintained metadata and systemData are ignored; other fields and parameters are named", () => {
    const a = assignment();
    const b = assignment({ metadata: { assignedBy: "team", updatedBy: "y", updatedOn: "u" }, systemData: { lastModifiedBy: "other" } });
    expect(changedFields(a, b)).toEqual([]);
    const c = assignment({ description: "new", parameters: { effect: { value: "Audit" }, namespaces: { value: ["x"] } } });
    expect(changedFields(a, c).sort()).toEqual(["description", "parameters.effect", "parameters.namespaces"]);
    expect(changedFields(a, c, ["effect", "namespaces"])).toEqual(["description"]);
  });
});
