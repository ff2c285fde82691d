// The emulator's KQL subset (parser and evaluator) against results computed by hand from a small table.
import { describe, expect, it } from "vitest";
import { evaluate, type Row } from "../../../src/emulator/resource-graph/evaluate.js";
import { KqlError, parseQuery } from "../../../src/emulator/resource-graph/parser.js";

const rows: Row[] = [
  {
    id: "/subscriptions/s1/a1",
    name: "pss-baseline",
    type: "microsoft.authorization/policyassignments",
    subscriptionId: "s1",
    properties: { policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/a8640138", notScopes: [], enforcementMode: "Default", parameters: { effect: { value: "Deny" } } },
  },
  {
    id: "/subscriptions/s1/a2",
    name: "PSS-Restricted",
    type: "microsoft.authorization/policyassignments",
    subscriptionId: "s1",
    properties: {
      policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37",
      notScopes: ["/subscriptions/s1/resourceGroups/rg-a", "/subscriptions/s1/resourceGroups/rg-b"],
      enforcementMode: "DoNotEnforce",
      parameters: {},
    },
  },
  {
    id: "/subscriptions/s2/a3",
    name: "custom-pod",
    type: "microsoft.authorization/policyassignments",
    subscriptionId: "s2",
    properties: {
      policyDefinitionId: "/subscriptions/s2/providers/Microsoft.Authorization/policySetDefinitions/pod-security",
      notScopes: ["/subscriptions/s2/resourceGroups/rg-c"],
      enforcementMode: "Default",
      parameters: null,
    },
  },
  {
    id: "/subscriptions/s2/e1",
    name: "exempt-node-exporter",
    type: "microsoft.authorization/policyexemptions",
    subscriptionId: "s2",
    properties: { exemptionCategory: "Waiver", policyAssignmentId: "/subscriptions/s1/a1" },
  },
];

function run(query: string, input: Row[] = rows): Row[] {
  return evaluate(parseQuery(query), query, input);
}

function failure(query: string): KqlError {
  try {
    run(query);
  } catch (error) {
    if (error instanceof KqlError) return error;
    throw error;
  }
  throw new Error(`expected '${query}' to fail`);
}

describe("KQL subset: where", () => {
  it("== is case-sensitive and =~ is not", () => {
    expect(run("policyresources | where name == 'pss-restricted' | project name")).toEqual([]);
    expect(run("policyresources | where name =~ 'pss-restricted' | project name")).toEqual([{ name: "PSS-Restricted" }]);
    expect(run("policyresources | where name != 'pss-baseline' | count")).toEqual([{ Count: 3 }]);
    expect(run("policyresources | where name !~ 'PSS-BASELINE' | count")).toEqual([{ Count: 3 }]);
  });

  it("in is case-sensitive, in~ is not, !in negates", () => {
    expect(run("policyresources | where name in ('pss-baseline', 'pss-restricted') | project name")).toEqual([{ name: "pss-baseline" }]);
    expect(run("policyresources | where name in~ ('pss-baseline', 'pss-restricted') | project name")).toEqual([{ name: "pss-baseline" }, { name: "PSS-Restricted" }]);
    expect(run("policyresources | where name !in~ ('pss-baseline', 'pss-restricted') | project name")).toEqual([{ name: "custom-pod" }, { name: "exempt-node-exporter" }]);
    expect(run("policyresources | where name in (dynamic(['custom-pod']), 'x') | project name")).toEqual([{ name: "custom-pod" }]);
  });

  it("has matches whole terms, contains substrings, startswith prefixes; all ignore case", () => {
    expect(run("policyresources | where properties.policyDefinitionId has 'policysetdefinitions' | count")).toEqual([{ Count: 3 }]);
    // 'policyset' is inside the term 'policySetDefinitions', so has does not match but contains does.
    expect(run("policyresources | where properties.policyDefinitionId has 'policyset' | count")).toEqual([{ Count: 0 }]);
    expect(run("policyresources | where properties.policyDefinitionId contains 'policyset' | count")).toEqual([{ Count: 3 }]);
    expect(run("policyresources | where properties.policyDefinitionId startswith '/PROVIDERS/' | project name")).toEqual([{ name: "pss-baseline" }, { name: "PSS-Restricted" }]);
    expect(run("policyresources | where name !contains 'pss' | project name")).toEqual([{ name: "custom-pod" }, { name: "exempt-node-exporter" }]);
  });

  it("and binds tighter than or; not() negates; isnotempty and tolower", () => {
    expect(run("policyresources | where subscriptionId == 's2' and name == 'custom-pod' or name == 'pss-baseline' | project name")).toEqual([{ name: "pss-baseline" }, { name: "custom-pod" }]);
    expect(run("policyresources | where not(type == 'microsoft.authorization/policyassignments') | project name")).toEqual([{ name: "exempt-node-exporter" }]);
    expect(run("policyresources | where isnotempty(properties.parameters) | project name")).toEqual([{ name: "pss-baseline" }, { name: "PSS-Restricted" }]);
    expect(run("policyresources | where isnotempty(properties.exemptionCategory) | project name")).toEqual([{ name: "exempt-node-exporter" }]);
    expect(run("policyresources | where tolower(name) == 'pss-restricted' | project n = tolower(name)")).toEqual([{ n: "pss-restricted" }]);
  });
});

describe("KQL subset: tabular operators", () => {
  it("project names paths as KQL does (properties.enforcementMode → properties_enforcementMode) and reads ['x'] and [0]", () => {
    expect(run("policyresources | where name == 'PSS-Restricted' | project name, properties.enforcementMode, first = properties.notScopes[0], effect = properties['parameters'].effect")).toEqual([
      { name: "PSS-Restricted", properties_enforcementMode: "DoNotEnforce", first: "/subscriptions/s1/resourceGroups/rg-a", effect: null },
    ]);
  });

  it("extend adds columns and keeps the others", () => {
    expect(
      run("policyresources | where name == 'pss-baseline' | extend effect = tostring(properties.parameters.effect.value), mode = properties.enforcementMode | project name, effect, mode"),
    ).toEqual([{ name: "pss-baseline", effect: "Deny", mode: "Default" }]);
  });

  it("mv-expand gives one row per array element and drops rows with an empty array", () => {
    expect(run("policyresources | mv-expand notScope = properties.notScopes | project name, notScope")).toEqual([
      { name: "PSS-Restricted", notScope: "/subscriptions/s1/resourceGroups/rg-a" },
      { name: "PSS-Restricted", notScope: "/subscriptions/s1/resourceGroups/rg-b" },
      { name: "custom-pod", notScope: "/subscriptions/s2/resourceGroups/rg-c" },
    ]);
  });

  it("summarize count() by groups in first-seen order; with a name; without by", () => {
    expect(run("policyresources | summarize count() by subscriptionId")).toEqual([
      { subscriptionId: "s1", count_: 2 },
      { subscriptionId: "s2", count_: 2 },
    ]);
    expect(run("policyresources | summarize n = count() by type, subscriptionId")).toEqual([
      { type: "microsoft.authorization/policyassignments", subscriptionId: "s1", n: 2 },
      { type: "microsoft.authorization/policyassignments", subscriptionId: "s2", n: 1 },
      { type: "microsoft.authorization/policyexemptions", subscriptionId: "s2", n: 1 },
    ]);
    expect(run("policyresources | where name == 'nothing' | summarize count()")).toEqual([{ count_: 0 }]);
    expect(run("policyresources | mv-expand s = properties.notScopes | summarize notScopes = count() by name")).toEqual([
      { name: "PSS-Restricted", notScopes: 2 },
      { name: "custom-pod", notScopes: 1 },
    ]);
  });

  it("order by sorts descending by default, asc on request, by several keys", () => {
    expect(run("policyresources | order by name | project name").map((row) => row.name)).toEqual(["pss-baseline", "exempt-node-exporter", "custom-pod", "PSS-Restricted"]);
    expect(run("policyresources | sort by subscriptionId asc, name desc | project name").map((row) => row.name)).toEqual(["pss-baseline", "PSS-Restricted", "exempt-node-exporter", "custom-pod"]);
  });

  it("take and limit keep the first rows; count counts", () => {
    expect(run("policyresources | order by name asc | take 2 | project name")).toEqual([{ name: "PSS-Restricted" }, { name: "custom-pod" }]);
    expect(run("policyresources | limit 1 | count")).toEqual([{ Count: 1 }]);
    expect(run("policyresources | count")).toEqual([{ Count: 4 }]);
  });

  it("string literals: double quotes, escapes, verbatim @'...'", () => {
    expect(run(`policyresources | where name == "pss-baseline" | project x = strcat('a\\'b', @'c\\d')`)).toEqual([{ x: "a'bc\\d" }]);
  });
});

describe("KQL subset: queries outside the subset are refused with their position", () => {
  it("an operator outside the subset", () => {
    const error = failure("policyresources\n| where name == 'x'\n| join kind=inner (resources) on id");
    expect(error.kind).toBe("UnsupportedOperator");
    expect([error.line, error.column, error.token]).toEqual([3, 2, "join"]);
    expect(error.message).toMatch(/'join' is not in the emulator's KQL subset/);
  });

  it("a function outside the subset", () => {
    const error = failure("policyresources | where parse_json(properties) == 1");
    expect([error.kind, error.line, error.column, error.token]).toEqual(["UnsupportedFunction", 1, 24, "parse_json"]);
  });

  it("an aggregation other than count()", () => {
    expect(failure("policyresources | summarize dcount(name) by type").token).toBe("dcount");
  });

  it("an unknown table", () => {
    const error = failure("securityresources | count");
    expect([error.kind, error.column]).toEqual(["UnknownTable", 0]);
  });

  it("syntax errors: unterminated string, missing operand, stray token, unknown column", () => {
    expect(failure("policyresources | where name == 'x").message).toMatch(/not terminated.*line 1, position 32/);
    expect(failure("policyresources | where name ==").message).toMatch(/ends where an expression was expected/);
    expect(failure("policyresources | take 2 3").token).toBe("3");
    expect(failure("policyresources | project nme").message).toMatch(/'nme' does not refer to any known column/);
  });
});
