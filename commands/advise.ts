import type { Context } from "../src/context.js";
import { defineCommand, stringOption } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { printRecord } from "../src/cli/output.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type AdviseDeps = Pick<Context, "azure" | "clock" | "format" | "io" | "prompter" | "subscriptions">;

export interface AdviseOptions {
  cluster: string;
  resourceGroup?: string;
  /** The running pod (with namespace) ... */
  namespace?: string;
  pod?: string;
  /** ... or a workload not deployed yet. */
  manifest?: string;
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export default defineCommand<AdviseOptions, AdviseDeps>({
  path: ["advise"],
  summary: "The narrowest change that would let a denied pod through, with its blast radius",
  description:
    "For a running pod that Azure Policy reports as non-compliant: the levers that would let it through, ranked by how much protection each removes, narrowest first: a cluster exemption of the failing policies, a per-policy exclusion (where the carrier has per-policy parameters, or, on the baseline and restricted initiatives, through the conversion to akspol's per-policy custom initiative when the shared excludedNamespaces would switch off more policies than the failing ones), a namespace exclusion, an Audit override for one policy. Each lever names what it stops checking, the other reported pods it would also let through or stop checking, and the exact akspol command. Reads only; changes nothing. For a workload not deployed yet, --manifest evaluates its manifest against every pod-security assignment that applies to the cluster, as 'check' does.",
  options: [
    { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id)" },
    { flags: "--namespace <ns>", description: "the pod's namespace" },
    { flags: "--pod <name>", description: "the pod's name, as 'akspol workloads' lists it (with --manifest: the workload's name, when the file holds several)" },
    { flags: "--manifest <file>", description: "a workload not deployed yet (Pod, Deployment, DaemonSet, ...), evaluated as 'check' does" },
    { flags: "--resource-group <name>", description: "the cluster's resource group, when its name is ambiguous" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol advise --cluster aks-prod-neu --namespace monitoring --pod node-exporter-5fks2 --subscription contoso-prod",
    "akspol advise --cluster aks-prod-neu --namespace monitoring --pod node-exporter-5fks2 --subscription contoso-prod -o json",
    "akspol advise --cluster aks-prod-weu --manifest examples/manifests/node-exporter.yaml --pod node-exporter --subscription contoso-prod",
  ],
  parse(input) {
    const cluster = stringOption(input, "cluster");
    const namespace = stringOption(input, "namespace");
    const pod = stringOption(input, "pod");
    const manifest = stringOption(input, "manifest");
    const missing = [cluster ? undefined : "--cluster", manifest || namespace ? undefined : "--namespace", manifest || pod ? undefined : "--pod (or --manifest)"].filter(Boolean);
    if (missing.length > 0) {
      throw new UsageError(`Missing ${missing.join(", ")}.`, {
        suggestion: "akspol advise --cluster <name> --namespace <ns> --pod <name>, or --cluster <name> --manifest <file>; 'akspol workloads --cluster <name>' lists the pods Azure reports.",
      });
    }
    if (namespace !== undefined && !namespacePattern.test(namespace))
      throw new UsageError(`'${namespace}' is not a Kubernetes namespace name.`, { suggestion: "Use lower-case letters, digits and '-'." });
    return { cluster: cluster as string, namespace, pod, manifest, resourceGroup: stringOption(input, "resourceGroup") };
  },
  async run(options, ctx) {
    const [{ adviseForPod }, { adviseForManifest }, { renderAdvice }] = await Promise.all([
      import("../src/workloads/advise-read.js"),
      import("../src/workloads/advise-manifest.js"),
      import("../src/workloads/advise.js"),
    ]);
    const advice = await ctx.io.withSpinner("Reading pod results and assignments", () =>
      options.manifest
        ? adviseForManifest(ctx, { cluster: options.cluster, resourceGroup: options.resourceGroup, manifest: options.manifest, namespace: options.namespace, workload: options.pod })
        : adviseForPod(ctx, { cluster: options.cluster, resourceGroup: options.resourceGroup, namespace: options.namespace as string, pod: options.pod as string }),
    );
    if (advice.note) ctx.io.info(`note: ${advice.note}`);
    await printRecord(ctx.io, ctx.format, advice, () => renderAdvice({ cluster: advice.clusterName, namespace: advice.namespace, pod: advice.pod, failures: advice.failures, levers: advice.levers }));
    return 0;
  },
});
