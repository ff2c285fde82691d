// What `akspol --help` needs to know about the commands, without loading them (docs/issues/13.md: start-up).
// The build writes dist/commands/catalog.json (scripts/post-build.mjs): every command's metadata
// (path, summary, arguments, options, outputs, examples, writes, ...) and the module that runs it.
// The binary builds its help and parses argv from that file and imports one command module, the
// one that runs. Run from source (tests), there is no catalog: the caller passes the commands of
// commands/index.ts through catalogOf (test/helpers/cli.ts), so nothing under src/ imports commands/.
import { readFileSync } from "node:fs";
import type { CommandSpec } from "./command.js";

/** Everything about a command but its code. */
export type CommandMetadata = Omit<CommandSpec, "parse" | "run">;

export interface CommandEntry {
  metadata: CommandMetadata;
  /** The command itself: its module is imported only when it runs. */
  load(): Promise<CommandSpec>;
}

/** One line of dist/commands/catalog.json. */
export interface CatalogLine extends CommandMetadata {
  /** The module whose default export is the command, relative to dist/commands/. */
  module: string;
}

export const CATALOG_FILE = "catalog.json";

const commandsDirectory = new URL("../../commands/", import.meta.url);

/** The built commands, from dist/commands/catalog.json. */
export async function loadCommandCatalog(): Promise<CommandEntry[]> {
  let lines: CatalogLine[];
  try {
    lines = JSON.parse(readFileSync(new URL(CATALOG_FILE, commandsDirectory), "utf8")) as CatalogLine[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new Error(`internal: ${new URL(CATALOG_FILE, commandsDirectory).pathname} is missing; build akspol (npm run build)`, { cause: error });
  }
  return lines.map(({ module, ...metadata }) => ({
    metadata,
    async load() {
      const spec = ((await import(new URL(module, commandsDirectory).href)) as { default: CommandSpec }).default;
      if (spec.path.join(" ") !== metadata.path.join(" ")) throw new Error(`internal: ${module} is not 'akspol ${metadata.path.join(" ")}'; rebuild (npm run build)`);
      return spec;
    },
  }));
}

/** Commands already imported (from source: commands/index.ts) as catalog entries. */
export function catalogOf(commands: readonly CommandSpec[]): CommandEntry[] {
  return commands.map((spec) => ({ metadata: spec, load: async () => spec }));
}

/** The catalog lines for the built commands (the build step writes them; a test compares them). */
export function catalogLines(commands: readonly CommandSpec[], moduleOf: (spec: CommandSpec) => string): CatalogLine[] {
  return commands.map((spec) => {
    const metadata = Object.fromEntries(Object.entries(spec).filter(([, value]) => typeof value !== "function")) as CommandMetadata;
    return { ...metadata, module: moduleOf(spec) };
  });
}
