import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { NotFoundError, UsageError } from "../errors.js";
import type { AzureSession } from "./session.js";
import type { Prompter } from "../cli/prompter.js";
import { readScopes } from "./scope-pool.js";

export interface SubscriptionRef {
  id: string;
  name: string;
  /** The Entra ID tenant the subscription belongs to, when known. */
  tenantId?: string;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return guid.test(value);
}

/** The Azure CLI's default subscription, from its azureProfile.json (AZURE_CONFIG_DIR or ~/.azure). */
export async function azureCliDefaultSubscription(env: NodeJS.ProcessEnv): Promise<SubscriptionRef | undefined> {
  const dir = env.AZURE_CONFIG_DIR ?? join(env.HOME ?? homedir(), ".azure");
  try {
    const text = (await readFile(join(dir, "azureProfile.json"), "utf8")).replace(/^\uFEFF/, "");
    const profile = JSON.parse(text) as { subscriptions?: Array<{ id: string; name: string; isDefault?: boolean }> };
    const current = profile.subscriptions?.find((subscription) => subscription.isDefault);
    return current ? { id: current.id, name: current.name } : undefined;
  } catch {
    return undefined;
  }
}

/** The subscription → tenant map of the Azure CLI's azureProfile.json (for --auth cli). */
export async function azureCliSubscriptionTenants(env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const dir = env.AZURE_CONFIG_DIR ?? join(env.HOME ?? homedir(), ".azure");
  try {
    const text = (await readFile(join(dir, "azureProfile.json"), "utf8")).replace(/^\uFEFF/, "");
    const profile = JSON.parse(text) as { subscriptions?: Array<{ id: string; tenantId?: string }> };
    return new Map((profile.subscriptions ?? []).filter((entry) => entry.tenantId).map((entry) => [entry.id.toLowerCase(), entry.tenantId as string]));
  } catch {
    return new Map();
  }
}

async function subscriptionsWith(session: AzureSession, tenantId: string | undefined): Promise<SubscriptionRef[]> {
  const client = await session.subscriptionClient(tenantId);
  const result: SubscriptionRef[] = [];
  for await (const subscription of client.subscriptions.list()) {
    if (!subscription.subscriptionId) continue;
    const tenant = subscription.tenantId ?? tenantId;
    if (tenant) session.rememberTenant(subscription.subscriptionId, tenant);
    result.push({ id: subscription.subscriptionId, name: subscription.displayName ?? subscription.subscriptionId, ...(tenant ? { tenantId: tenant } : {}) });
  }
  return result;
}

/**
 * Every subscription the principal can see, in every tenant it can reach (README "Several tenants"):
 * GET /tenants, then one subscription list per tenant with a token for that tenant, through the scope
 * pool, so a tenant whose token cannot be had (consent, MFA) is reported and the others are read.
 * --tenant narrows it to one tenant.
 */
export async function listSubscriptions(session: AzureSession): Promise<SubscriptionRef[]> {
  // Once per session (docs/issues/13.md): --subscription NAME, a desired-state file's subscription
  // names and --all-subscriptions all read the same list; a failed read is forgotten so it can be retried.
  let promise = visibleBySession.get(session);
  if (!promise) {
    promise = readVisibleSubscriptions(session);
    visibleBySession.set(session, promise);
    promise.catch(() => visibleBySession.delete(session));
  }
  return [...(await promise)];
}

const visibleBySession = new WeakMap<AzureSession, Promise<SubscriptionRef[]>>();

async function readVisibleSubscriptions(session: AzureSession): Promise<SubscriptionRef[]> {
  const wanted = session.globals.tenant;
  if (wanted) return (await subscriptionsWith(session, undefined)).sort((a, b) => a.name.localeCompare(b.name));
  const directory = await session.subscriptionClient();
  const tenants: Array<{ tenantId: string; home: boolean }> = [];
  for await (const tenant of directory.tenants.list()) {
    if (tenant.tenantId) tenants.push({ tenantId: tenant.tenantId, home: tenant.tenantCategory === "Home" });
  }
  if (tenants.length <= 1) return (await subscriptionsWith(session, undefined)).sort((a, b) => a.name.localeCompare(b.name));
  const lists = await readScopes(
    session.scopeFailures,
    tenants,
    (tenant) => `/tenants/${tenant.tenantId}`,
    session.globals.concurrency,
    (tenant) => subscriptionsWith(session, tenant.home ? undefined : tenant.tenantId),
    { discovery: true },
  );
  const unique = new Map<string, SubscriptionRef>();
  for (const subscription of lists.flatMap((entry) => entry.value)) unique.set(subscription.id.toLowerCase(), subscription);
  return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface ResolveSubscriptionDeps {
  session: AzureSession;
  env: NodeJS.ProcessEnv;
  prompter: Prompter;
  canPrompt: boolean;
  /** Values from --subscription (comma lists already split) or AZURE_SUBSCRIPTION_ID. */
  requested: string[];
}

/**
 * Subscription resolution order (README "Subscriptions"): --subscription, AZURE_SUBSCRIPTION_ID,
 * the Azure CLI default, a prompt on a terminal, else a usage error naming --subscription.
 */
export async function resolveSubscriptions(deps: ResolveSubscriptionDeps, options: { all?: boolean; multiple?: boolean } = {}): Promise<SubscriptionRef[]> {
  if (options.all) {
    const all = await listSubscriptions(deps.session);
    if (all.length === 0) throw new NotFoundError("The signed-in principal can see no subscriptions.", { suggestion: "Check the tenant (--tenant) and your role assignments." });
    return all;
  }
  if (deps.session.globals.auth === "cli") {
    // The Azure CLI knows each subscription's tenant; a token for the wrong one gets a 401.
    for (const [subscription, tenant] of await azureCliSubscriptionTenants(deps.env)) deps.session.rememberTenant(subscription, tenant);
  }
  if (deps.requested.length > 0) {
    // Ids are used as they are (no list call); names are looked up once.
    if (deps.requested.every(isGuid)) return deps.requested.map((id) => ({ id, name: id }));
    const all = await listSubscriptions(deps.session);
    return deps.requested.map((wanted) => {
      const match = all.find((s) => s.id.toLowerCase() === wanted.toLowerCase() || s.name.toLowerCase() === wanted.toLowerCase());
      if (!match) {
        throw new NotFoundError(`No subscription '${wanted}' is visible to the signed-in principal.`, {
          suggestion: `Visible subscriptions: ${all.map((s) => `${s.name} (${s.id})`).join(", ") || "none"}.`,
        });
      }
      return match;
    });
  }
  const fromCli = await azureCliDefaultSubscription(deps.env);
  if (fromCli) return [fromCli];
  if (deps.canPrompt) {
    const all = await listSubscriptions(deps.session);
    if (all.length === 0) throw new NotFoundError("The signed-in principal can see no subscriptions.");
    if (all.length === 1) return all;
    const chosen = await deps.prompter.select(
      "Which subscription?",
      all.map((s) => ({ name: `${s.name} (${s.id})`, value: s })),
    );
    return [chosen];
  }
  throw new UsageError("No subscription chosen.", {
    suggestion: "Pass --subscription <id or name> (or set AZURE_SUBSCRIPTION_ID, or run 'az account set'), or --all-subscriptions where the command offers it.",
  });
}
