import type { Node as YamlNode, YAMLMap } from "yaml";
import { UsageError } from "../errors.js";
import { checkExpiry, ExpiryError, parseExpiry } from "./expiry.js";
import { looksSecret, ownerPattern } from "./metadata.js";
import { nameProblem } from "./names.js";
import { exemptionTextLimits } from "./validate.js";
import { categoryChoices, parseCategory, type ExemptionCategory } from "./category.js";
import { didYouMean } from "../did-you-mean.js";

/**
 * The desired-state file of `akspol exempt apply` (the README section Cluster exemptions "Desired-state file").
 * YAML or JSON (JSON is read by the same YAML 1.2 parser, so both get line and column). Every error
 * is collected, not only the first, and the file is rejected whole before anything is written.
 */
export interface Position {
  line: number;
  column: number;
}

export interface FileError extends Position {
  message: string;
}

export interface DesiredExemption {
  index: number;
  name: string;
  cluster: string;
  resourceGroup?: string;
  subscription?: string;
  assignment: string;
  /** "all" exempts the whole assignment (no reference ids), including members added later. */
  policies: string[] | "all";
  category: ExemptionCategory;
  /** undefined for `expires: never` (mitigated only). */
  expiresOn?: Date;
  reason: string;
  ticket?: string;
  displayName?: string;
  /** Where each field was written, for errors found later (cluster missing, unknown reference id). */
  at: Record<string, Position>;
}

export interface DesiredStateFile {
  path: string;
  owner: string;
  /** The waiver cap for this file, in days (default 90; --max-days overrides). */
  maxDays?: number;
  /** Extra scopes the file covers for --prune (clusters of the entries are always covered). */
  scopes: Array<{ value: string; at: Position }>;
  exemptions: DesiredExemption[];
}

const topLevelKeys = new Set(["version", "owner", "maxDays", "scopes", "exemptions"]);
const entryKeys = new Set(["name", "cluster", "resourceGroup", "subscription", "assignment", "policies", "category", "expires", "reason", "ticket", "displayName"]);

export function formatFileErrors(path: string, errors: readonly FileError[]): string {
  return errors.map((error) => `${path}:${error.line}:${error.column}: ${error.message}`).join("\n");
}

export class DesiredStateError extends UsageError {
  constructor(
    readonly path: string,
    readonly errors: FileError[],
  ) {
    super(`${path} is not valid (${errors.length} error${errors.length === 1 ? "" : "s"}); nothing was written:\n${formatFileErrors(path, errors)}`, {
      suggestion: "Fix the file and run again; the schema is in the README section Cluster exemptions and examples/exemptions.yaml.",
    });
  }
}

export interface ParseOptions {
  path: string;
  now: Date;
  /** --max-days from the command line wins over the file's maxDays. */
  maxDays?: number;
}

