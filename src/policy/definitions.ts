import type { PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import { locateDefinition, readDefinition, type PolicySetDefinition, type PolicySetDefinitionVersion } from "../azure/set-definitions.js";
import { NotFoundError } from "../errors.js";
import { resolveVersion } from "./versions.js";

export type SetDefinition = (PolicySetDefinition | PolicySetDefinitionVersion) & { id?: string; name?: string; versions?: string[] };

/**
 * Reads policy set definitions from Azure at the version an assignment actually uses, once each.
 * Edits take default values only from these (never from the copy compiled into akspol): Azure may ship new defaults.
 */
export class SetDefinitionCache {
  private readonly cache = new Map<string, Promise<SetDefinition>>();
  constructor(private readonly session: AzureSession) {}

  /** One request per key for the life of the cache; a failed request is forgotten so it can be retried. */
  private memo(key: string, id: string, version: string | undefined, subscriptionHint?: string): Promise<SetDefinition> {
    let promise = this.cache.get(key);
    if (!promise) {
      promise = (async () => {
        const location = locateDefinition(id);
        if (!location) throw new NotFoundError(`'${id}' is not a policy set definition or policy definition id.`);
        // A single definition (a member assigned on its own) is read in the same shape as a set.
        return (await readDefinition(this.session, location, version, subscriptionHint)) as SetDefinition;
      })();
      this.cache.set(key, promise);
      promise.catch(() => this.cache.delete(key));
    }
    return promise;
  }

  /** The set definition as it currently is (latest version), with its `versions` list. */
  latest(id: string, subscriptionHint?: string): Promise<SetDefinition> {
    return this.memo(`${id.toLowerCase()}@latest`, id, undefined, subscriptionHint);
  }

  /** A specific version ("2.4.0"). */
  version(id: string, version: string, subscriptionHint?: string): Promise<SetDefinition> {
    return this.memo(`${id.toLowerCase()}@${version}`, id, version, subscriptionHint);
  }

  /**
   * The set definition at the version the assignment uses: its effectiveDefinitionVersion when the
   * assignment was read with $expand, else the newest version matching definitionVersion.
   */
  async forAssignment(assignment: PolicyAssignment, subscriptionHint?: string): Promise<SetDefinition> {
    const id = assignment.policyDefinitionId;
    if (!id || !locateDefinition(id)) throw new NotFoundError(`Assignment ${assignment.name} does not assign a policy definition or set.`);
    const latest = await this.latest(id, subscriptionHint);
    const wanted = assignment.effectiveDefinitionVersion ?? resolveVersion(assignment.definitionVersion, latest.versions ?? (latest.version ? [latest.version] : []));
    if (!wanted || wanted === latest.version) return latest;
    return this.version(id, wanted, subscriptionHint);
  }

  /**
   * The set definition an edit plans against. It is read from Azure (forAssignment) unless the edit
   * needs none of its default values (`needsDefaults` says so of the declaration) and akspol embeds
   * the exact version the assignment uses (effectiveDefinitionVersion) of that built-in initiative
   * for the session's cloud: then the declaration (parameter names, types, allowed values, the
   * members' wiring) is that copy's, and no request is made (docs/issues/13.md). Defaults are never
   * taken from the copy.
   */
  async forEdit(assignment: PolicyAssignment, needsDefaults?: (assignment: PolicyAssignment, declaration: SetDefinition) => boolean): Promise<SetDefinition> {
    if (needsDefaults && assignment.effectiveDefinitionVersion) {
      const { embeddedInitiative } = await import("./embedded-initiatives.js");
      const declaration = embeddedInitiative(await this.session.builtInCloud(), assignment.policyDefinitionId, assignment.effectiveDefinitionVersion) as SetDefinition | undefined;
      if (declaration && !needsDefaults(assignment, declaration)) return declaration;
    }
    return this.forAssignment(assignment);
  }
}
