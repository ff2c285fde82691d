// Which evaluator implements which Gatekeeper template, keyed by the store URL path `<template>/<vN>`.
import type { TemplateEvaluator } from "../types.js";
import { allowedHostPathsV3 } from "./allowed-host-paths-v3.js";
import { allowedSeccompProfilesV3 } from "./allowed-seccomp-profiles-v3.js";
import { allowedUsersGroupsV3 } from "./allowed-users-groups-v3.js";
import { allowedVolumeTypesV2 } from "./allowed-volume-types-v2.js";
import { blockHostNamespaceV2 } from "./block-host-namespace-v2.js";
import { containerAllowedCapabilitiesV3 } from "./container-allowed-capabilities-v3.js";
import { containerNoPrivilegeEscalationV3 } from "./container-no-privilege-escalation-v3.js";
import { containerNoPrivilegeV2 } from "./container-no-privilege-v2.js";
import { hostNetworkPortsV3 } from "./host-network-ports-v3.js";

export const TEMPLATE_EVALUATORS: readonly TemplateEvaluator[] = [
  containerNoPrivilegeV2,
  containerNoPrivilegeEscalationV3,
  hostNetworkPortsV3,
  blockHostNamespaceV2,
  containerAllowedCapabilitiesV3,
  allowedHostPathsV3,
  allowedVolumeTypesV2,
  allowedUsersGroupsV3,
  allowedSeccompProfilesV3,
];

/**
 * Templates whose Rego is not published, evaluated with the nearest published version.
 * allowed-host-paths/v4 (definition 6.3.0) adds windowsAllowedHostPaths; Linux pods are
 * assumed to be checked as in v3.
 */
const NEAREST_AVAILABLE: Record<string, { evaluator: TemplateEvaluator; note: string }> = {
  "allowed-host-paths/v4": {
    evaluator: allowedHostPathsV3,
    note: "evaluated with allowed-host-paths v3; the template v4 behind definition 6.3.0 is not published",
  },
};

export interface EvaluatorLookup {
  evaluator: TemplateEvaluator;
  /** Set when the exact template version is not available. */
  approximation?: string;
}

/** `templateKey` is `<template>/<vN>`, as in the store URL. */
export function findEvaluator(templateKey: string): EvaluatorLookup | undefined {
  const exact = TEMPLATE_EVALUATORS.find((e) => `${e.template}/${e.version}` === templateKey);
  if (exact) return { evaluator: exact };
  const nearest = NEAREST_AVAILABLE[templateKey];
  return nearest ? { evaluator: nearest.evaluator, approximation: nearest.note } : undefined;
}
