// Flags several commands share, declared once with their parse: the journal's --reason/--ticket, the
// per-policy --policies of exclude, one cluster (--cluster, --resource-group, --all-subscriptions) and
// one exemption (<name-or-id>, --cluster, --resource-group). Scope flags: scope-options.ts; --engine:
// engine-option.ts; expiry flags: expiry-options.ts.
import type { ExemptionLookup } from "../exemptions/lookup.js";
import { UsageError } from "./errors.js";
import { listOption, stringOption, type ArgumentSpec, type OptionSpec, type ParsedInput } from "./option-spec.js";
import { parseLabelExclusions, type LabelExclusion } from "../policy/per-policy.js";

/** --reason and --ticket of a write: recorded in the local journal. */
export const journalOptionSpecs: OptionSpec[] = [
  { flags: "--reason <text>", description: "why (recorded in the local journal, not on the assignment)" },
  { flags: "--ticket <id>", description: "change or incident ticket (recorded in the journal)" },
];

/** --policies of exclude add/remove. */
export const excludePoliciesOptionSpec: OptionSpec = {
  flags: "--policies <ref,...>",
  description: "only the exclusion parameters these policies read (sets with per-policy parameters, such as the cloud security benchmark); member names or reference ids",
};

/** The per-policy flags exclude add and remove share (issue 17): which members, and which pods, containers or images. */
export function podExclusionOptionSpecs(verb: "exclude" | "stop excluding"): OptionSpec[] {
  return [
    { flags: "--except-policies <ref,...>", description: "every policy of the initiative but these" },
    {
      flags: "--label-selector <key=value,...>",
      description: `${verb} the pods carrying any of these labels ('key' alone: any pod with the label) ${verb === "exclude" ? "from" : "in"} the selected policies`,
    },
    { flags: "--container <name>", description: `${verb} containers of this name ${verb === "exclude" ? "from" : "in"} the selected policies (repeatable or comma-separated)` },
    { flags: "--image <pattern>", description: `${verb} this image (a trailing * matches a prefix) ${verb === "exclude" ? "from" : "in"} the selected policies (repeatable or comma-separated)` },
  ];
}

export interface PodExclusions {
  /** Every member but these. */
  exceptPolicies: string[];
  /** Pods excluded by label (matchExpressions NotIn / DoesNotExist on each selected member's labelSelector). */
  labels: LabelExclusion[];
  containers: string[];
  images: string[];
}

const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parsePodExclusions(input: ParsedInput): PodExclusions {
  const labelText = stringOption(input, "labelSelector");
  const containers = listOption(input, "container");
  for (const container of containers) {
    if (!CONTAINER_NAME.test(container))
      throw new UsageError(`Invalid --container '${container}': a container name is 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit.`);
  }
  const images = listOption(input, "image");
  for (const image of images) {
    if (/\s/.test(image) || image === "*") throw new UsageError(`Invalid --image '${image}': name one image or an image prefix ending in '*' (for example myregistry.azurecr.io/node-exporter:*).`);
  }
  return { exceptPolicies: listOption(input, "exceptPolicies"), labels: labelText === undefined ? [] : parseLabelExclusions(labelText), containers, images };
}

export interface ClusterSelection {
  cluster: string;
  resourceGroup?: string;
  allSubscriptions: boolean;
}

/** One cluster, for the safeguards commands. */
export const clusterOptionSpecs: OptionSpec[] = [
  { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id)" },
  { flags: "--resource-group <name>", description: "the cluster's resource group (with a name)" },
  { flags: "--all-subscriptions", description: "look for the cluster in every subscription the signed-in principal can see" },
];

export function parseClusterSelection(input: ParsedInput): ClusterSelection {
  const cluster = stringOption(input, "cluster");
  if (!cluster) throw new UsageError("Which cluster? Pass --cluster <name or resource id>.");
  return { cluster, resourceGroup: stringOption(input, "resourceGroup"), allSubscriptions: input.options.allSubscriptions === true };
}

/** An exemption by name or id, with the cluster it is on when the name is not unique (what findExemption takes). */
export type ExemptionReference = ExemptionLookup;

export const exemptionReferenceArgument: ArgumentSpec = { name: "name-or-id", description: "the exemption's name or full id", required: true };

export const exemptionReferenceOptionSpecs: OptionSpec[] = [
  { flags: "--cluster <name-or-id>", description: "the cluster the exemption is on (when the name is not unique)" },
  { flags: "--resource-group <name>", description: "the cluster's resource group" },
];

export function parseExemptionReference(input: ParsedInput): ExemptionReference {
  const reference = input.args[exemptionReferenceArgument.name];
  if (typeof reference !== "string" || !reference.trim()) throw new UsageError("Pass the exemption's name or id.");
  return { reference: reference.trim(), cluster: stringOption(input, "cluster"), resourceGroup: stringOption(input, "resourceGroup") };
}
