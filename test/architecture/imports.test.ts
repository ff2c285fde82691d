// The module graph of src/ and commands/: no import cycle (static, dynamic or type-only), and every
// package the product imports at run time is a dependency while test-only packages stay dev ones.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph, runtimePackages, type ImportEdge } from "../helpers/import-graph.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("import graph", () => {
  const edges = importGraph(root);

  it("reads the real graph (main, commands and their dynamic imports)", () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: "src/bin.ts", to: "src/main.ts", typeOnly: false, dynamic: true });
    expect(edges).toContainEqual({ from: "commands/index.ts", to: "commands/find.ts", typeOnly: false, dynamic: false });
  });

  it("has no import cycle in src/ and commands/, counting dynamic import() and import type", () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it("finds a cycle when there is one (two modules, or one through a dynamic import)", () => {
    const edge = (from: string, to: string, dynamic = false): ImportEdge => ({ from, to, typeOnly: false, dynamic });
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "a.ts")])).toEqual([["a.ts", "b.ts"]]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts", true), edge("c.ts", "a.ts"), edge("c.ts", "d.ts")])).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts")])).toEqual([]);
  });

  it("src/ never imports commands/ (the entry points get the commands passed in)", () => {
    expect(edges.filter((edge) => edge.from.startsWith("src/") && edge.to.startsWith("commands/"))).toEqual([]);
  });
});

describe("package.json dependencies", () => {
  const manifest = JSON.parse(readFileSync(new URL("package.json", `file://${root}`), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const used = runtimePackages(root);

  it("lists every package src/ and commands/ import at run time under dependencies", () => {
    const missing = [...used.keys()].filter((name) => !(name in manifest.dependencies)).map((name) => `${name} (${used.get(name)?.join(", ")})`);
    expect(missing).toEqual([]);
  });

  it("keeps in dependencies only packages the product imports (test-only ones are devDependencies)", () => {
    // Imported as types only here; the SDK clients akspol builds load them at run time.
    const typesOnly = new Set(["@azure/core-auth", "@azure/core-rest-pipeline"]);
    const unused = Object.keys(manifest.dependencies).filter((name) => !used.has(name) && !typesOnly.has(name));
    expect(unused).toEqual([]);
  });
});
