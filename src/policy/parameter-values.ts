import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { UsageError } from "../errors.js";
import type { SetDefinition } from "./definitions.js";
import { checkNamespace } from "./namespaces.js";
import { didYouMean } from "../did-you-mean.js";

/**
 * The one validator of initiative parameter values (docs/issues/09.md), used by `params set` (also interactively),
 * `check --param` and every other path that turns text into a parameter value. It checks a value
 * against the declaration of the initiative version the assignment uses (read from Azure by the
 * caller; `check --initiative` passes the embedded built-in):
 * - the name is declared (else "did you mean"),
 * - the declared type,
 * - allowedValues, compared case-sensitively,
 * - the JSON schema of object parameters (`allowedHostPaths`), with a real JSON-schema validator (ajv),
 * - Kubernetes namespace naming for every namespace list (`namespaces`, `excludedNamespaces`, ...).
 * Pure: it imports nothing from src/cli/; callers turn ParameterValueError into a usage error (exit 2).
 */

export interface ParameterDeclaration {
  type?: string;
  allowedValues?: unknown[];
  defaultValue?: unknown;
  schema?: unknown;
}
export type ParameterDeclarations = Record<string, ParameterDeclaration | undefined>;

/** A parameter value that its declaration does not allow; `suggestion` says what to do instead. */
export class ParameterValueError extends Error {
  constructor(
    message: string,
    readonly suggestion: string,
  ) {
    super(message);
    this.name = "ParameterValueError";
  }
}

/** The declared spelling of a parameter name (names compare case-insensitively, as ARM does). */
export function declaredParameterName(declarations: ParameterDeclarations, name: string): string {
  const names = Object.keys(declarations);
  const found = names.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  if (found) return found;
  const close = didYouMean(name, names);
  throw new ParameterValueError(`The initiative declares no parameter '${name}'.${close ? ` Did you mean '${close}'?` : ""}`, `Its parameters: ${names.join(", ")}.`);
}

/** Parameters whose value is a list of Kubernetes namespace names. */
export function isNamespaceList(name: string, declaration: ParameterDeclaration | undefined): boolean {
  return String(declaration?.type ?? "").toLowerCase() === "array" && /namespaces$/i.test(name);
}

const show = (value: unknown) => JSON.stringify(value);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "float":
      return typeof value === "number";
    case "datetime":
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    default:
      return true;
  }
}

const compiled = new WeakMap<object, ValidateFunction>();
let ajvInstance: { compile(schema: object): ValidateFunction } | undefined;

function schemaValidator(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    if (!ajvInstance) {
      // Loaded only when an object parameter is checked, so --help stays fast.
      const require = createRequire(import.meta.url);
      const { Ajv } = require("ajv") as typeof import("ajv");
      ajvInstance = new Ajv({ allErrors: true, strict: false });
    }
    validate = ajvInstance.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath ? `at ${error.instancePath}` : "at the top level";
  if (error.keyword === "additionalProperties") return `${where}: unknown property '${String((error.params as { additionalProperty?: string }).additionalProperty)}'`;
  if (error.keyword === "required") return `${where}: missing property '${String((error.params as { missingProperty?: string }).missingProperty)}'`;
  return `${where}: ${error.message ?? error.keyword}`;
}

/** Throws ParameterValueError when `value` is not allowed for the declared parameter `name`. */
export function validateParameterValue(declarations: ParameterDeclarations, name: string, value: unknown): void {
  const declared = declaredParameterName(declarations, name);
  const declaration = declarations[declared] ?? {};
  const type = String(declaration.type ?? "String").toLowerCase();
  if (!typeMatches(type, value)) {
    throw new ParameterValueError(
      `Parameter '${declared}' is declared as ${declaration.type ?? "String"}; the value ${show(value)} is not.`,
      type === "array"
        ? `Pass a JSON array (${declared}='["a","b"]') or a comma list.`
        : type === "object"
          ? `Pass a JSON object (${declared}='{...}') or @file.json.`
          : `Pass a ${declaration.type ?? "String"}.`,
    );
  }
  // Unverified: whether Azure Policy compares allowedValues case-sensitively. The pod-security
  // initiatives list both 'audit' and 'Audit' (and deny/Deny, disabled/Disabled), which they would not
  // need if the comparison ignored case, so akspol compares exactly.
  if (Array.isArray(declaration.allowedValues) && declaration.allowedValues.length > 0) {
    const candidates = type === "array" && Array.isArray(value) ? value : [value];
    const allowed = declaration.allowedValues;
    const outside = candidates.filter((candidate) => !allowed.some((item) => show(item) === show(candidate)));
    if (outside.length > 0) {
      const close =
        typeof outside[0] === "string"
          ? didYouMean(
              outside[0],
              allowed.filter((item): item is string => typeof item === "string"),
            )
          : undefined;
      throw new ParameterValueError(
        `Parameter '${declared}' does not allow ${outside.map(show).join(", ")}.${close ? ` Did you mean '${close}'?` : ""}`,
        `Allowed values (exact spelling): ${allowed.map(show).join(", ")}.`,
      );
    }
  }
  if (type === "object" && declaration.schema && typeof declaration.schema === "object") {
    const validate = schemaValidator(declaration.schema as object);
    if (!validate(value)) {
      const problems = (validate.errors ?? []).map(describeSchemaError);
      throw new ParameterValueError(
        `Parameter '${declared}' does not match the schema the initiative declares for it: ${problems.join("; ")}. Value: ${show(value)}.`,
        `Shape: ${show(declaration.schema)}.`,
      );
    }
  }
  if (isNamespaceList(declared, declaration)) {
    const errors: string[] = [];
    for (const item of value as unknown[]) {
      if (typeof item !== "string") {
        errors.push(`${show(item)} is not a string`);
        continue;
      }
      const check = checkNamespace(item);
      if (!check.ok) errors.push(check.error);
      else if (check.name !== item) errors.push(`'${item}' has spaces around it`);
    }
    if (errors.length > 0) {
      throw new ParameterValueError(
        `Invalid ${declared}: ${errors.join("; ")}.`,
        "Kubernetes namespace names are RFC 1123 labels: lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit; Gatekeeper also accepts one '*' at the start or the end.",
      );
    }
  }
}

