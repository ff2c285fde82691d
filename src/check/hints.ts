// What would make a violation go away: the manifest change, the namespace exclusion, or an exemption.
import type { EffectiveInitiative, MemberPolicy } from "./initiative.js";
import type { WorkloadRecord } from "./manifests.js";
import type { HostNetworkFinding } from "./policies/host-network-ports-v3.js";
import { allowedProfileSet } from "./policies/allowed-seccomp-profiles-v3.js";
import { asArray, asObject, asStringArray, isObject } from "./policies/common.js";
import type { TemplateViolation } from "./types.js";

export interface ViolationHint {
  /** The manifest change, e.g. `set securityContext.privileged: false on container app`. */
  change: string;
  /** `akspol exclude add …` for the workload's namespace. */
  excludeNamespace: string;
  /** `akspol exempt create …` for this policy on the cluster. */
  exempt: string;
}

export interface HintContext {
  workload: WorkloadRecord;
  member: MemberPolicy;
  initiative: EffectiveInitiative;
  assignmentReference?: string;
  cluster?: string;
}

export function hintFor(violation: TemplateViolation, context: HintContext): ViolationHint {
  const { excludeNamespace, exempt } = remediesFor(context);
  return { change: changeFor(violation, context.workload.kind, context.member.parameters), excludeNamespace, exempt };
}

/**
 * The two commands that lift a policy's violations for a workload without changing its manifest: the
 * same for every violation of one result, so evaluate.ts asks once per result, not once per violation.
 */
export function remediesFor(context: HintContext): Omit<ViolationHint, "change"> {
  const assignment = context.assignmentReference ?? context.initiative.assignment?.name ?? "<assignment>";
  const cluster = context.cluster ?? "<cluster>";
  const { workload, member } = context;
  const reason = `${workload.kind} ${workload.name} needs ${member.referenceId}`;
  return {
    excludeNamespace: excludeNamespaceCommand(assignment, workload.namespace),
    exempt: `${exemptCommandHead(member, cluster, assignment)}${JSON.stringify(reason)}`,
  };
}

/** The last `exclude add` command made: consecutive results are mostly of one workload, so of one namespace. */
let lastExclude = { assignment: "", namespace: "", command: "" };
function excludeNamespaceCommand(assignment: string, namespace: string): string {
  if (lastExclude.assignment !== assignment || lastExclude.namespace !== namespace) {
    lastExclude = { assignment, namespace, command: `akspol exclude add ${shellWord(assignment)} ${shellWord(namespace)}` };
  }
  return lastExclude.command;
}

/** `akspol exempt create …` up to its reason, by member: the same for every workload of a run. */
const exemptHeads = new WeakMap<MemberPolicy, { cluster: string; assignment: string; head: string }>();
function exemptCommandHead(member: MemberPolicy, cluster: string, assignment: string): string {
  let known = exemptHeads.get(member);
  if (known === undefined || known.cluster !== cluster || known.assignment !== assignment) {
    const head = `akspol exempt create --cluster ${shellWord(cluster)} --assignment ${shellWord(assignment)} --policies ${member.referenceId} --category waiver --expires +30d --reason `;
    known = { cluster, assignment, head };
    exemptHeads.set(member, known);
  }
  return known.head;
}

/** Pod-level fields live under spec.template.spec in a controller (deeper in a CronJob). */
export function podSpecPath(kind: string): string {
  if (kind === "Pod") return "spec";
  if (kind === "CronJob") return "spec.jobTemplate.spec.template.spec";
  return "spec.template.spec";
}