/** Parses and validates the file. Throws DesiredStateError listing every problem. */
export async function parseDesiredState(text: string, options: ParseOptions): Promise<DesiredStateFile> {
  const yaml = await import("yaml");
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: FileError[] = [];
  const position = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const at = (node: unknown): Position => position((node as YamlNode | undefined)?.range?.[0]);
  const report = (node: unknown, message: string) => errors.push({ ...at(node), message });

  for (const error of document.errors) {
    const pos = error.linePos?.[0];
    errors.push({ ...(pos ? { line: pos.line, column: pos.col } : position(error.pos[0])), message: error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") as string });
  }
  if (errors.length > 0) throw new DesiredStateError(options.path, errors);

  const root = document.contents;
  if (!yaml.isMap(root)) {
    throw new DesiredStateError(options.path, [{ ...at(root), message: "the file must be a mapping with 'owner' and 'exemptions'" }]);
  }

  const fields = (map: YAMLMap, allowed: Set<string>, where: string) => {
    const result = new Map<string, { key: YamlNode; value: YamlNode | null }>();
    for (const pair of map.items) {
      const keyNode = pair.key as YamlNode;
      const key = yaml.isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      if (!allowed.has(key)) {
        const hint = didYouMean(key, [...allowed]);
        report(keyNode, `unknown key '${key}' ${where}${hint ? `; did you mean '${hint}'?` : ""} (allowed: ${[...allowed].join(", ")})`);
        continue;
      }
      result.set(key, { key: keyNode, value: (pair.value as YamlNode | null) ?? null });
    }
    return result;
  };

  const scalarString = (node: YamlNode | null | undefined, field: string, anchor: unknown): string | undefined => {
    if (!node || !yaml.isScalar(node) || node.value === null || node.value === undefined) {
      report(node ?? anchor, `'${field}' must be a text value`);
      return undefined;
    }
    if (node.value instanceof Date) return node.value.toISOString();
    if (typeof node.value !== "string" && typeof node.value !== "number") {
      report(node, `'${field}' must be a text value`);
      return undefined;
    }
    const value = String(node.value).trim();
    if (value === "") {
      report(node, `'${field}' must not be empty`);
      return undefined;
    }
    return value;
  };

  const top = fields(root, topLevelKeys, "at the top level");
  const version = top.get("version");
  if (version && !(yaml.isScalar(version.value) && Number(version.value.value) === 1)) report(version.value ?? version.key, "'version' must be 1");

  const ownerField = top.get("owner");
  let owner: string | undefined;
  if (!ownerField) report(root, "'owner' is required: it stamps every exemption this file makes, and --prune deletes only exemptions with this owner");
  else {
    owner = scalarString(ownerField.value, "owner", ownerField.key);
    if (owner && !ownerPattern.test(owner)) {
      report(ownerField.value, `owner '${owner}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
      owner = undefined;
    }
  }

  let maxDays = options.maxDays;
  const maxDaysField = top.get("maxDays");
  if (maxDaysField) {
    const value = yaml.isScalar(maxDaysField.value) ? Number(maxDaysField.value.value) : Number.NaN;
    if (!Number.isInteger(value) || value < 1 || value > 36_500) report(maxDaysField.value ?? maxDaysField.key, "'maxDays' must be a whole number of days from 1 to 36500");
    else maxDays ??= value;
  }

  const scopes: DesiredStateFile["scopes"] = [];
  const scopesField = top.get("scopes");
  if (scopesField) {
    if (!yaml.isSeq(scopesField.value)) report(scopesField.value ?? scopesField.key, "'scopes' must be a list of cluster names, cluster ids or ARM scopes");
    else {
      for (const item of scopesField.value.items) {
        const value = scalarString(item as YamlNode, "scopes[]", scopesField.key);
        if (value) scopes.push({ value, at: at(item) });
      }
    }
  }

  const exemptions: DesiredExemption[] = [];
  const exemptionsField = top.get("exemptions");
  if (!exemptionsField) report(root, "'exemptions' is required (a list; it may be empty)");
  else if (exemptionsField.value !== null && !(yaml.isScalar(exemptionsField.value) && exemptionsField.value.value === null) && !yaml.isSeq(exemptionsField.value)) {
    report(exemptionsField.value, "'exemptions' must be a list");
  } else if (yaml.isSeq(exemptionsField.value)) {
    const seen = new Map<string, Position>();
    exemptionsField.value.items.forEach((item, index) => {
      const entry = parseEntry(item as YamlNode, index);
      if (!entry) return;
      const key = `${entry.cluster.toLowerCase()}|${entry.resourceGroup?.toLowerCase() ?? ""}|${entry.name.toLowerCase()}`;
      const first = seen.get(key);
      if (first) report(item, `exemption '${entry.name}' on cluster '${entry.cluster}' is listed twice (first at line ${first.line})`);
      else seen.set(key, at(item));
      exemptions.push(entry);
    });
  }

  function parseEntry(node: YamlNode, index: number): DesiredExemption | undefined {
    if (!yaml.isMap(node)) {
      report(node, `exemptions[${index}] must be a mapping with name, cluster, assignment, policies, category, expires and reason`);
      return undefined;
    }
    const where = `in exemptions[${index}]`;
    const entry = fields(node, entryKeys, where);
    const positions: Record<string, Position> = { entry: at(node) };
    for (const [key, field] of entry) positions[key] = at(field.value ?? field.key);
    let valid = true;
    const required = (key: string, why = ""): string | undefined => {
      const field = entry.get(key);
      if (!field) {
        report(node, `'${key}' is required ${where}${why}`);
        valid = false;
        return undefined;
      }
      const value = scalarString(field.value, key, field.key);
      if (value === undefined) valid = false;
      return value;
    };
    const optional = (key: string): string | undefined => {
      const field = entry.get(key);
      if (!field) return undefined;
      const value = scalarString(field.value, key, field.key);
      if (value === undefined) valid = false;
      return value;
    };

    const name = required("name");
    if (name) {
      const problem = nameProblem(name);
      if (problem) {
        report(entry.get("name")?.value, `exemption name '${name}': ${problem}`);
        valid = false;
      }
    }
    const cluster = required("cluster", " (a cluster name or its full resource id)");
    const assignment = required("assignment", " (an assignment name or its full id)");

    let policies: string[] | "all" | undefined;
    const policiesField = entry.get("policies");
    if (!policiesField) {
      report(node, `'policies' is required ${where}: list reference ids (e.g. [BlockUsingHostNetwork]) or write 'policies: all' to exempt the whole initiative`);
      valid = false;
    } else if (yaml.isScalar(policiesField.value) && String(policiesField.value.value).toLowerCase() === "all") {
      policies = "all";
    } else if (yaml.isSeq(policiesField.value) && policiesField.value.items.length > 0) {
      policies = [];
      for (const item of policiesField.value.items) {
        const value = scalarString(item as YamlNode, "policies[]", policiesField.key);
        if (value === undefined) valid = false;
        else policies.push(value);
      }
    } else {
      report(policiesField.value ?? policiesField.key, "'policies' must be a non-empty list of policy reference ids, or 'all'");
      valid = false;
    }

    let category: ExemptionCategory | undefined;
    const categoryText = required("category", ` (${categoryChoices})`);
    if (categoryText) {
      category = parseCategory(categoryText);
      if (!category) {
        report(entry.get("category")?.value, `category '${categoryText}' must be ${categoryChoices}`);
        valid = false;
      }
    }

    const reason = required("reason", " (why the cluster is exempted; it becomes the description)");
    if (reason && reason.length > exemptionTextLimits.description) {
      report(entry.get("reason")?.value, `'reason' is ${reason.length} characters long; it becomes the description, which has at most ${exemptionTextLimits.description}: shorten it`);
      valid = false;
    }
    if (reason && looksSecret(reason)) {
      report(entry.get("reason")?.value, "'reason' looks like it contains a secret; exemptions are readable by anyone with Reader, so remove it");
      valid = false;
    }
    const ticket = optional("ticket");
    if (ticket && looksSecret(ticket)) {
      report(entry.get("ticket")?.value, "'ticket' looks like it contains a secret; remove it");
      valid = false;
    }

    let expiresOn: Date | undefined;
    let expiresValid = false;
    const expiresText = required("expires", " (a date such as 2025-06-30, a date-time, or 'never' for a mitigated exemption)");
    if (expiresText) {
      const expiresNode = entry.get("expires")?.value;
      try {
        expiresOn = /^never$/i.test(expiresText) ? undefined : parseExpiry(expiresText, options.now, { allowRelative: false });
        expiresValid = true;
      } catch (error) {
        report(expiresNode, `expires: ${(error as Error).message}${error instanceof ExpiryError && error.suggestion ? ` ${error.suggestion}` : ""}`);
        valid = false;
      }
      if (expiresValid && category) {
        try {
          checkExpiry({ category, expiresOn, now: options.now, maxDays });
        } catch (error) {
          report(
            expiresNode,
            `expires: ${(error as Error).message}${error instanceof ExpiryError && error.suggestion ? ` ${error.suggestion.replace("--max-days N", "maxDays (or --max-days N)")}` : ""}`,
          );
          valid = false;
        }
      }
    }

    const resourceGroup = optional("resourceGroup");
    const subscription = optional("subscription");
    const displayName = optional("displayName");
    if (displayName && displayName.length > exemptionTextLimits.displayName) {
      report(entry.get("displayName")?.value, `'displayName' is ${displayName.length} characters long; an exemption's display name has at most ${exemptionTextLimits.displayName}: shorten it`);
      valid = false;
    }
    if (!valid || !name || !cluster || !assignment || !policies || !category || !reason) return undefined;
    return { index, name, cluster, resourceGroup, subscription, assignment, policies, category, expiresOn, reason, ticket, displayName, at: positions };
  }

  if (errors.length > 0 || !owner) throw new DesiredStateError(options.path, errors);
  return { path: options.path, owner, maxDays, scopes, exemptions };
}
