// Records are exact: resource documents go into the journal verbatim, however much their values look
// like secrets, and undo puts them back byte for byte (docs/issues/10.md: redaction regexes over serialised
// JSON changed '/srv/password=hunter2' to '[redacted]' in Azure, and broke records on escaped quotes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exemptionPath, exemptionsRestClient } from "../helpers/exemptions-client.js";
import { comparable, DEMO, prod, storedAssignment } from "../exclude/fixtures.js";
import { startHarness, type ExemptHarness } from "../exempt/helpers.js";
import { apiVersions } from "../../src/azure/clouds.js";

const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZw";
/** A value per pattern in src/redact.ts, plus the escaped quote that used to break records. */
const secretLooking = {
  authorization: `Authorization: Bearer ${jwt}`,
  bearer: `bearer abc.def-ghi`,
  jwt,
  clientSecret: "client_secret=sup3r-s3cret&x=1",
  password: "/srv/password=hunter2",
  secretQuote: 'the secret: "ask on-call"',
  query: "https://runbooks.example/restart?token=abc123&sig=xyz&code=42",
};

let h: ExemptHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function journalText(): string {
  return readFileSync(join(h.stateDir, "journal.jsonl"), "utf8");
}

describe("exact journal records", () => {
  test("an assignment whose values look like every secret pattern is journaled verbatim and undone byte for byte", async () => {
    const scope = `/subscriptions/${prod}/resourceGroups/rg-aks-prod`;
    const id = `${scope}/providers/Microsoft.Authorization/policyAssignments/pss-secretive`;
    await new PolicyClient(h.emulator.credentialFor("admin"), prod, h.emulator.clientOptions).policyAssignments.create(scope, "pss-secretive", {
      policyDefinitionId: DEMO.policySetDefinitions.baseline,
      displayName: secretLooking.secretQuote,
      description: Object.values(secretLooking).join(" | "),
      parameters: { allowedHostPaths: { value: { paths: [{ pathPrefix: secretLooking.password, readOnly: true }] } } },
      metadata: { client_secret: "s3cr3t", access_token: jwt, password: "hunter2", Authorization: secretLooking.authorization, runbook: secretLooking.query },
    });
    const original = comparable(await storedAssignment(h.emulator, id));

    const added = await h.run(["exclude", "add", id, "monitoring", "--yes", "-o", "json"]);
    expect(added.code, added.stderr).toBe(0);
    const changeId = JSON.parse(added.stdout).changeId as string;
    const text = journalText();
    for (const value of Object.values(secretLooking)) expect(text).toContain(JSON.stringify(value).slice(1, -1));
    const [entry] = (await h.journal()).filter((item) => item.changeId === changeId);
    expect((entry?.before as any).parameters).toEqual(original.properties.parameters);
    expect((entry?.before as any).metadata).toMatchObject({ client_secret: "s3cr3t", access_token: jwt, password: "hunter2" });
    expect((entry?.before as any).description).toBe(original.properties.description);

    const undone = await h.run(["undo", changeId, "--yes"]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(comparable(await storedAssignment(h.emulator, id))).toEqual(original);
  });

  test("an exemption whose metadata looks like secrets is journaled verbatim, settles, and undo restores it without --force", async () => {
    const scope = DEMO.clusters.prodWeu.id;
    const client = exemptionsRestClient(h.emulator.endpoint, h.emulator.credentialFor("admin"), h.emulator.caCert);
    const expiresOn = new Date(h.clock.now().getTime() + 5 * 86_400_000).toISOString();
    const put = await client.path(exemptionPath(scope, "secretive")).put({
      queryParameters: { "api-version": apiVersions.exemptions },
      body: {
        properties: {
          policyAssignmentId: DEMO.assignments.baseline.id,
          exemptionCategory: "Waiver",
          expiresOn,
          displayName: secretLooking.secretQuote,
          description: secretLooking.password,
          metadata: { client_secret: "abc", link: secretLooking.query, authorization: secretLooking.authorization, nested: { token: jwt } },
        },
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe("201");
    const stored = async () => {
      const body = structuredClone(
        (await h.emulator.hooks.getResource(`${scope}/providers/Microsoft.Authorization/policyExemptions/secretive`)).body ??
          (await h.emulator.hooks.getResource(`${scope}/providers/Microsoft.Authorization/policyExemptions/secretive`)),
      );
      delete body.systemData;
      for (const key of ["createdBy", "createdOn", "updatedBy", "updatedOn"]) delete body.properties.metadata?.[key];
      return body;
    };
    const original = await stored();

    const renewed = await h.run(["exempt", "renew", "secretive", "--cluster", scope, "--expires", "+20d", "--yes", "-o", "json"]);
    expect(renewed.code, renewed.stderr).toBe(0);
    const changeId = JSON.parse(renewed.stdout).changeId as string;
    expect(journalText()).toContain(JSON.stringify(secretLooking.query).slice(1, -1));
    const history = JSON.parse((await h.run(["history", "-o", "json"])).stdout);
    expect(history.entries.find((item: any) => item.changeId === changeId)).toMatchObject({ status: "applied" });

    const undone = await h.run(["undo", changeId, "--yes"]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(await stored()).toEqual(original);
  });

  test("what akspol adds itself is redacted field by field (command line, reason), and the record stays valid JSON", async () => {
    const failed = await h.run(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod, "--yes", "--reason", `the secret: "ask on-call" client_secret=${jwt}`, "--ticket", "OPS-1"], {
      env: { AKSPOL_PRINCIPAL: "reader" },
    });
    expect(failed.code).not.toBe(0);
    const records = journalText()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const last = records.filter((record) => record.type === "pending").at(-1);
    expect(last.command).toContain("client_secret=[redacted]");
    expect(last.command).not.toContain(jwt);
    expect(last.reason).toMatch(/^the secret: ".*client_secret=\[redacted\]$/);
  });
});
