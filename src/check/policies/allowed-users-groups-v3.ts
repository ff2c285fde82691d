// allowed-users-groups/v3 (k8sazurev3allowedusersgroups), behind AllowedUsersGroups 6.2.0.
import type { JsonObject, PodReview, TemplateEvaluator, TemplateViolation } from "../types.js";
import { asArray, asObject, formatParameter, formatRego, includedContainers, isObject, isPresent, isWindowsPod, securityContextOf } from "./common.js";

const GROUP_FIELDS = ["runAsGroup", "supplementalGroups", "fsGroup"] as const;

/** `max: -1` means no upper bound. */
export function isInRange(value: unknown, ranges: unknown): boolean {
  if (typeof value !== "number") return false;
  return asArray(ranges)
    .filter(isObject)
    .some((range) => {
      if (typeof range.min !== "number" || typeof range.max !== "number") return false;
      return range.max === -1 ? value >= range.min : range.min <= value && value <= range.max;
    });
}

/**
 * `get_field_value`: the container's securityContext wins when the field is present there (a
 * `false` counts); the pod's is consulted only because the reviewed object is a Pod.
 */
function fieldValue(pod: PodReview, container: JsonObject, field: string): unknown {
  const own = securityContextOf(container)[field];
  if (isPresent(own)) return own;
  return asObject(pod.spec.securityContext)[field];
}

export const allowedUsersGroupsV3: TemplateEvaluator = {
  template: "allowed-users-groups",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const violations: TemplateViolation[] = [];
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      violations.push(...checkRunAsUser(pod, c.container, c.name, asObject(parameters.runAsUser)));
      for (const field of GROUP_FIELDS) {
        violations.push(...checkGroup(pod, c.container, c.name, field, asObject(parameters[field])));
      }
    }
    return violations;
  },
};

function checkRunAsUser(pod: PodReview, container: JsonObject, name: string, rule: JsonObject): TemplateViolation[] {
  const runAsUser = fieldValue(pod, container, "runAsUser");
  const shown = (): string => formatParameter(rule); // formatted only for a violation
  switch (rule.rule) {
    case "MustRunAsNonRoot": {
      if (runAsUser === 0) {
        return [
          {
            code: "run-as-root",
            container: name,
            value: 0,
            message: `Container ${name} is attempting to run as disallowed user 0. Allowed runAsUser: ${shown()}`,
          },
        ];
      }
      if (isPresent(runAsUser)) return [];
      const runAsNonRoot = fieldValue(pod, container, "runAsNonRoot");
      if (isPresent(runAsNonRoot) && runAsNonRoot !== false) return [];
      return [
        {
          code: "run-as-non-root-missing",
          container: name,
          message: `Container ${name} is attempting to run without a required securityContext/runAsNonRoot or securityContext/runAsUser != 0`,
        },
      ];
    }
    case "MustRunAs": {
      if (!isPresent(runAsUser)) return [missing(name, "runAsUser", shown())];
      if (isInRange(runAsUser, rule.ranges)) return [];
      return [
        {
          code: "runAsUser-range",
          container: name,
          value: runAsUser,
          message: `Container ${name} is attempting to run as disallowed user ${formatRego(runAsUser)}. Allowed runAsUser: ${shown()}`,
        },
      ];
    }
    default:
      return [];
  }
}

function checkGroup(pod: PodReview, container: JsonObject, name: string, field: (typeof GROUP_FIELDS)[number], rule: JsonObject): TemplateViolation[] {
  if (rule.rule !== "MustRunAs" && rule.rule !== "MayRunAs") return [];
  const value = fieldValue(pod, container, field);
  const shown = (): string => formatParameter(rule); // formatted only for a violation
  if (!isPresent(value)) return rule.rule === "MustRunAs" ? [missing(name, field, shown())] : [];
  if (Array.isArray(value)) {
    // An empty supplementalGroups list is present and has no bad element: it passes.
    if (value.every((gid) => isInRange(gid, rule.ranges))) return [];
    return [
      {
        code: `${field}-range`,
        container: name,
        value,
        message: `Container ${name} is attempting to run with disallowed supplementalGroups ${formatRego(value)}. Allowed ${field}: ${shown()}`,
      },
    ];
  }
  if (isInRange(value, rule.ranges)) return [];
  return [
    {
      code: `${field}-range`,
      container: name,
      value,
      message: `Container ${name} is attempting to run as disallowed group ${formatRego(value)}. Allowed ${field}: ${shown()}`,
    },
  ];
}

function missing(name: string, field: string, shown: string): TemplateViolation {
  return {
    code: `${field}-missing`,
    container: name,
    message: `Container ${name} is attempting to run without a required securityContext/${field}. Allowed ${field}: ${shown}`,
  };
}
