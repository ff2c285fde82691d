// Every example pod published beside the Gatekeeper templates, evaluated against the definition that
// uses that template with its scenario's policy_parameters.json, gets the verdict of its folder.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_DEFINITIONS } from "../../src/check/builtins.js";
import { podReviewOf } from "../../src/check/evaluate.js";
import { resolveInitiative } from "../../src/check/initiative.js";
import type { PolicyDefinitionDocument } from "../../src/check/types.js";
import { parseManifest } from "../../src/check/manifests.js";

const templatesRoot = join(import.meta.dirname, "../fixtures/gatekeeper/templates");

interface Example {
  templateKey: string;
  scenario: string;
  verdict: "good" | "violations";
  file: string;
}

function listExamples(): Example[] {
  const examples: Example[] = [];
  for (const template of readdirSync(templatesRoot)) {
    for (const version of readdirSync(join(templatesRoot, template))) {
      const scenariosDir = join(templatesRoot, template, version, "examples");
      for (const scenario of readdirSync(scenariosDir)) {
        for (const verdict of ["good", "violations"] as const) {
          let files: string[];
          try {
            files = readdirSync(join(scenariosDir, scenario, verdict));
          } catch {
            continue; // a scenario may have only good examples
          }
          for (const file of files) {
            examples.push({ templateKey: `${template}/${version}`, scenario, verdict, file: join(scenariosDir, scenario, verdict, file) });
          }
        }
      }
    }
  }
  return examples;
}

function definitionUsing(templateKey: string): PolicyDefinitionDocument {
  const found = BUILTIN_DEFINITIONS.find((d) => JSON.stringify(d.properties?.policyRule ?? {}).includes(`/kubernetes/${templateKey}/template.yaml`));
  if (!found) throw new Error(`no embedded definition uses ${templateKey}`);
  return found;
}

/** The definition alone, as a one-member initiative passing the scenario's parameter values. */
function memberFor(example: Example) {
  const definition = definitionUsing(example.templateKey);
  const scenarioParameters = JSON.parse(readFileSync(join(templatesRoot, example.templateKey, "examples", example.scenario, "policy_parameters.json"), "utf8")) as Record<string, { value: unknown }>;
  const initiative = resolveInitiative({
    setDefinition: {
      name: "example",
      properties: {
        policyDefinitions: [
          {
            policyDefinitionId: definition.id,
            policyDefinitionReferenceId: "Example",
            definitionVersion: definition.properties?.version,
            parameters: scenarioParameters,
          },
        ],
      },
    },
  });
  const member = initiative.members[0]!;
  expect(member.status, member.unknownReason).toBe("ok");
  expect(member.template).toBe(example.templateKey);
  return member;
}

const examples = listExamples();

describe("Gatekeeper example pods", () => {
  it("covers all nine templates and both verdicts", () => {
    expect(new Set(examples.map((e) => e.templateKey)).size).toBe(9);
    expect(examples.filter((e) => e.verdict === "violations").length).toBeGreaterThanOrEqual(10);
    expect(examples.filter((e) => e.verdict === "good").length).toBeGreaterThanOrEqual(25);
  });

  it.each(examples.map((e) => [`${e.templateKey} ${e.scenario} ${e.verdict}/${e.file.split("/").pop()}`, e] as const))("%s gets the verdict of its folder", (_, example) => {
    const member = memberFor(example);
    const parsed = parseManifest({ file: example.file, text: readFileSync(example.file, "utf8") });
    expect(parsed.errors).toEqual([]);
    expect(parsed.workloads).toHaveLength(1);
    const violations = member.evaluator!.evaluate(podReviewOf(parsed.workloads[0]!), member.parameters);
    if (example.verdict === "good") expect(violations).toEqual([]);
    else expect(violations.length).toBeGreaterThanOrEqual(1);
  });
});