/** The manifest change that clears a violation; `kind` is the workload's, `parameters` the policy's. */
export function changeFor(violation: TemplateViolation, kind: string, parameters: MemberPolicy["parameters"]): string {
  const container = `container ${violation.container ?? ""}`;
  const pod = podSpecPath(kind);
  switch (violation.code) {
    case "privileged":
      return `set securityContext.privileged: false (or remove it) on ${container}`;
    case "host-network":
    case "host-port": {
      const finding = asObject(violation.value) as Partial<HostNetworkFinding>;
      const steps: string[] = [];
      if (finding.hostNetwork) steps.push(`remove hostNetwork: true from ${pod}`);
      const ports = finding.hostPorts ?? [];
      if (ports.length > 0) {
        const range = portRange(parameters.minPort, parameters.maxPort);
        steps.push(`remove hostPort ${ports.join(", ")} from ${container}${range ? ` (allowed host ports: ${range})` : " (expose it through a Service instead)"}`);
      }
      return steps.join("; ");
    }
    case "host-namespace":
      return asStringArray(violation.value)
        .map((field) => `remove ${field}: true from ${pod}`)
        .join("; ");
    case "capability-add":
      return `remove ${asStringArray(violation.value).join(", ")} from securityContext.capabilities.add on ${container}`;
    case "capability-drop":
      return `add "ALL" to securityContext.capabilities.drop on ${container}`;
    case "host-path": {
      const allowed = asArray(parameters.allowedHostPaths).filter(isObject);
      if (allowed.length === 0) {
        return `replace hostPath volume ${violation.volume} (${String(violation.value)}) with another volume type (emptyDir, configMap, a PVC…); this assignment allows no host paths`;
      }
      const prefixes = allowed.map((p) => String(p.pathPrefix)).join(", ");
      return `point hostPath volume ${violation.volume} at a path under ${prefixes}, or use another volume type`;
    }
    case "host-path-read-only":
      return `set readOnly: true on the volumeMount of ${violation.volume} in ${container}`;
    case "volume-type":
      return `replace volume ${violation.volume} (${String(violation.value)}) with an allowed type: ${asStringArray(parameters.volumes).join(", ")}`;
    case "allow-privilege-escalation":
    case "non-root-without-explicit-false":
      return `set securityContext.allowPrivilegeEscalation: false on ${container}`;
    case "run-as-root":
      return `set securityContext.runAsUser to a non-zero UID (and runAsNonRoot: true) on ${container} or in ${pod}.securityContext`;
    case "run-as-non-root-missing":
      return `set securityContext.runAsNonRoot: true (or a non-zero runAsUser) on ${container} or in ${pod}.securityContext`;
    case "runAsUser-missing":
    case "runAsUser-range":
      return `set securityContext.runAsUser to a UID in ${ranges(parameters.runAsUser)} on ${container}`;
    case "runAsGroup-missing":
    case "runAsGroup-range":
      return `set securityContext.runAsGroup to a GID in ${ranges(parameters.runAsGroup)} on ${container} or in ${pod}.securityContext`;
    case "fsGroup-missing":
    case "fsGroup-range":
      return `set ${pod}.securityContext.fsGroup to a GID in ${ranges(parameters.fsGroup)}`;
    case "supplementalGroups-missing":
    case "supplementalGroups-range":
      return `set ${pod}.securityContext.supplementalGroups to GIDs in ${ranges(parameters.supplementalGroups)}`;
    case "seccomp-missing":
    case "seccomp-profile":
      return `set securityContext.seccompProfile ${seccompTarget(parameters.allowedProfiles)} on ${container} or in ${pod}.securityContext`;
    default:
      return "change the manifest so the policy's check passes (see the message)";
  }
}

function portRange(min: unknown, max: unknown): string | undefined {
  if (typeof min !== "number" || typeof max !== "number" || max <= 0) return undefined;
  return `${min}-${max}`;
}

/** Policy parameters do not change during a run: what a hint derives from one is derived once per object. */
function derivedOnce(derive: (parameter: unknown) => string): (parameter: unknown) => string {
  const derived = new WeakMap<object, string>();
  return (parameter) => {
    if (parameter === null || typeof parameter !== "object") return derive(parameter);
    let text = derived.get(parameter);
    if (text === undefined) {
      text = derive(parameter);
      derived.set(parameter, text);
    }
    return text;
  };
}

const seccompTarget = derivedOnce((allowedProfiles) => {
  const allowed = allowedProfileSet(asStringArray(allowedProfiles));
  return allowed.has("RuntimeDefault") ? "type: RuntimeDefault" : `an allowed type (${[...allowed].join(", ")})`;
});

const ranges = derivedOnce((rule) => {
  const list = asArray(asObject(rule).ranges).filter(isObject);
  if (list.length === 0) return "(no range allowed)";
  return list.map((r) => (r.max === -1 ? `${String(r.min)} or above` : `${String(r.min)}-${String(r.max)}`)).join(", ");
});

/** Quotes a value for a POSIX shell only when it needs it. */
function shellWord(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value) || /^<[\w-]+>$/.test(value)) return value;
  return `'${value.replace(/'/g, "'\\''")}'`;
}
