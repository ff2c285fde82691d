import { stat } from "node:fs/promises";
import { booleanOption, defineCommand, stringOption, type ParsedInput } from "../src/cli/command.js";
import { GateFailedError, UsageError } from "../src/cli/errors.js";
import { chooser } from "../src/cli/prompter.js";
import { parseScopeSelection, resolveTargets, scopeOptionSpecs, type ScopeSelection } from "../src/cli/scope-options.js";
import type { Context } from "../src/context.js";
import { BUILTIN_INITIATIVES, type BuiltinInitiativeName } from "../src/check/builtins.js";
import type { PassSettings } from "../src/check/document-pass.js";
import { initiativeParameterNames, initiativeParameters, resolveInitiative, type EffectiveInitiative, type ExemptionInput } from "../src/check/initiative.js";
import { resolveInputs, readDocuments, type ManifestInput } from "../src/check/read-documents.js";
import type { FailOn } from "../src/check/report.js";
import { checkWorkers, OutputSink, streamCheck, summaryFails } from "../src/check/stream.js";
import { isTerminalSafe } from "../src/cli/safe-text.js";
import { validateParameterValue } from "../src/policy/parameter-values.js";
import { didYouMean } from "../src/did-you-mean.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type CheckDeps = Pick<Context, "azure" | "clock" | "format" | "io" | "prompter" | "subscriptions">;

export type CheckSource =
  | { kind: "initiative"; initiative: BuiltinInitiativeName; parameters: Record<string, unknown> }
  | { kind: "assignment"; reference: string; cluster?: string }
  /** Every carrier that applies to the cluster (assignments of any set or definition, Deployment Safeguards). */
  | { kind: "cluster"; cluster: string };

export interface CheckOptions extends ScopeSelection {
  /** Files, directories, or `-` for stdin. */
  inputs: string[];
  source: CheckSource;
  namespace?: string;
  failOn: FailOn;
  /** List passing results too. */
  showPasses: boolean;
  /** `-o json --stream`: JSON Lines. */
  stream: boolean;
  /** `--jobs`: worker threads (undefined: the default, see checkWorkers). */
  jobs?: number;
}

