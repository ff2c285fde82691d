// Comments cite files in the repository (docs/issues/<two-digit number>.md for an issue, docs/reference/*.md for the
// ARM contract and the built-ins reference), and every file they cite exists.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const sources = execFileSync("git", ["ls-files", "src", "commands", "test", "scripts", "examples", "bench"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((file) => /\.(ts|mjs|js)$/.test(file) && existsSync(join(root, file)));

describe("comment links", () => {
  it("every docs/ file a source file names exists", () => {
    const cited = new Map<string, string>();
    for (const file of sources) {
      for (const match of readFileSync(join(root, file), "utf8").matchAll(/\bdocs\/[\w./-]+\.(?:md|json)\b/g)) cited.set(match[0], file);
    }
    expect(cited.size).toBeGreaterThan(5);
    expect([...cited].filter(([path]) => !existsSync(join(root, path))).map(([path, file]) => `${file}: ${path}`)).toEqual([]);
  });
});
