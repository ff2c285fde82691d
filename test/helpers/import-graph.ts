// The import graph of the product's source (src/ and commands/), read from the text of each module:
// static imports and re-exports, `import type` (kept apart: erased at run time), and dynamic
// `import("...")` with a literal path. Only relative specifiers are followed; packages are leaves.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportEdge {
  from: string;
  to: string;
  /** `import type` / `export type`: no edge at run time. */
  typeOnly: boolean;
  /** `import("...")`: followed when the code runs, not when the module loads. */
  dynamic: boolean;
}

const staticImport = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm;
const bareImport = /^\s*import\s+["']([^"']+)["']/gm;
const dynamicImport = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  for (const folder of folders) {
    const directory = join(root, folder);
    if (!existsSync(directory)) continue;
    for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files.sort();
}

/** A relative specifier ("./x.js") to the .ts file it names, or undefined when it leaves the tree. */
function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = resolve(dirname(file), specifier);
  for (const candidate of [target.replace(/\.js$/, ".ts"), `${target}.ts`, join(target, "index.ts")]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The npm packages the modules import at run time ("@azure/arm-policy", "commander"; not node: built-ins). */
export function runtimePackages(root: string, folders: readonly string[] = ["src", "commands"]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const file of sourceFiles(root, folders)) {
    const text = readFileSync(file, "utf8");
    const specifiers = [
      ...[...text.matchAll(staticImport)].filter((match) => !match[2]).map((match) => match[4] as string),
      ...[...text.matchAll(bareImport)].map((match) => match[1] as string),
      ...[...text.matchAll(dynamicImport)].map((match) => match[1] as string),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
      users.set(name, [...(users.get(name) ?? []), relative(root, file)]);
    }
  }
  return users;
}

export function importGraph(root: string, folders: readonly string[] = ["src", "commands"]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root, folders)) {
    const text = readFileSync(file, "utf8");
    const from = relative(root, file);
    const add = (specifier: string, typeOnly: boolean, dynamic: boolean) => {
      const target = resolveSpecifier(file, specifier);
      if (target) edges.push({ from, to: relative(root, target), typeOnly, dynamic });
    };
    for (const match of text.matchAll(staticImport)) {
      const clause = match[3] ?? "";
      // `import { type A, type B } from` is type-only too.
      const allTypes =
        /^\{[^}]*\}$/.test(clause.trim()) &&
        clause
          .replace(/[{}\s]/g, "")
          .split(",")
          .filter(Boolean)
          .every((name) => name.startsWith("type"));
      add(match[4] as string, Boolean(match[2]) || allTypes, false);
    }
    for (const match of text.matchAll(bareImport)) add(match[1] as string, false, false);
    for (const match of text.matchAll(dynamicImport)) add(match[1] as string, false, true);
  }
  return edges;
}

/** Every cycle of the graph as one strongly connected component (Tarjan), each listed sorted. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (!next.has(edge.from)) next.set(edge.from, new Set());
    next.get(edge.from)?.add(edge.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next.get(node)?.has(node)) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}
