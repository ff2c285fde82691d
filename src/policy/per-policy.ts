// Per-policy exclusions (issue 17): an exclusion that applies only to some member policies of a set,
// or only to pods matching a label selector, to named containers or to images. It edits the set
// parameters the selected members read (their wiring, src/effective memberFieldParameters), so it
// works on any set that exposes per-policy parameters: the cloud security benchmark, and the custom
// initiatives akspol makes from the two pod-security initiatives (custom-initiative.ts). Pure.
import { UsageError } from "../errors.js";
import { BUILTIN_DEFINITIONS } from "../check/builtins.js";
import { lastSegment, memberByKey, memberFieldParameters, type DefinitionDocument, type MemberKey } from "../effective/index.js";

/** The member-definition parameters an exclusion can edit. */
export type ExclusionField = "excludedNamespaces" | "labelSelector" | "excludedContainers" | "excludedImages";

/** One `--label-selector` entry: pods carrying `key=value` (or the key at all, with no value) are excluded. */
export interface LabelExclusion {
  key: string;
  /** undefined: exclude every pod that has the label (a `DoesNotExist` requirement). */
  value?: string;
}

export interface PerPolicyEdit {
  /** Reference ids of the set (already resolved from --policies / --except-policies); empty: every member. */
  policies: string[];
  labels?: LabelExclusion[];
  containers?: string[];
  images?: string[];
  /**
   * Per field, the members it applies to instead of `policies` (the interactive exclude remove takes
   * each ticked value out of the members holding it, and members differ in the fields they accept).
   */
  fieldPolicies?: Partial<Record<Exclude<ExclusionField, "excludedNamespaces">, string[]>>;
  /** Take these exclusions out again (exclude remove) instead of adding them. */
  remove?: boolean;
  /** A removal of a value already absent changes nothing instead of being refused (the write loop's read-back check). */
  ignoreMissing?: boolean;
}