export default defineCommand<CheckOptions, CheckDeps>({
  path: ["check"],
  summary: "Check Kubernetes manifests against a pod-security initiative before deploying",
  description:
    "Evaluates the pod spec of each Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob and ReplicationController as the initiative's Gatekeeper templates would, with the parameters, excluded namespaces, effects and overrides of the assignment (--assignment, read from Azure; with --cluster its exemptions apply) or the initiative's defaults (--initiative, offline). Each violation says what the cluster would do (deny, audit or nothing) and how to fix it. Exit code 6 when a violation at or above --fail-on exists.",
  arguments: [{ name: "inputs", description: "manifest files or directories (YAML or JSON); - reads stdin", required: true, variadic: true }],
  options: [
    { flags: "--initiative <which>", description: "evaluate offline with this built-in initiative's defaults", choices: ["baseline", "restricted"] },
    { flags: "--param <name=value>", description: "an initiative parameter for --initiative (value as JSON, else a string); repeatable", repeatable: true },
    { flags: "--assignment <ref>", description: "evaluate as this assignment (id, name or display name) is configured in Azure" },
    {
      flags: "--cluster <name-or-id>",
      description:
        "evaluate against every assignment and the Deployment Safeguards setting that apply to this AKS cluster (strictest outcome wins); with --assignment, only that assignment with the cluster's exemptions",
    },
    { flags: "--namespace <ns>", description: "namespace for objects without metadata.namespace (default: default)" },
    { flags: "--fail-on <level>", description: "exit 6 when a violation with this outcome or worse exists", choices: ["deny", "audit", "never"], default: "deny" },
    { flags: "--show-passes", description: "list passing results too (by default they are counted in the summary)" },
    { flags: "--stream", description: "with -o json: JSON Lines, one object per result as it is produced (initiative first, summary last)" },
    {
      flags: "--jobs <n>",
      description:
        "worker threads that parse and evaluate beside the main thread (default: 1 when a core is idle and the input is large: 8 MiB from 4 cores, 32 MiB on 2; else 0); each costs about 50 MB; the output is the same",
    },
    ...scopeOptionSpecs,
  ],
  outputs: ["table", "json", "sarif"],
  examples: [
    "akspol check deploy/ --initiative restricted",
    "helm template my-chart | akspol check - --initiative baseline --param effect=Deny --namespace web",
    "akspol check k8s/*.yaml --assignment pss-restricted --cluster aks-prod-weu --subscription contoso-prod",
    "akspol check k8s/ --cluster aks-prod-weu --subscription contoso-prod",
    "akspol check k8s/ --initiative restricted -o sarif > akspol.sarif",
  ],
  parse(input, globals) {
    const options = parseCheckOptions(input);
    if (options.stream && globals.output !== "json") throw new UsageError("--stream writes JSON Lines; pass it with -o json.");
    return options;
  },
  async run(options, ctx) {
    // Inputs are checked up front (a missing file is a usage error before anything is printed); their
    // documents are then read, evaluated and written one at a time.
    const inputs = await resolveInputs(options.inputs);
    const resolved =
      options.source.kind === "initiative"
        ? offlineInitiative(options.source)
        : options.source.kind === "assignment"
          ? await initiativeFromAzure(options, options.source, ctx)
          : await clusterFromAzure(options, options.source, ctx);
    const format = ctx.format === "json" && options.stream ? "json-lines" : (ctx.format as "table" | "json" | "sarif");
    const { summary, errors } = await streamCheck({
      documents: readDocuments(inputs, ctx.io.stdin),
      initiative: resolved.initiative,
      assignmentReference: resolved.assignmentReference,
      cluster: resolved.cluster,
      namespace: options.namespace,
      format,
      showPasses: options.showPasses,
      clusterEvaluation: resolved.clusterEvaluation,
      clusterReport: resolved.clusterReport,
      workers: checkWorkers(options.jobs, await inputBytes(inputs)),
      debug: (text) => ctx.io.debug(text),
      // Through the IO object: terminal-safe like every line akspol prints, and never to a closed pipe;
      // results of documents proven safe on input skip the output scan (StreamCheckInput.isTerminalSafe).
      out: new OutputSink(
        ctx.io.stdout,
        (text) => ctx.io.writeOut(text),
        undefined,
        (text) => ctx.io.writeOutChecked(text),
      ),
      isTerminalSafe,
    });
    if (format === "table") ctx.io.writeOut(defaultEffectNote(options));
    // The exit code says both (docs/issues/09.md): the gate's when a violation fails it, else the input error's.
    const unread =
      errors.length > 0
        ? `${errors.length} manifest${errors.length === 1 ? "" : "s"} could not be read:\n${[...errors.slice(0, 20).map((e) => `  ${e.file}:${e.line}:${e.column}: ${e.message}`), ...(errors.length > 20 ? [`  ... and ${errors.length - 20} more`] : [])].join("\n")}`
        : "";
    if (summary.workloads === 0) ctx.io.warn("No Pod or workload with a pod template in the input: nothing was evaluated.");
    if (summaryFails(summary, options.failOn)) {
      const count = options.failOn === "audit" ? summary.deny + summary.audit : summary.deny;
      throw new GateFailedError(`${count} violation${count === 1 ? "" : "s"} at or above --fail-on ${options.failOn}.${unread ? `\nAlso, ${unread}` : ""}`, {
        suggestion: `Apply the fixes shown, or pass --fail-on never to report without failing.${unread ? " Fix the unreadable input too: the results cover only the documents that could be read." : ""}`,
      });
    }
    if (unread) {
      throw new UsageError(unread, { suggestion: "Fix the input (or leave the file out); the results above cover only the documents that could be read." });
    }
    return 0;
  },
});

