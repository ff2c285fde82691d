// Mechanics shared by the Azure Gatekeeper templates (docs/reference/builtins.md §4 "Common mechanics").
import type { JsonObject, PodReview } from "../types.js";

export interface ReviewedContainer {
  name: string;
  image: string;
  container: JsonObject;
  /** Which list of the pod spec holds it. */
  list: "containers" | "initContainers" | "ephemeralContainers";
}

export const ALL_CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;
/** allowed-host-paths/v3 looks at containers and initContainers only. */
export const REGULAR_AND_INIT_CONTAINER_LISTS = ["containers", "initContainers"] as const;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asStringArray(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === "string");
}

/**
 * Rego truthiness of a field test such as `c.securityContext.privileged`: the rule body holds
 * unless the value is undefined or `false` (0, "", [] and {} are true in Rego). A YAML `null`
 * is treated as absent because the API server drops null fields before admission.
 */
export function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** Present in the Rego sense (`has_field`): a `false` counts as present, a null does not. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Every rule but allowed-volume-types/v2 starts with this test. */
export function isWindowsPod(pod: PodReview): boolean {
  return asObject(pod.spec.nodeSelector)["kubernetes.io/os"] === "windows";
}

/**
 * The containers of the given lists of a Pod, in list order. Every member of an initiative reviews the
 * same Pod in turn, so the last Pod's containers are kept (a reviewed Pod is never changed): they are
 * collected once per workload, not once per policy. The array is shared: read it, do not change it.
 */
export function podContainers(pod: PodReview, lists: readonly ReviewedContainer["list"][] = ALL_CONTAINER_LISTS): readonly ReviewedContainer[] {
  if (lists !== ALL_CONTAINER_LISTS && lists !== REGULAR_AND_INIT_CONTAINER_LISTS) return collectContainers(pod, lists);
  if (lastPod !== pod) {
    lastPod = pod;
    lastContainers = collectContainers(pod, ALL_CONTAINER_LISTS);
    lastRegularAndInit = undefined;
  }
  if (lists === ALL_CONTAINER_LISTS) return lastContainers;
  lastRegularAndInit ??= lastContainers.some((c) => c.list === "ephemeralContainers") ? lastContainers.filter((c) => c.list !== "ephemeralContainers") : lastContainers;
  return lastRegularAndInit;
}

let lastPod: PodReview | undefined;
let lastContainers: readonly ReviewedContainer[] = [];
let lastRegularAndInit: readonly ReviewedContainer[] | undefined;

function collectContainers(pod: PodReview, lists: readonly ReviewedContainer["list"][]): ReviewedContainer[] {
  const result: ReviewedContainer[] = [];
  for (const list of lists) {
    const items = pod.spec[list];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (!isObject(item)) continue;
      result.push({
        name: typeof item.name === "string" ? item.name : "",
        image: typeof item.image === "string" ? item.image : "",
        container: item,
        list,
      });
    }
  }
  return result;
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** The strings of a list parameter (excludedImages, excludedContainers), without a new array when it is empty. */
function stringList(value: unknown): readonly string[] {
  return Array.isArray(value) && value.length > 0 ? asStringArray(value) : NO_STRINGS;
}

/** lib `exclude_container_image`: exact match, or prefix match when the entry ends in `*`. */
export function isImageExcluded(image: string, excludedImages: unknown): boolean {
  for (const entry of stringList(excludedImages)) {
    if (entry.endsWith("*")) {
      if (image.startsWith(entry.slice(0, -1))) return true;
    } else if (image === entry) {
      return true;
    }
  }
  return false;
}

/**
 * Containers not excluded by name (excludedContainers, when the template supports it: an exact name)
 * nor by image. Shared when nothing is excluded: read it only.
 */
export function includedContainers(pod: PodReview, parameters: JsonObject, options: { byName: boolean; lists?: readonly ReviewedContainer["list"][] }): readonly ReviewedContainer[] {
  const containers = podContainers(pod, options.lists);
  const excludedImages = stringList(parameters.excludedImages);
  const excludedNames = options.byName ? stringList(parameters.excludedContainers) : NO_STRINGS;
  if (excludedImages.length === 0 && excludedNames.length === 0) return containers;
  return containers.filter((c) => !isImageExcluded(c.image, excludedImages) && !excludedNames.includes(c.name));
}

export function securityContextOf(container: JsonObject): JsonObject {
  return asObject(container.securityContext);
}

/**
 * How OPA's `sprintf("%v")` prints a value: strings bare at top level and quoted inside
 * composites, objects with sorted keys as `{"k": v}`, arrays as `[a, b]`.
 */
export function formatRego(value: unknown, nested = false): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return nested ? JSON.stringify(value) : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatRego(v, true)).join(", ")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${formatRego(value[k], true)}`).join(", ")}}`;
  }
  return String(value);
}

const formattedParameters = new WeakMap<object, string>();

/** formatRego of a policy parameter: parameters do not change during a run, so each object is formatted once. */
export function formatParameter(value: unknown): string {
  if (value === null || typeof value !== "object") return formatRego(value);
  let text = formattedParameters.get(value);
  if (text === undefined) {
    text = formatRego(value);
    formattedParameters.set(value, text);
  }
  return text;
}

/** A Rego set prints as `{"a", "b"}`, sorted. */
export function formatRegoSet(values: Iterable<string>): string {
  return `{${[...new Set(values)]
    .sort()
    .map((v) => JSON.stringify(v))
    .join(", ")}}`;
}