export interface WiredMember {
  member: MemberKey;
  referenceId: string;
  parameter?: string;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkLabelKey(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix))) return `'${key}': the prefix before '/' must be a DNS subdomain (lower case, at most 253 characters)`;
  if (!LABEL_NAME.test(name)) return `'${key}': a label name is 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

/**
 * Parses `--label-selector 'app=node-exporter,team'`: each entry excludes the pods carrying that
 * label (`key=value`), or carrying the key at all (`key`). Any one entry suffices to exclude a pod,
 * because the member's labelSelector selects the pods it checks and its requirements are ANDed.
 */
export function parseLabelExclusions(text: string): LabelExclusion[] {
  if (/!=|\s(in|notin)\s|[()]/.test(text)) {
    throw new UsageError(`--label-selector '${text}': only 'key=value' and 'key' are accepted (the pods to exclude).`, {
      suggestion: "For example: --label-selector 'app=node-exporter,team=observability'.",
    });
  }
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new UsageError(`--label-selector '${text}' names no label.`, { suggestion: "For example: --label-selector 'app=node-exporter' (or 'app' for every pod that has the label)." });
  return entries.map((entry) => {
    const [key = "", ...rest] = entry.split("=");
    const value = rest.length > 0 ? rest.join("=").replace(/^=/, "") : undefined;
    const keyError = checkLabelKey(key.trim());
    if (keyError) throw new UsageError(`Invalid --label-selector ${keyError}.`, { suggestion: "For example: --label-selector 'app.kubernetes.io/name=node-exporter'." });
    if (value !== undefined && value !== "" && !LABEL_NAME.test(value)) {
      throw new UsageError(`Invalid --label-selector value '${value}' of '${key}': a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.`, {
        suggestion: "Quote the whole selector: --label-selector 'app=node-exporter'.",
      });
    }
    return value === undefined ? { key: key.trim() } : { key: key.trim(), value };
  });
}

/** The members an edit applies to: --policies, or every member but --except-policies, or all. */
export function selectMembers(wiring: readonly WiredMember[], policies: readonly string[], exceptPolicies: readonly string[]): WiredMember[] {
  const find = (wanted: string) => {
    const match = wiring.find((entry) => entry.member.toLowerCase() === wanted.toLowerCase() || entry.referenceId.toLowerCase() === wanted.toLowerCase());
    if (!match) {
      throw new UsageError(`The assignment carries no policy '${wanted}'.`, {
        suggestion: `Its pod-security policies: ${wiring.map((entry) => (entry.member === entry.referenceId ? entry.member : `${entry.member} (${entry.referenceId})`)).join(", ")}.`,
      });
    }
    return match;
  };
  if (policies.length > 0 && exceptPolicies.length > 0) throw new UsageError("Pass --policies or --except-policies, not both.");
  if (policies.length > 0) return [...new Set(policies.map(find))];
  if (exceptPolicies.length > 0) {
    const excepted = new Set(exceptPolicies.map(find));
    const selected = wiring.filter((entry) => !excepted.has(entry));
    if (selected.length === 0) throw new UsageError("--except-policies leaves no policy to exclude from.", { suggestion: "Name fewer policies." });
    return selected;
  }
  return [...wiring];
}

/** Which of the member-definition parameters each of the nine members accepts (from the embedded built-ins). */
function acceptedParameters(member: MemberKey): Set<string> | undefined {
  const info = memberByKey(member);
  if (!info) return undefined;
  const versions = BUILTIN_DEFINITIONS.filter((definition) => lastSegment(String((definition as { name?: string }).name ?? "")).toLowerCase() === info.definitionName);
  if (versions.length === 0) return undefined;
  // A parameter counts only when every embedded version of the member declares it.
  const sets = versions.map((definition) => new Set(Object.keys(((definition as { properties?: { parameters?: object } }).properties?.parameters ?? {}) as object)));
  return new Set([...(sets[0] ?? [])].filter((name) => sets.every((set) => set.has(name))));
}

export function memberAccepts(member: MemberKey, field: ExclusionField): boolean {
  return acceptedParameters(member)?.has(field) ?? false;
}

export interface PerPolicyTarget {
  field: ExclusionField;
  /** The set parameters to edit for this field. */
  parameters: string[];
  /** Reference ids of the selected members reading each parameter (named when a removal is refused). */
  readers: Record<string, string[]>;
}

/**
 * The set parameters a per-policy edit changes, field by field, or a UsageError naming each member
 * that does not accept the field or whose set does not expose it. `warnings` names the members that
 * share an edited parameter without being selected (they are excluded too).
 */
export function perPolicyTargets(definition: DefinitionDocument, policyDefinitionId: string | undefined, edit: PerPolicyEdit): { targets: PerPolicyTarget[]; warnings: string[] } {
  const fields: ExclusionField[] = [];
  if (edit.labels?.length) fields.push("labelSelector");
  if (edit.containers?.length) fields.push("excludedContainers");
  if (edit.images?.length) fields.push("excludedImages");
  const targets: PerPolicyTarget[] = [];
  const warnings: string[] = [];
  for (const field of fields) {
    const wiring = memberFieldParameters(definition, field, policyDefinitionId);
    const policies = (field !== "excludedNamespaces" ? edit.fieldPolicies?.[field] : undefined) ?? edit.policies;
    const selected = policies.length === 0 ? wiring : wiring.filter((entry) => policies.some((wanted) => wanted.toLowerCase() === entry.referenceId.toLowerCase()));
    const refusing = selected.filter((entry) => !memberAccepts(entry.member, field));
    const flag = { labelSelector: "--label-selector", excludedContainers: "--container", excludedImages: "--image" }[field as Exclude<ExclusionField, "excludedNamespaces">];
    if (refusing.length > 0) {
      throw new UsageError(
        `${refusing.map((entry) => entry.referenceId).join(", ")} ${refusing.length === 1 ? "does" : "do"} not accept ${field}: ${flag} cannot apply to ${refusing.length === 1 ? "it" : "them"}.`,
        {
          suggestion: `Narrow --policies to policies that take ${field} (${
            wiring
              .filter((entry) => memberAccepts(entry.member, field))
              .map((entry) => entry.referenceId)
              .join(", ") || "none"
          }), or exempt the cluster from the others (akspol exempt create).`,
        },
      );
    }
    const unexposed = selected.filter((entry) => entry.parameter === undefined);
    if (unexposed.length > 0) {
      throw new UsageError(`The assigned set does not expose ${field} for ${unexposed.map((entry) => entry.referenceId).join(", ")}: no parameter of the assignment changes it.`, {
        suggestion: "Narrow --policies to the others, or exempt the cluster from those policies (akspol exempt create).",
      });
    }
    const parameters = [...new Set(selected.map((entry) => entry.parameter as string))];
    const sharers = wiring.filter((entry) => entry.parameter && parameters.includes(entry.parameter) && !selected.includes(entry));
    if (sharers.length > 0) warnings.push(`${parameters.join(", ")} is read by ${sharers.map((entry) => entry.referenceId).join(", ")} too: ${flag} applies to them as well.`);
    const readers = Object.fromEntries(parameters.map((name) => [name, selected.filter((entry) => entry.parameter === name).map((entry) => entry.referenceId)]));
    targets.push({ field, parameters, readers });
  }
  return { targets, warnings };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * The label selector with the exclusions added as `matchExpressions` (NotIn for key=value, merged
 * into an existing NotIn of the same key; DoesNotExist for a bare key), keeping everything already set.
 */
export function excludingSelector(current: unknown, labels: readonly LabelExclusion[]): Record<string, unknown> {
  const selector = (current && typeof current === "object" && !Array.isArray(current) ? structuredClone(current) : {}) as Record<string, unknown>;
  const expressions = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) as Array<{ key?: string; operator?: string; values?: string[] }>;
  for (const label of labels) {
    if (label.value === undefined) {
      if (!expressions.some((expression) => expression.key === label.key && expression.operator === "DoesNotExist")) expressions.push({ key: label.key, operator: "DoesNotExist" });
      continue;
    }
    const notIn = expressions.find((expression) => expression.key === label.key && expression.operator === "NotIn");
    if (notIn) {
      if (!(notIn.values ?? []).includes(label.value)) notIn.values = [...(notIn.values ?? []), label.value];
    } else expressions.push({ key: label.key, operator: "NotIn", values: [label.value] });
  }
  selector.matchExpressions = expressions;
  return selector;
}

/**
 * The label selector without the exclusions akspol added: `key=value` leaves the key's NotIn (dropped
 * once empty), a bare `key` drops the key's NotIn and DoesNotExist requirements. Everything else is
 * kept. `missing` lists the entries the selector does not hold (the caller refuses them).
 */
export function includingSelector(current: unknown, labels: readonly LabelExclusion[]): { selector: Record<string, unknown>; missing: string[] } {
  const selector = (current && typeof current === "object" && !Array.isArray(current) ? structuredClone(current) : {}) as Record<string, unknown>;
  let expressions = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) as Array<{ key?: string; operator?: string; values?: string[] }>;
  const missing: string[] = [];
  for (const label of labels) {
    if (label.value === undefined) {
      const kept = expressions.filter((expression) => !(expression.key === label.key && (expression.operator === "NotIn" || expression.operator === "DoesNotExist")));
      if (kept.length === expressions.length) missing.push(label.key);
      expressions = kept;
      continue;
    }
    const notIn = expressions.find((expression) => expression.key === label.key && expression.operator === "NotIn" && (expression.values ?? []).includes(label.value as string));
    if (!notIn) {
      missing.push(`${label.key}=${label.value}`);
      continue;
    }
    notIn.values = (notIn.values ?? []).filter((value) => value !== label.value);
    if (notIn.values.length === 0) expressions = expressions.filter((expression) => expression !== notIn);
  }
  if (expressions.length > 0) selector.matchExpressions = expressions;
  else delete selector.matchExpressions;
  return { selector, missing };
}

/**
 * The new value of one edited parameter, from its value in force. A removal of a value the parameter
 * does not hold is refused, naming the parameter and the members that read it (`readers`).
 */
export function editedValue(field: ExclusionField, current: unknown, edit: PerPolicyEdit, parameter = field as string, readers: readonly string[] = []): unknown {
  const refuse = (missing: string[]) => {
    if (missing.length === 0 || edit.ignoreMissing) return;
    const flag = { labelSelector: "--label-selector", excludedContainers: "--container", excludedImages: "--image", excludedNamespaces: "<namespace>" }[field];
    throw new UsageError(
      `Cannot remove ${flag} ${missing.join(", ")}: ${parameter}${readers.length ? ` (read by ${readers.join(", ")})` : ""} does not exclude ${missing.length === 1 ? "it" : "them"}.`,
      {
        suggestion: "See what is excluded with 'akspol exclude list <assignment>' or 'akspol params get <assignment>', and narrow --policies to the members that hold the value.",
      },
    );
  };
  if (field === "labelSelector") {
    if (!edit.remove) return excludingSelector(current, edit.labels ?? []);
    const { selector, missing } = includingSelector(current, edit.labels ?? []);
    refuse(missing);
    return selector;
  }
  const given = field === "excludedContainers" ? (edit.containers ?? []) : field === "excludedImages" ? (edit.images ?? []) : [];
  const list = stringList(current);
  if (!edit.remove) return [...list, ...given.filter((item) => !list.includes(item))];
  refuse(given.filter((item) => !list.includes(item)));
  return list.filter((item) => !given.includes(item));
}

/** The member definition's declaration of `field` (type, default, metadata, schema), from the embedded built-ins. */
export function memberParameterDeclaration(member: MemberKey, field: ExclusionField): Record<string, unknown> | undefined {
  const info = memberByKey(member);
  if (!info || !memberAccepts(member, field)) return undefined;
  const definition = BUILTIN_DEFINITIONS.find((candidate) => lastSegment(String((candidate as { name?: string }).name ?? "")).toLowerCase() === info.definitionName) as
    { properties?: { parameters?: Record<string, Record<string, unknown>> } } | undefined;
  const declaration = definition?.properties?.parameters?.[field];
  return declaration ? structuredClone(declaration) : undefined;
}