/** The size of the input when it is known (files only; stdin's is not). */
async function inputBytes(inputs: readonly ManifestInput[]): Promise<number | undefined> {
  if (inputs.some((input) => input.kind === "stdin")) return undefined;
  const sizes = await Promise.all(inputs.map((input) => (input.kind === "file" ? stat(input.path).then((info) => info.size) : 0)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

export function parseCheckOptions(input: ParsedInput): CheckOptions {
  const inputs = ([] as string[]).concat(input.args.inputs ?? []);
  if (inputs.length === 0) throw new UsageError("Which manifests? Pass files, directories, or - for stdin.");
  const initiative = stringOption(input, "initiative");
  const assignment = stringOption(input, "assignment");
  const cluster = stringOption(input, "cluster");
  const params = ([] as unknown[]).concat(input.options.param ?? []).map(String);
  if (initiative && assignment) throw new UsageError("Choose one of --initiative (offline defaults) and --assignment (as configured in Azure).");
  if (!initiative && !assignment && !cluster) {
    throw new UsageError("Check against what? Pass --initiative baseline|restricted, --assignment <ref>, or --cluster <name>.");
  }
  if (initiative && cluster) throw new UsageError("Choose one of --initiative (offline defaults) and --cluster (every carrier as configured in Azure).");
  if (params.length > 0 && !initiative) {
    throw new UsageError("--param goes with --initiative; with --assignment the values are read from Azure.");
  }
  const failOn = (stringOption(input, "failOn") ?? "deny") as FailOn;
  if (!["deny", "audit", "never"].includes(failOn)) throw new UsageError(`--fail-on must be deny, audit or never, not '${failOn}'.`);
  let source: CheckSource;
  if (initiative) {
    if (initiative !== "baseline" && initiative !== "restricted") throw new UsageError(`--initiative must be baseline or restricted, not '${initiative}'.`);
    source = { kind: "initiative", initiative, parameters: parseParams(params, initiative) };
  } else if (assignment) {
    source = { kind: "assignment", reference: assignment, cluster };
  } else {
    source = { kind: "cluster", cluster: cluster as string };
  }
  return {
    ...parseScopeSelection(input),
    inputs,
    source,
    namespace: stringOption(input, "namespace"),
    failOn,
    showPasses: booleanOption(input, "showPasses"),
    stream: booleanOption(input, "stream"),
    jobs: parseJobs(stringOption(input, "jobs")),
  };
}

/** `--jobs`: a whole number of worker threads, 0 to 64. */
function parseJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const jobs = Number(text);
  if (text.trim() === "" || !Number.isInteger(jobs) || jobs < 0 || jobs > 64) {
    throw new UsageError(`--jobs must be a whole number from 0 to 64, not '${text}'.`, {
      suggestion: "Pass --jobs 0 to check in the main thread only, or leave it out for the default (a worker only for a large input when a core is idle).",
    });
  }
  return jobs;
}

/**
 * `check --initiative` without `--param effect`: say in the summary which effect was assumed (the
 * initiative's default, Audit) and that --fail-on decides the gate, so an all-"audited" result is not
 * mistaken for what a cluster with a Deny assignment would do.
 */
function defaultEffectNote(options: CheckOptions): string {
  if (options.source.kind !== "initiative" || Object.keys(options.source.parameters).some((name) => name.toLowerCase() === "effect")) return "";
  const effect = initiativeParameters(BUILTIN_INITIATIVES[options.source.initiative]).effect?.defaultValue ?? "Audit";
  return `No --param effect: the initiative default (${String(effect)}) applies, as on an assignment that does not set it; --fail-on ${options.failOn} decides the gate (pass --param effect=Deny to see what a Deny assignment would block).\n`;
}

/** `name=value`: the value is JSON when it parses (`["a","b"]`, `{"paths":[]}`, `true`), else a string. */
function parseParams(params: string[], initiative: BuiltinInitiativeName): Record<string, unknown> {
  const known = initiativeParameterNames(BUILTIN_INITIATIVES[initiative]);
  const result: Record<string, unknown> = {};
  for (const param of params) {
    const index = param.indexOf("=");
    if (index <= 0) throw new UsageError(`--param '${param}' is not name=value.`);
    const name = param.slice(0, index);
    const text = param.slice(index + 1);
    if (!known.includes(name)) {
      const close = didYouMean(name, known);
      throw new UsageError(`The ${initiative} initiative has no parameter '${name}'.${close ? ` Did you mean '${close}'?` : ""}`, { suggestion: `Its parameters: ${known.join(", ")}.` });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    // The same validator as params set: type, exact allowedValues (effect=Deney is refused, not
    // silently treated as the default), the object schema, namespace names.
    validateParameterValue(initiativeParameters(BUILTIN_INITIATIVES[initiative]), name, value);
    result[name] = value;
  }
  return result;
}

// ---- What to evaluate against.

interface ResolvedInitiative {
  initiative: EffectiveInitiative;
  assignmentReference?: string;
  cluster?: string;
  /** check --cluster: every carrier on the cluster, each workload evaluated against all of them. */
  clusterEvaluation?: PassSettings["cluster"];
  clusterReport?: { name: string; carriers: Array<{ kind: string; name: string; family: string }> };
}

function offlineInitiative(source: Extract<CheckSource, { kind: "initiative" }>): ResolvedInitiative {
  return {
    initiative: resolveInitiative({
      setDefinition: BUILTIN_INITIATIVES[source.initiative],
      assignment: { parameters: Object.fromEntries(Object.entries(source.parameters).map(([k, value]) => [k, { value }])) },
    }),
  };
}

/** Azure modules are imported here only, so --initiative runs never load them. */
async function initiativeFromAzure(options: CheckOptions, source: Extract<CheckSource, { kind: "assignment" }>, ctx: CheckDeps): Promise<ResolvedInitiative> {
  const [
    { resolveAssignment },
    { SetDefinitionCache },
    { resolveClusterIn },
    { assignmentAppliesToCluster },
    { normalizeId },
    { sessionReader, listClusterExemptions },
    { initiativeFromEnforcement },
  ] = await Promise.all([
    import("../src/policy/assignments.js"),
    import("../src/policy/definitions.js"),
    import("../src/azure/clusters.js"),
    import("../src/policy/applicability.js"),
    import("../src/azure/ids.js"),
    import("../src/effective/azure.js"),
    import("../src/check/initiative.js"),
  ]);
  const session = ctx.azure;
  const definitions = new SetDefinitionCache(session);
  const entry = await resolveAssignment({
    session,
    definitions,
    reference: source.reference,
    targets: () => resolveTargets(ctx, options),
    choose: chooser(ctx),
  });
  const { assignment } = entry;
  const enforcement = await sessionReader(session, definitions).enforcement(assignment);
  if (!enforcement) throw new UsageError(`${assignment.name} carries none of the nine pod-security policies.`);
  let exemptions: ExemptionInput[] = [];
  if (source.cluster) {
    const cluster = await resolveClusterIn(ctx, source.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
    const { clusterManagementGroups } = await import("../src/policy/affected-clusters.js");
    cluster.managementGroups = await clusterManagementGroups(session, cluster, [assignment]);
    const applicability = assignmentAppliesToCluster(assignment, cluster);
    if (!applicability.applies) ctx.io.warn(`${assignment.name} does not apply to ${cluster.name}: ${applicability.reason}. The results show what it would do if it did.`);
    else if (!cluster.azurePolicyEnabled) ctx.io.warn(`The Azure Policy add-on is disabled on ${cluster.name}: nothing is enforced there until it is enabled.`);
    const now = ctx.clock.now();
    const atCluster = await listClusterExemptions(session, cluster.id);
    exemptions = atCluster
      .filter((exemption) => normalizeId(exemption.policyAssignmentId) === normalizeId(assignment.id ?? ""))
      .filter((exemption) => !exemption.expiresOn || new Date(exemption.expiresOn).getTime() > now.getTime())
      .map((exemption) => ({
        id: exemption.id,
        name: exemption.name,
        exemptionCategory: exemption.exemptionCategory,
        policyDefinitionReferenceIds: exemption.policyDefinitionReferenceIds,
        expiresOn: exemption.expiresOn ?? undefined,
      }));
  }
  return { initiative: initiativeFromEnforcement(enforcement, exemptions), assignmentReference: assignment.name ?? source.reference, cluster: source.cluster };
}

/** check --cluster: every carrier on the cluster, each violation decided by the strictest one. */
async function clusterFromAzure(options: CheckOptions, source: Extract<CheckSource, { kind: "cluster" }>, ctx: CheckDeps): Promise<ResolvedInitiative> {
  const [{ resolveClusterIn }, { sessionReader, readClusterSources }, { clusterInitiatives }] = await Promise.all([
    import("../src/azure/clusters.js"),
    import("../src/effective/azure.js"),
    import("../src/check/cluster.js"),
  ]);
  const session = ctx.azure;
  const cluster = await resolveClusterIn(ctx, source.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
  if (!cluster.azurePolicyEnabled) ctx.io.warn(`The Azure Policy add-on is disabled on ${cluster.name}: nothing is enforced there until it is enabled.`);
  const sources = await readClusterSources(session, sessionReader(session), cluster);
  const initiatives = clusterInitiatives(sources, ctx.clock.now());
  const members = new Map<string, EffectiveInitiative["members"][number]>();
  for (const { initiative } of initiatives) for (const member of initiative.members) if (!members.has(member.definitionId.toLowerCase())) members.set(member.definitionId.toLowerCase(), member);
  return {
    initiative: {
      id: cluster.id,
      name: cluster.name,
      displayName: `every carrier on ${cluster.name}`,
      enforcementMode: "Default",
      parameters: {},
      members: [...members.values()],
    },
    cluster: cluster.name,
    clusterEvaluation: { name: cluster.name, initiatives },
    clusterReport: { name: cluster.name, carriers: initiatives.map((entry) => entry.carrier) },
  };
}
