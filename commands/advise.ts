import { defineCommand, stringOption } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { printRecord } from "../src/cli/output.js";

export interface AdviseOptions {
  cluster: string;
  resourceGroup?: string;
  namespace: string;
  pod: string;
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export default defineCommand<AdviseOptions>({
  path: ["advise"],
  summary: "The narrowest change that would let a denied pod through, with its blast radius",
  description:
    "For a running pod that Azure Policy reports as non-compliant: the levers that would let it through, ranked by how much protection each removes, narrowest first: a cluster exemption of the failing policies, a per-policy exclusion (where the carrier has per-policy parameters), a namespace exclusion, an Audit override for one policy. Each lever names what it stops checking, the other reported pods it would also let through or stop checking, and the exact akspol command. Reads only; changes nothing. For a workload not deployed yet, evaluate its manifest with 'akspol check --assignment ... --cluster ...'.",
  options: [
    { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id)" },
    { flags: "--namespace <ns>", description: "the pod's namespace" },
    { flags: "--pod <name>", description: "the pod's name, as 'akspol workloads' lists it" },
    { flags: "--resource-group <name>", description: "the cluster's resource group, when its name is ambiguous" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol advise --cluster aks-prod-neu --namespace monitoring --pod node-exporter-5fks2 --subscription contoso-prod",
    "akspol advise --cluster aks-prod-neu --namespace monitoring --pod node-exporter-5fks2 --subscription contoso-prod -o json",
  ],
  parse(input) {
    const cluster = stringOption(input, "cluster");
    const namespace = stringOption(input, "namespace");
    const pod = stringOption(input, "pod");
    const missing = [cluster ? undefined : "--cluster", namespace ? undefined : "--namespace", pod ? undefined : "--pod"].filter(Boolean);
    if (missing.length > 0) {
      throw new UsageError(`Missing ${missing.join(", ")}.`, { suggestion: "akspol advise --cluster <name> --namespace <ns> --pod <name>; 'akspol workloads --cluster <name>' lists the pods Azure reports." });
    }
    if (!namespacePattern.test(namespace as string)) throw new UsageError(`'${namespace}' is not a Kubernetes namespace name.`, { suggestion: "Use lower-case letters, digits and '-'." });
    return { cluster: cluster as string, namespace: namespace as string, pod: pod as string, resourceGroup: stringOption(input, "resourceGroup") };
  },
  async run(options, ctx) {
    const [{ adviseForPod }, { renderAdvice }] = await Promise.all([import("../src/workloads/advise-read.js"), import("../src/workloads/advise.js")]);
    const advice = await ctx.io.withSpinner("Reading pod results and assignments", () => adviseForPod(ctx, options));
    await printRecord(ctx.io, ctx.format, advice, () => renderAdvice({ cluster: advice.clusterName, namespace: advice.namespace, pod: advice.pod, failures: advice.failures, levers: advice.levers }));
    return 0;
  },
});
