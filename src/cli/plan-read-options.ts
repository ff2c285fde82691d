import type { OptionSpec, ParsedInput } from "./command.js";

/**
 * The plan of an assignment edit (exclude add/remove, params set/unset, undo) reads, besides the
 * assignment and its set definition, three extra sections; each costs requests that grow with the
 * clusters the assignment reaches (README "Performance"), and a script can switch each one off.
 */
export interface PlanReads {
  /** The clusters the assignment reaches: one cluster list per subscription below its scope. */
  clusters: boolean;
  /** exclude add: what another carrier still does in the namespaces, per cluster reached. */
  otherCarriers: boolean;
  /** The running pods the change affects: Policy Insights pod results (and the exemptions of clusters with results). */
  impact: boolean;
}

export const allPlanReads: PlanReads = { clusters: true, otherCarriers: true, impact: true };

export const planReadOptionSpecs: OptionSpec[] = [
  { flags: "--no-clusters", description: "do not list the clusters the assignment reaches (the plan then shows neither other carriers nor workloads, which are read per cluster)" },
  { flags: "--no-other-carriers", description: "exclude add: do not read, per cluster reached, what another carrier still enforces in the namespaces" },
  { flags: "--no-impact", description: "do not read the workloads the change affects (Azure Policy's pod results)" },
];

/** Commander sets `clusters: false` for --no-clusters (and so on); absent means read. */
export function parsePlanReads(input: ParsedInput): PlanReads {
  return {
    clusters: input.options.clusters !== false,
    otherCarriers: input.options.otherCarriers !== false,
    impact: input.options.impact !== false,
  };
}
