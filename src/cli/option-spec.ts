// How a command declares its arguments and flags, what the parser hands its parse function, and the
// helpers that read flag values. No dependency: global flags, shared flags and commands all use it.

export interface ArgumentSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface OptionSpec {
  /** Commander flags, e.g. "--reason <text>", "-f, --file <path>", "--force". */
  flags: string;
  description: string;
  choices?: readonly string[];
  default?: string | boolean | string[];
  /** May be given several times; the values are collected into an array. */
  repeatable?: boolean;
}

/** What the parse layer hands a command: positional arguments by name and options in camelCase. */
export interface ParsedInput {
  args: Record<string, string | string[] | undefined>;
  options: Record<string, unknown>;
}

/** Helpers for parse functions. */
export function stringOption(input: ParsedInput, name: string): string | undefined {
  const value = input.options[name];
  if (value === undefined || value === null || value === false) return undefined;
  return String(value);
}

export function listOption(input: ParsedInput, name: string): string[] {
  const value = input.options[name];
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values
    .flatMap((item) => String(item).split(","))
    .map((item) => item.trim())
    .filter(Boolean);
}

export function booleanOption(input: ParsedInput, name: string): boolean {
  return input.options[name] === true;
}
