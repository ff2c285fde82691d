// check's output stays byte for byte what it was before its per-document work was made faster (issue
// 13): generated workloads (YAML and JSON) and edge documents (markers, directives, aliases, lists,
// errors, CRLF and a byte-order mark), in every format, through main(). The digests were taken from
// the built binary of commit 66c4270 (before that work) on the same stdin; a change of output text
// must change them knowingly: each entry is "<exit code> <sha256 of stdout, first 16 hex> <bytes>".
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { OUTPUT_CORPUS, OUTPUT_RUNS } from "./output-corpus.js";

const EXPECTED: Record<string, string> = {
  "yaml --initiative restricted --fail-on never": "0 a3cdf7c3faecab97 1661608",
  "yaml --initiative restricted --fail-on never -o json": "0 7d04c15dff30cbb0 1653279",
  "yaml --initiative restricted --fail-on never -o json --stream --show-passes": "0 4dc66dc91c122d7f 2424440",
  "yaml --initiative restricted -o sarif": "0 eaa2916cbc0eb55f 2197396",
  "yaml --initiative baseline --param effect=Deny --namespace web --show-passes": "6 5c2612b6c4c8eab1 210606",
  "json --initiative restricted --fail-on never": "0 e77cdff5febf2f71 831183",
  "json --initiative restricted --fail-on never -o json": "0 4599842af9d2d969 832144",
  "json --initiative restricted --fail-on never -o json --stream --show-passes": "0 b82f321356fed684 1215283",
  "json --initiative restricted -o sarif": "0 b7678cfe6c52103a 1102155",
  "json --initiative baseline --param effect=Deny --namespace web --show-passes": "6 93b5c783a899e670 106175",
  "edges --initiative restricted --fail-on never": "2 070d621c1f4ac94b 63600",
  "edges --initiative restricted --fail-on never -o json": "2 09ef3faf1e64ff65 238075",
  "edges --initiative restricted --fail-on never -o json --stream --show-passes": "2 66594b0a8e7d0625 271418",
  "edges --initiative restricted -o sarif": "2 5852098cf185f424 87746",
  "edges --initiative baseline --param effect=Deny --namespace web --show-passes": "6 cea97a77a5aadd86 40729",
  "edges-crlf-bom --initiative restricted --fail-on never": "2 070d621c1f4ac94b 63600",
  "edges-crlf-bom --initiative restricted --fail-on never -o json": "2 09ef3faf1e64ff65 238075",
  "edges-crlf-bom --initiative restricted --fail-on never -o json --stream --show-passes": "2 66594b0a8e7d0625 271418",
  "edges-crlf-bom --initiative restricted -o sarif": "2 5852098cf185f424 87746",
  "edges-crlf-bom --initiative baseline --param effect=Deny --namespace web --show-passes": "6 cea97a77a5aadd86 40729",
};

describe("check's output on generated and edge inputs is what it was", () => {
  it.each(OUTPUT_CORPUS.flatMap((input) => OUTPUT_RUNS.map((argv) => [`${input.name} ${argv.join(" ")}`, input.text, argv] as const)))("%s", async (key, text, argv) => {
    const run = await runCli(["check", "-", ...argv], { input: text });
    const stdout = Buffer.from(run.stdout, "utf8");
    expect(`${run.code} ${createHash("sha256").update(stdout).digest("hex").slice(0, 16)} ${stdout.length}`).toBe(EXPECTED[key]);
  });
});
