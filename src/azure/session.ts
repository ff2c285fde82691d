import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { PolicyClient } from "@azure/arm-policy";
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import type { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { ManagementGroupsAPI } from "@azure/arm-managementgroups";
import type { PolicyInsightsClient } from "@azure/arm-policyinsights";
import type { CloudName, GlobalOptions } from "../cli/global-options.js";
import { AuthError, UsageError } from "../errors.js";
import { clouds, type CloudConfig } from "./clouds.js";
import { createCredential, principalFromClaims, tokenClaims } from "./credentials.js";
import { ExemptionsClient } from "./exemptions-client.js";
import type { ResourceGraph } from "./resource-graph.js";
import type { SafeguardsClient } from "./safeguards-client.js";
import { RequestLimiter, requestLimiterPolicy } from "./request-limiter.js";
import { ScopeFailures } from "./scope-pool.js";
import { errorBodyPolicy } from "./arm-errors.js";
import { TenantRouting } from "./tenants.js";
import { version } from "../version.js";
import { subscriptionOfScope } from "./ids.js";

/** What `akspol emulator` writes to <state-dir>/connection.json. */
export interface EmulatorConnectionFile {
  endpoint: string;
  caCertPath: string;
  tenantId: string;
  authorityHost: string;
  principals: Array<{ name: string; clientId: string; clientSecret: string; objectId: string }>;
  subscriptions: string[];
  tenants?: string[];
  /** The cloud the emulator serves built-ins of; absent in a file an older emulator wrote. */
  cloud?: "AzureCloud" | "AzureUSGovernment";
}

export async function readEmulatorConnection(dir: string): Promise<EmulatorConnectionFile> {
  const file = join(dir, "connection.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as EmulatorConnectionFile;
  } catch (error) {
    throw new UsageError(`Cannot read the emulator connection file '${file}': ${(error as Error).message}`, {
      suggestion: "Start one with 'akspol emulator' (it writes connection.json), or point --emulator-dir at its state dir.",
    });
  }
}

export interface SessionDeps {
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  log: (text: string) => void;
  debug: (text: string) => void;
  /** Tests may inject a credential instead of signing in. */
  credential?: TokenCredential;
}

export interface Principal {
  id: string;
  name: string;
}

/**
 * The signed-in connection to one Azure cloud (or the emulator): one credential, and SDK clients
 * built lazily with the same pipeline options (endpoint, TLS trust, retries, --debug logging).
 * Nothing here is imported until a command needs Azure, so `--help` never loads the SDK.
 */
export class AzureSession {
  private credentialPromise?: Promise<TokenCredential>;
  private connectionPromise?: Promise<{ cloud: CloudConfig; ca?: string; emulator?: EmulatorConnectionFile }>;
  private readonly policyClients = new Map<string, Promise<PolicyClient>>();
  private readonly containerClients = new Map<string, Promise<ContainerServiceClient>>();
  private subscriptionClientPromise?: Promise<SubscriptionClient>;
  private exemptionsPromise?: Promise<ExemptionsClient>;
  private safeguardsPromise?: Promise<SafeguardsClient>;
  private managementGroupsPromise?: Promise<ManagementGroupsAPI>;
  private principalPromise?: Promise<Principal>;
  private readonly resourceGraphs = new Map<string, Promise<ResourceGraph>>();
  private policyInsightsPromise?: Promise<PolicyInsightsClient>;
  private readonly agents = new Map<string, import("node:https").Agent>();
  /** One bound on ARM requests in flight for the whole invocation (--concurrency), shared by every client. */
  readonly limiter: RequestLimiter;
  credentialKind = "";
  /** Scopes this run could not read (README "Exit codes": 7 for reads). */
  readonly scopeFailures = new ScopeFailures();
  private readonly tenants = new TenantRouting(() => this.credential());

  constructor(private readonly deps: SessionDeps) {
    this.limiter = new RequestLimiter(deps.globals.concurrency);
  }

  get globals(): GlobalOptions {
    return this.deps.globals;
  }

  /** One line of status for the user (stderr), from code that has no IO object. */
  note(text: string): void {
    this.deps.log(text);
  }

  connection(): Promise<{ cloud: CloudConfig; ca?: string; emulator?: EmulatorConnectionFile }> {
    this.connectionPromise ??= (async () => {
      const { globals } = this.deps;
      if (!globals.emulatorDir) return { cloud: clouds[globals.cloud] };
      const emulator = await readEmulatorConnection(globals.emulatorDir);
      const ca = await readFile(emulator.caCertPath, "utf8");
      const cloud: CloudConfig = {
        name: "Emulator",
        resourceManager: emulator.endpoint.replace(/\/$/, ""),
        authorityHost: emulator.authorityHost.replace(/\/$/, ""),
        scope: `${emulator.endpoint.replace(/\/$/, "")}/.default`,
        portal: emulator.endpoint,
      };
      return { cloud, ca, emulator };
    })();
    return this.connectionPromise;
  }

  /**
   * The cloud whose built-in definitions this session reads: the signed-in cloud, or the one the
   * emulator serves (undefined when its connection file does not say).
   */
  async builtInCloud(): Promise<CloudName | undefined> {
    const { emulator } = await this.connection();
    return emulator ? emulator.cloud : this.deps.globals.cloud;
  }

  credential(): Promise<TokenCredential> {
    this.credentialPromise ??= (async () => {
      if (this.deps.credential) {
        this.credentialKind = "injected";
        return this.deps.credential;
      }
      const { cloud, ca, emulator } = await this.connection();
      if (emulator) {
        const wanted = this.deps.globals.principal ?? "admin";
        const principal = emulator.principals.find((candidate) => candidate.name === wanted);
        if (!principal) {
          throw new UsageError(`The emulator has no principal '${wanted}'.`, {
            suggestion: `Use --principal with one of: ${emulator.principals.map((p) => p.name).join(", ")}.`,
          });
        }
        const { ClientSecretCredential } = await import("@azure/identity");
        this.credentialKind = "ClientSecretCredential (emulator)";
        return new ClientSecretCredential(this.deps.globals.tenant ?? emulator.tenantId, principal.clientId, principal.clientSecret, {
          authorityHost: emulator.authorityHost,
          disableInstanceDiscovery: true,
          tlsOptions: { ca },
          // The emulator is on loopback: a direct agent keeps a configured HTTPS_PROXY from intercepting it.
          agent: await this.agent(emulator.authorityHost, ca),
          additionallyAllowedTenants: ["*"],
        });
      }
      const choice = await createCredential({
        auth: this.deps.globals.auth,
        tenantId: this.deps.globals.tenant,
        clientId: this.deps.globals.clientId,
        authorityHost: cloud.authorityHost,
        env: this.deps.env,
        log: this.deps.log,
      });
      this.credentialKind = choice.kind;
      this.deps.debug(`credential: ${choice.kind}`);
      return choice.credential;
    })();
    return this.credentialPromise;
  }

  /** The principal behind the token, for journals and exemption metadata (name and object id only). */
  principal(): Promise<Principal> {
    this.principalPromise ??= (async () => {
      const { cloud } = await this.connection();
      const credential = await this.credential();
      const token = await credential.getToken(cloud.scope);
      if (!token) throw new AuthError("Could not get an access token.", { suggestion: "Run 'az login' or choose --auth." });
      return principalFromClaims(tokenClaims(token.token));
    })();
    return this.principalPromise;
  }

  /** Pipeline options shared by every client. */
  async clientOptions(): Promise<Record<string, unknown>> {
    const { cloud, ca, emulator } = await this.connection();
    const agent = await this.agent(cloud.resourceManager, ca);
    const additionalPolicies: Array<{ policy: PipelinePolicy; position: "perCall" | "perRetry" }> = [
      { policy: errorBodyPolicy, position: "perCall" },
      { policy: requestLimiterPolicy(this.limiter, agent), position: "perRetry" },
    ];
    if (this.deps.globals.debug) additionalPolicies.push({ policy: debugPolicy(this.deps.debug), position: "perRetry" });
    return {
      endpoint: cloud.resourceManager,
      credentials: { scopes: [cloud.scope] },
      ...(ca ? { tlsOptions: { ca } } : {}),
      // The emulator is on loopback: the pipeline's own agent comes before its proxy policy, so a
      // configured HTTPS_PROXY never intercepts it (and no process-wide NO_PROXY is written).
      ...(emulator ? { agent } : {}),
      additionalPolicies,
      userAgentOptions: { userAgentPrefix: `akspol/${version}` },
      retryOptions: { maxRetries: 4 },
    };
  }

  /** One keep-alive HTTPS agent per endpoint for all clients (at most --concurrency sockets). */
  private async agent(endpoint: string, ca: string | undefined): Promise<import("node:https").Agent> {
    const origin = new URL(endpoint).origin;
    let agent = this.agents.get(origin);
    if (!agent) {
      const { Agent } = await import("node:https");
      agent = new Agent({ keepAlive: true, maxSockets: this.limiter.limit, ...(ca ? { ca } : {}) });
      this.agents.set(origin, agent);
    }
    return agent;
  }

  policyClient(subscriptionId = "00000000-0000-0000-0000-000000000000"): Promise<PolicyClient> {
    const key = subscriptionId.toLowerCase();
    let client = this.policyClients.get(key);
    if (!client) {
      client = (async () => {
        const { PolicyClient } = await import("@azure/arm-policy");
        const options = await this.clientOptions();
        return new PolicyClient(await this.credentialForSubscription(subscriptionId), subscriptionId, {
          ...options,
          ...(this.deps.globals.apiVersion ? { apiVersion: this.deps.globals.apiVersion } : {}),
        });
      })();
      this.policyClients.set(key, client);
    }
    return client;
  }

  containerClient(subscriptionId: string): Promise<ContainerServiceClient> {
    const key = subscriptionId.toLowerCase();
    let client = this.containerClients.get(key);
    if (!client) {
      client = (async () => {
        const { ContainerServiceClient } = await import("@azure/arm-containerservice");
        return new ContainerServiceClient(await this.credentialForSubscription(subscriptionId), subscriptionId, await this.clientOptions());
      })();
      this.containerClients.set(key, client);
    }
    return client;
  }

  /** Subscriptions and tenants as seen with a token for `tenantId` (default: the signed-in tenant). */
  subscriptionClient(tenantId?: string): Promise<SubscriptionClient> {
    if (tenantId !== undefined) {
      return (async () => {
        const { SubscriptionClient } = await import("@azure/arm-resources-subscriptions");
        return new SubscriptionClient(await this.tenants.credentialFor(tenantId), await this.clientOptions());
      })();
    }
    this.subscriptionClientPromise ??= (async () => {
      const { SubscriptionClient } = await import("@azure/arm-resources-subscriptions");
      return new SubscriptionClient(await this.credential(), await this.clientOptions());
    })();
    return this.subscriptionClientPromise;
  }

  /** Several tenants (README "Several tenants"): which tenant a subscription belongs to, and its token. */
  rememberTenant(subscriptionId: string, tenantId: string): void {
    this.tenants.remember(subscriptionId, tenantId);
  }

  tenantOf(subscriptionId: string): string | undefined {
    return this.tenants.tenantOf(subscriptionId);
  }

  credentialForSubscription(subscriptionId: string | undefined): Promise<TokenCredential> {
    return this.tenants.credentialForSubscription(subscriptionId);
  }

  /** The credential for the tenant of the subscription an ARM scope lies in. */
  credentialForScope(scope: string): Promise<TokenCredential> {
    return this.tenants.credentialForSubscription(subscriptionOfScope(scope));
  }

  managementGroupsClient(): Promise<ManagementGroupsAPI> {
    this.managementGroupsPromise ??= (async () => {
      const { ManagementGroupsAPI } = await import("@azure/arm-managementgroups");
      const options = await this.clientOptions();
      const { cloud } = await this.connection();
      return new ManagementGroupsAPI(await this.credential(), { ...options, credentialScopes: [cloud.scope] });
    })();
    return this.managementGroupsPromise;
  }

  /**
   * Azure Resource Graph (queries paced by its quota headers), one client per tenant: a query sees the
   * subscriptions of its token's tenant. Loaded only for `--engine resource-graph`.
   */
  resourceGraph(tenantId?: string): Promise<ResourceGraph> {
    const key = tenantId?.toLowerCase() ?? "";
    let graph = this.resourceGraphs.get(key);
    if (!graph) {
      graph = (async () => {
        const [{ ResourceGraphClient }, { ResourceGraph }] = await Promise.all([import("@azure/arm-resourcegraph"), import("./resource-graph.js")]);
        const options = (await this.clientOptions()) as { additionalPolicies: Array<{ policy: PipelinePolicy; position: "perCall" | "perRetry" }> };
        let instance: ResourceGraph | undefined;
        const quota = ResourceGraph.quotaPolicy((headers) => instance?.observe(headers));
        const credential = tenantId === undefined ? await this.credential() : await this.tenants.credentialFor(tenantId);
        const client = new ResourceGraphClient(credential, { ...options, additionalPolicies: [...options.additionalPolicies, { policy: quota, position: "perRetry" }] });
        instance = new ResourceGraph(client, this.deps.log);
        return instance;
      })();
      this.resourceGraphs.set(key, graph);
    }
    return graph;
  }

  /** Compliance states (pods reported by the Azure Policy add-on); loaded only by the commands that read them. */
  policyInsightsClient(): Promise<PolicyInsightsClient> {
    this.policyInsightsPromise ??= (async () => {
      const { PolicyInsightsClient } = await import("@azure/arm-policyinsights");
      return new PolicyInsightsClient(await this.credential(), await this.clientOptions());
    })();
    return this.policyInsightsPromise;
  }

  exemptions(): Promise<ExemptionsClient> {
    this.exemptionsPromise ??= (async () => {
      const { cloud } = await this.connection();
      const options = await this.clientOptions();
      const apiVersion = this.deps.globals.exemptionsApiVersion;
      return ExemptionsClient.create(cloud.resourceManager, (scope) => this.credentialForScope(scope), { ...options, ...(apiVersion ? { apiVersion } : {}) });
    })();
    return this.exemptionsPromise;
  }

  /** Deployment Safeguards of AKS clusters (src/azure/safeguards-client.ts). */
  safeguards(): Promise<SafeguardsClient> {
    this.safeguardsPromise ??= (async () => {
      const { SafeguardsClient } = await import("./safeguards-client.js");
      const { cloud } = await this.connection();
      return SafeguardsClient.create(cloud.resourceManager, await this.credential(), await this.clientOptions());
    })();
    return this.safeguardsPromise;
  }
}

/** --debug: method, URL, status, duration and request id of every attempt. Never headers or bodies. */
function debugPolicy(debug: (text: string) => void): PipelinePolicy {
  return {
    name: "akspolDebugPolicy",
    async sendRequest(request, next) {
      const started = Date.now();
      try {
        const response = await next(request);
        debug(`${request.method} ${request.url} -> ${response.status} (${Date.now() - started} ms, x-ms-request-id ${response.headers.get("x-ms-request-id") ?? "-"})`);
        return response;
      } catch (error) {
        debug(`${request.method} ${request.url} -> ${(error as Error).name}: ${(error as Error).message}`);
        throw error;
      }
    },
  };
}