/**
 * Parses a command-line value by the parameter's declared type (arrays as JSON or comma lists, objects
 * as JSON, booleans and numbers by their text; `fileText` is the content of `@file.json`), then
 * validates it. A string is respelled to an allowed value only when the allowed values contain
 * exactly one spelling of it that differs in case (never when both 'audit' and 'Audit' exist: the
 * typed spelling must then be one of them).
 */
export function parseParameterText(declarations: ParameterDeclarations, name: string, raw: string, fileText?: string): { name: string; value: unknown } {
  const declared = declaredParameterName(declarations, name);
  const declaration = declarations[declared] ?? {};
  const type = String(declaration.type ?? "String").toLowerCase();
  const json = (text: string, what: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ParameterValueError(`The value of '${declared}' is not valid JSON${what}: ${(error as Error).message}.`, `Quote it for the shell, e.g. ${declared}='{"paths":[]}'.`);
    }
  };
  let value: unknown;
  if (fileText !== undefined) value = json(fileText, ` (from ${raw})`);
  else if (type === "array")
    value = raw.trim().startsWith("[")
      ? json(raw, "")
      : raw
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean);
  else if (type === "object") value = json(raw, "");
  else if (type === "boolean") {
    if (!/^(true|false)$/i.test(raw.trim())) throw new ParameterValueError(`Parameter '${declared}' is a Boolean; '${raw}' is not.`, "Use true or false.");
    value = raw.trim().toLowerCase() === "true";
  } else if (type === "integer") {
    if (!/^-?\d+$/.test(raw.trim())) throw new ParameterValueError(`Parameter '${declared}' is an Integer; '${raw}' is not a whole number.`, "Use a whole number, e.g. 3.");
    value = Number(raw.trim());
  } else if (type === "float") {
    if (raw.trim() === "" || Number.isNaN(Number(raw))) throw new ParameterValueError(`Parameter '${declared}' is a Float; '${raw}' is not a number.`, "Use a number, e.g. 0.5.");
    value = Number(raw);
  } else value = raw;
  if (type === "string" && typeof value === "string" && Array.isArray(declaration.allowedValues) && !declaration.allowedValues.includes(value)) {
    const spellings = declaration.allowedValues.filter((allowed): allowed is string => typeof allowed === "string" && allowed.toLowerCase() === (value as string).toLowerCase());
    if (spellings.length === 1) value = spellings[0];
  }
  validateParameterValue(declarations, declared, value);
  return { name: declared, value };
}

/** The allowedValues spelling of an effect ("deny" → "Deny" or "deny"), preferring the current or default style. */
export function spellEffect(definition: Pick<SetDefinition, "parameters">, wanted: string, current?: string): string {
  const declared = Object.keys(definition.parameters ?? {}).find((key) => key.toLowerCase() === "effect");
  const spec = definition.parameters?.[declared ?? "effect"];
  const allowed = (spec?.allowedValues ?? []).filter((value): value is string => typeof value === "string");
  if (allowed.length === 0) return wanted.charAt(0).toUpperCase() + wanted.slice(1).toLowerCase();
  const matches = allowed.filter((value) => value.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 0) {
    throw new UsageError(`The initiative does not allow the effect '${wanted}'.`, { suggestion: `Allowed: ${[...new Set(allowed.map((v) => v.toLowerCase()))].join(", ")}.` });
  }
  const styleOf = (value: string | undefined) => (value && value[0] === value[0]?.toUpperCase() ? "upper" : "lower");
  for (const reference of [current, typeof spec?.defaultValue === "string" ? spec.defaultValue : undefined]) {
    if (!reference) continue;
    const styled = matches.find((value) => styleOf(value) === styleOf(reference));
    if (styled) return styled;
  }
  return matches[0] as string;
}

/** Parses and validates a command-line value against the declaration of the set (parseParameterText above). */
export function parseParameterValue(definition: Pick<SetDefinition, "parameters">, name: string, raw: string, fileText?: string): { name: string; value: unknown } {
  return parseParameterText(definition.parameters ?? {}, name, raw, fileText);
}

/** Splits "name=value" (the value may contain '='). */
export function splitAssignmentArgument(argument: string): { name: string; raw: string } {
  const index = argument.indexOf("=");
  if (index <= 0) throw new UsageError(`'${argument}' is not name=value.`, { suggestion: "For example: akspol params set pss-baseline effect=Deny" });
  return { name: argument.slice(0, index).trim(), raw: argument.slice(index + 1) };
}
