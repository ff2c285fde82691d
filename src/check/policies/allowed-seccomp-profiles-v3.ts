// allowed-seccomp-profiles/v3 (k8sazurev3allowedseccomp), behind AllowedSeccompProfiles 7.2.0.
import type { ConstraintParameters, JsonObject, PodReview, TemplateEvaluator, TemplateViolation } from "../types.js";
import { asObject, asStringArray, formatRegoSet, includedContainers, isObject, isWindowsPod, securityContextOf } from "./common.js";

const CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";

interface ResolvedProfile {
  profile: string;
  /** `localhostProfile` of a securityContext profile of type Localhost. */
  file?: string;
  location: string;
  fromSecurityContext: boolean;
}

/** allowedProfiles plus the translations between annotation and securityContext spellings. */
export function allowedProfileSet(allowedProfiles: string[]): Set<string> {
  const set = new Set(allowedProfiles);
  for (const profile of allowedProfiles) {
    if (profile === "runtime/default" || profile === "docker/default") set.add("RuntimeDefault");
    if (profile === "unconfined") set.add("Unconfined");
    if (profile === "RuntimeDefault") {
      set.add("runtime/default");
      set.add("docker/default");
    }
    if (profile === "Unconfined") set.add("unconfined");
    if (profile.startsWith("localhost/")) set.add("Localhost");
    if (profile === "Localhost") set.add("localhost/*");
  }
  return set;
}

function resolveProfile(pod: PodReview, container: JsonObject, name: string): ResolvedProfile {
  const own = securityContextOf(container).seccompProfile;
  if (isObject(own)) return fromSecurityContext(own, "container securityContext");
  const podLevel = asObject(pod.spec.securityContext).seccompProfile;
  if (isObject(podLevel)) return fromSecurityContext(podLevel, "pod securityContext");
  const containerAnnotation = CONTAINER_ANNOTATION_PREFIX + name;
  const annotations = pod.metadata.annotations;
  if (typeof annotations[containerAnnotation] === "string") {
    return { profile: annotations[containerAnnotation], location: `annotation ${containerAnnotation}`, fromSecurityContext: false };
  }
  if (typeof annotations[POD_ANNOTATION] === "string") {
    return { profile: annotations[POD_ANNOTATION], location: `annotation ${POD_ANNOTATION}`, fromSecurityContext: false };
  }
  return { profile: "not configured", location: "no explicit profile found", fromSecurityContext: false };
}

function fromSecurityContext(profile: JsonObject, location: string): ResolvedProfile {
  return {
    profile: typeof profile.type === "string" ? profile.type : "",
    file: typeof profile.localhostProfile === "string" ? profile.localhostProfile : undefined,
    location,
    fromSecurityContext: true,
  };
}

function isAllowed(resolved: ResolvedProfile, allowed: Set<string>): boolean {
  if (resolved.fromSecurityContext && resolved.profile === "Localhost") {
    if (!allowed.has("Localhost")) return false;
    return allowed.has("localhost/*") || (resolved.file !== undefined && allowed.has(`localhost/${resolved.file}`));
  }
  if (!resolved.fromSecurityContext && resolved.profile.startsWith("localhost/")) {
    return allowed.has("localhost/*") || allowed.has(resolved.profile);
  }
  return allowed.has(resolved.profile);
}

/** allowedProfiles as a set and as the message prints it, once per parameters object (they do not change during a run). */
const profileRules = new WeakMap<ConstraintParameters, { any: boolean; allowed: Set<string>; shown: string }>();
function profileRulesOf(parameters: ConstraintParameters): { any: boolean; allowed: Set<string>; shown: string } {
  let rules = profileRules.get(parameters);
  if (rules === undefined) {
    const allowedProfiles = asStringArray(parameters.allowedProfiles);
    const allowed = allowedProfileSet(allowedProfiles);
    rules = { any: allowedProfiles.includes("*"), allowed, shown: formatRegoSet(allowed) };
    profileRules.set(parameters, rules);
  }
  return rules;
}

export const allowedSeccompProfilesV3: TemplateEvaluator = {
  template: "allowed-seccomp-profiles",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const { any, allowed, shown } = profileRulesOf(parameters);
    if (any) return [];
    const violations: TemplateViolation[] = [];
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      const resolved = resolveProfile(pod, c.container, c.name);
      if (isAllowed(resolved, allowed)) continue;
      violations.push({
        code: resolved.profile === "not configured" ? "seccomp-missing" : "seccomp-profile",
        container: c.name,
        value: resolved.profile,
        message: `Seccomp profile '${resolved.profile}' is not allowed for container '${c.name}'. Found at: ${resolved.location}. Allowed profiles: ${shown}`,
      });
    }
    return violations;
  },
};
