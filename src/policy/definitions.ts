import type { PolicyAssignment, PolicyClient, PolicySetDefinition, PolicySetDefinitionVersion } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import { parseScope, segments } from "../azure/ids.js";
import { NotFoundError } from "../errors.js";
import { resolveVersion } from "./versions.js";

export type SetDefinition = (PolicySetDefinition | PolicySetDefinitionVersion) & { id?: string; name?: string; versions?: string[] };

interface SetLocation {
  /** undefined for built-ins (tenant level). */
  managementGroup?: string;
  subscriptionId?: string;
  name: string;
  /** A single policy definition (a member assigned on its own) rather than a set. */
  single?: boolean;
}

/** Where a policy set definition, or a single policy definition, lives. */
export function locateSetDefinition(id: string): SetLocation | undefined {
  const parts = segments(id);
  const lower = parts.map((part) => part.toLowerCase());
  const index = Math.max(lower.lastIndexOf("policysetdefinitions"), lower.lastIndexOf("policydefinitions"));
  if (index < 2 || lower[index - 1] !== "microsoft.authorization" || !parts[index + 1]) return undefined;
  const name = parts[index + 1] as string;
  const single = lower[index] === "policydefinitions";
  const scopeParts = parts.slice(0, index - 2); // drop "providers/Microsoft.Authorization"
  if (scopeParts.length === 0) return { name, single };
  const info = parseScope(`/${scopeParts.join("/")}`);
  return { name, managementGroup: info.managementGroup, subscriptionId: info.subscriptionId, single };
}

export function isPolicySetId(id: string | undefined): boolean {
  return !!id && /\/providers\/microsoft\.authorization\/policysetdefinitions\//i.test(id);
}

/**
 * Reads policy set definitions from Azure at the version an assignment actually uses, once each.
 * Edits start from these (never from the copy compiled into akspol): Azure may ship new defaults.
 */
export class SetDefinitionCache {
  private readonly cache = new Map<string, Promise<SetDefinition>>();
  constructor(private readonly session: AzureSession) {}

  /** One request per key for the life of the cache; a failed request is forgotten so it can be retried. */
  private memo(key: string, load: (location: SetLocation, client: PolicyClient) => Promise<SetDefinition>, id: string, subscriptionHint?: string): Promise<SetDefinition> {
    let promise = this.cache.get(key);
    if (!promise) {
      promise = (async () => {
        const location = locateSetDefinition(id);
        if (!location) throw new NotFoundError(`'${id}' is not a policy set definition or policy definition id.`);
        return load(location, await this.session.policyClient(location.subscriptionId ?? subscriptionHint));
      })();
      this.cache.set(key, promise);
      promise.catch(() => this.cache.delete(key));
    }
    return promise;
  }

  /** The set definition as it currently is (latest version), with its `versions` list. */
  latest(id: string, subscriptionHint?: string): Promise<SetDefinition> {
    return this.memo(
      `${id.toLowerCase()}@latest`,
      (location, client) => {
        if (location.single) {
          const definitions = client.policyDefinitions;
          if (location.managementGroup) return definitions.getAtManagementGroup(location.managementGroup, location.name) as Promise<SetDefinition>;
          if (location.subscriptionId) return definitions.get(location.name) as Promise<SetDefinition>;
          return definitions.getBuiltIn(location.name) as Promise<SetDefinition>;
        }
        if (location.managementGroup) return client.policySetDefinitions.getAtManagementGroup(location.managementGroup, location.name);
        if (location.subscriptionId) return client.policySetDefinitions.get(location.name);
        return client.policySetDefinitions.getBuiltIn(location.name);
      },
      id,
      subscriptionHint,
    );
  }

  /** A specific version ("2.4.0"). */
  version(id: string, version: string, subscriptionHint?: string): Promise<SetDefinition> {
    return this.memo(
      `${id.toLowerCase()}@${version}`,
      (location, client) => {
        if (location.single) {
          const single = client.policyDefinitionVersions;
          if (location.managementGroup) return single.getAtManagementGroup(location.managementGroup, location.name, version) as Promise<SetDefinition>;
          if (location.subscriptionId) return single.get(location.name, version) as Promise<SetDefinition>;
          return single.getBuiltIn(location.name, version) as Promise<SetDefinition>;
        }
        const versions = client.policySetDefinitionVersions;
        if (location.managementGroup) return versions.getAtManagementGroup(location.managementGroup, location.name, version);
        if (location.subscriptionId) return versions.get(location.name, version);
        return versions.getBuiltIn(location.name, version);
      },
      id,
      subscriptionHint,
    );
  }

  /**
   * The set definition at the version the assignment uses: its effectiveDefinitionVersion when the
   * assignment was read with $expand, else the newest version matching definitionVersion.
   */
  async forAssignment(assignment: PolicyAssignment, subscriptionHint?: string): Promise<SetDefinition> {
    const id = assignment.policyDefinitionId;
    if (!id || !locateSetDefinition(id)) throw new NotFoundError(`Assignment ${assignment.name} does not assign a policy definition or set.`);
    const latest = await this.latest(id, subscriptionHint);
    const wanted = assignment.effectiveDefinitionVersion ?? resolveVersion(assignment.definitionVersion, latest.versions ?? (latest.version ? [latest.version] : []));
    if (!wanted || wanted === latest.version) return latest;
    return this.version(id, wanted, subscriptionHint);
  }
}
