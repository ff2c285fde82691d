// Fetches what the model needs through injected functions, each definition once per version per
// run, and hands plain documents to the pure functions.
import { isForbidden, statusOf } from "../azure/arm-errors.js";
import { enforcementOf, flattenAssignment, flattenDefinition, type AssignmentDocument, type DefinitionDocument } from "./assignment.js";
import { resolveVersion } from "./expressions.js";
import { builtInSetCarriesMembers, isBuiltInId, isSetDefinitionId, memberOfDefinition } from "./members.js";
import { withoutSafeguardsAssignment } from "./safeguards.js";
import type { AssignmentEnforcement, ClusterSources, ExemptionFact, SafeguardsSetting } from "./types.js";
import { lastSegment } from "../azure/ids.js";

export interface EffectiveReaderDeps {
  /** A set or policy definition by id: as it is now (with its `versions` list), or at `version`. */
  readDefinition(id: string, version?: string): Promise<DefinitionDocument>;
  /** Exemptions at the cluster and above (atScope()). */
  listExemptions?(clusterId: string): Promise<ExemptionFact[]>;
  /** The cluster's Deployment Safeguards setting; undefined when it is not enabled. */
  readSafeguards?(clusterId: string): Promise<SafeguardsSetting | undefined>;
  /** Whether an error means "not found or not allowed" (the definition is then skipped). */
  isMissing?(error: unknown): boolean;
  /** Bounded concurrency for member definition reads. */
  concurrency?: number;
}

export interface ClusterRef {
  id: string;
  name: string;
  azurePolicyEnabled?: boolean;
}

function defaultIsMissing(error: unknown): boolean {
  return statusOf(error) === 404 || isForbidden(error);
}

export class EffectiveReader {
  private readonly cache = new Map<string, Promise<DefinitionDocument>>();
  constructor(private readonly deps: EffectiveReaderDeps) {}

  /** One request per id and version for the life of the reader; a failure is forgotten. */
  definition(id: string, version?: string): Promise<DefinitionDocument> {
    const key = `${id.toLowerCase()}@${version ?? "latest"}`;
    let promise = this.cache.get(key);
    if (!promise) {
      promise = this.deps.readDefinition(id, version);
      this.cache.set(key, promise);
      promise.catch(() => this.cache.delete(key));
    }
    return promise;
  }

  /** The definition at the newest version matching `pin` (the latest when it matches: one read). */
  async definitionAt(id: string, pin: string | undefined, exact?: string): Promise<DefinitionDocument> {
    const latest = await this.definition(id);
    const flat = flattenDefinition(latest);
    const wanted = exact ?? resolveVersion(pin, flat.versions ?? (flat.version ? [flat.version] : []));
    if (!wanted || wanted === flat.version) return latest;
    return this.definition(id, wanted);
  }

  /**
   * Whether an assignment may carry members, without reading anything when the answer is known:
   * a member definition, a built-in set in the carriers catalogue; custom sets must be read. Other
   * single definitions and built-in sets outside the catalogue: no.
   */
  mayCarry(assignment: AssignmentDocument): boolean {
    const id = flattenAssignment(assignment).policyDefinitionId ?? "";
    if (!isSetDefinitionId(id)) return memberOfDefinition(id) !== undefined;
    if (!isBuiltInId(id)) return true;
    return builtInSetCarriesMembers(id) !== false;
  }

  /**
   * What the assignment enforces, read at the version it uses (effectiveDefinitionVersion when
   * read with $expand, else its pin), members at the versions the set pins. Undefined when it
   * carries no member, or its definition cannot be read (404/403).
   */
  async enforcement(assignment: AssignmentDocument): Promise<AssignmentEnforcement | undefined> {
    if (!this.mayCarry(assignment)) return undefined;
    const flat = flattenAssignment(assignment) as ReturnType<typeof flattenAssignment> & { effectiveDefinitionVersion?: string };
    const definitionId = flat.policyDefinitionId ?? "";
    let definition: DefinitionDocument;
    try {
      const document = await this.definitionAt(definitionId, flat.definitionVersion, flat.effectiveDefinitionVersion);
      // A version resource is named by its version: name it by the definition again.
      definition = { ...document, id: definitionId, name: lastSegment(definitionId) } as DefinitionDocument;
    } catch (error) {
      if ((this.deps.isMissing ?? defaultIsMissing)(error)) return undefined;
      throw error;
    }
    const set = flattenDefinition(definition);
    const references = isSetDefinitionId(definitionId) ? (set.policyDefinitions ?? []).filter((reference) => memberOfDefinition(reference.policyDefinitionId)) : [];
    if (isSetDefinitionId(definitionId) && references.length === 0) return undefined;
    const overrides = flat.overrides ?? [];
    const memberDefinitions = await mapLimited(references, this.deps.concurrency ?? 8, async (reference) => {
      const versionOverride = overrides.find(
        (override) =>
          (override.kind ?? "").toLowerCase() === "definitionversion" &&
          (override.selectors ?? []).every(
            (selector) =>
              (selector.kind ?? "").toLowerCase() !== "policydefinitionreferenceid" ||
              (selector.in ?? []).some((id) => id.toLowerCase() === (reference.policyDefinitionReferenceId ?? "").toLowerCase()),
          ),
      );
      try {
        const document = await this.definitionAt(reference.policyDefinitionId ?? "", versionOverride?.value ?? reference.definitionVersion);
        // A version resource is named by its version ("6.2.0"): name it by the definition again.
        const definitionId = reference.policyDefinitionId ?? "";
        return { ...document, id: definitionId, name: lastSegment(definitionId) } as DefinitionDocument;
      } catch (error) {
        // The member is then "unknown" in the model, never silently passed.
        if ((this.deps.isMissing ?? defaultIsMissing)(error)) return undefined;
        throw error;
      }
    });
    return enforcementOf({ assignment, definition, memberDefinitions: memberDefinitions.filter((d): d is DefinitionDocument => d !== undefined) });
  }

  /** Enforcement of every assignment that carries members, in the given order. */
  async enforcements(assignments: readonly AssignmentDocument[]): Promise<AssignmentEnforcement[]> {
    const results = await mapLimited(assignments, this.deps.concurrency ?? 8, (assignment) => this.enforcement(assignment));
    return results.filter((result): result is AssignmentEnforcement => result !== undefined && result.members.length > 0);
  }

  /**
   * Everything acting on the cluster: `assignments` must be those that apply to it (scope,
   * notScopes, resource selectors); exemptions and Safeguards are read here.
   */
  async clusterSources(cluster: ClusterRef, assignments: readonly AssignmentDocument[]): Promise<ClusterSources> {
    const [enforcements, exemptions, safeguards] = await Promise.all([
      this.enforcements(assignments),
      this.deps.listExemptions ? this.deps.listExemptions(cluster.id) : Promise.resolve([]),
      this.deps.readSafeguards ? this.deps.readSafeguards(cluster.id) : Promise.resolve(undefined),
    ]);
    return {
      clusterId: cluster.id,
      clusterName: cluster.name,
      azurePolicyEnabled: cluster.azurePolicyEnabled !== false,
      assignments: withoutSafeguardsAssignment(enforcements, cluster.id, safeguards),
      exemptions,
      safeguards,
    };
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
