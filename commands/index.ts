import type { CommandSpec } from "../src/cli/command.js";
import find from "./find.js";

/**
 * Every command, in help order. Command modules import only types from the Azure SDK at load time,
 * so building this list (for --help) never loads the SDK. Add a new command with one import and one entry.
 */
export const commands: CommandSpec<any>[] = [
  find,
];
