import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * Azure Resource Graph queries (`@azure/arm-resourcegraph`, api-version 2024-04-01): paged with
 * $skipToken at up to 1,000 rows a page, subscriptions batched 1,000 to a request (the service's
 * limit), and paced by the quota headers. ARG allows about 15 queries per 5 seconds per principal
 * and reports what is left in `x-ms-user-quota-remaining` and when it refills in
 * `x-ms-user-quota-resets-after` (hh:mm:ss); when the quota is spent this waits for the reset and
 * says so instead of failing.
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
 */
export const ROWS_PER_PAGE = 1000;
export const SUBSCRIPTIONS_PER_REQUEST = 1000;
/** Attempts of one page when the service keeps answering 429 (each after the wait it asks for). */
const MAX_THROTTLED_ATTEMPTS = 20;

export type AuthorizationScopeFilter = "AtScopeAndBelow" | "AtScopeAndAbove" | "AtScopeExact" | "AtScopeAboveAndBelow";

export interface GraphScope {
  subscriptions?: string[];
  managementGroups?: string[];
  authorizationScopeFilter?: AuthorizationScopeFilter;
}

export interface GraphQueryStats {
  /** Requests sent (pages, batches and retries after 429). */
  requests: number;
  throttled: number;
  /** Total time spent waiting for the quota, in milliseconds. */
  waitedMs: number;
}

/** "00:00:03" → 3000 ms, "00:00:03.25" → 3250 ms; undefined for anything else. */
export function parseQuotaDuration(value: string | null | undefined): number | undefined {
  const match = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(value ?? "");
  if (!match) return undefined;
  return Math.round((Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000);
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

interface QuotaState {
  /** Queries left in the window, as the latest response said. */
  remaining?: number;
  /** Queries sent whose response has not arrived: `remaining` may not count them yet. */
  outstanding: number;
  /**
   * Epoch ms when the quota window refills: the earliest of (arrival + x-ms-user-quota-resets-after) over
   * the window's responses. The header counts whole seconds (rounded up, in the emulator at least), so
   * each response bounds the reset from above and the earliest bound is the closest.
   */
  resetsAt?: number;
}

export class ResourceGraph {
  private readonly quota: QuotaState = { outstanding: 0 };
  readonly stats: GraphQueryStats = { requests: 0, throttled: 0, waitedMs: 0 };

  private readonly pageSize: number;
  private readonly subscriptionsPerRequest: number;

  constructor(
    private readonly client: ResourceGraphClient,
    private readonly say: (text: string) => void,
    limits: { pageSize?: number; subscriptionsPerRequest?: number } = {},
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.pageSize = limits.pageSize ?? ROWS_PER_PAGE;
    this.subscriptionsPerRequest = limits.subscriptionsPerRequest ?? SUBSCRIPTIONS_PER_REQUEST;
  }

  /**
   * The policy that records the quota headers of every response (retries included) and tells the
   * user when the service throttles; the SDK's retry policy then waits the Retry-After it names.
   */
  static quotaPolicy(observe: (headers: { remaining?: string; resetsAfter?: string; status: number; retryAfter?: string }) => void): PipelinePolicy {
    return {
      name: "akspolResourceGraphQuota",
      async sendRequest(request, next) {
        const response = await next(request);
        observe({
          status: response.status,
          remaining: response.headers.get("x-ms-user-quota-remaining") ?? undefined,
          resetsAfter: response.headers.get("x-ms-user-quota-resets-after") ?? undefined,
          retryAfter: response.headers.get("retry-after") ?? undefined,
        });
        return response;
      },
    };
  }

  /** Called by the quota policy with each response's headers. */
  observe(headers: { remaining?: string; resetsAfter?: string; status: number; retryAfter?: string }): void {
    this.stats.requests++;
    const now = Date.now();
    const remaining = headers.remaining === undefined ? undefined : Number(headers.remaining);
    const resetsAfter = parseQuotaDuration(headers.resetsAfter);
    // Within a window the quota only goes down: a response that left more than one already seen was
    // answered earlier and arrived late (queries run side by side), and changes nothing.
    const sameWindow = this.quota.resetsAt !== undefined && now < this.quota.resetsAt && this.quota.remaining !== undefined;
    if (remaining !== undefined && Number.isFinite(remaining) && (!sameWindow || remaining < this.quota.remaining!)) this.quota.remaining = remaining;
    this.quota.outstanding = Math.max(0, this.quota.outstanding - 1);
    if (resetsAfter !== undefined) {
      const bound = now + resetsAfter;
      // A bound of a window that has not ended yet is kept while a later response bounds it no closer.
      if (this.quota.resetsAt === undefined || this.quota.resetsAt <= now || bound < this.quota.resetsAt) this.quota.resetsAt = bound;
    }
    if (headers.status === 429) {
      this.stats.throttled++;
      this.quota.remaining = 0;
      const wait = resetsAfter ?? (Number(headers.retryAfter) || 1) * 1000;
      this.say(`Resource Graph throttled the query (429): waiting ${Math.ceil(wait / 1000)} s for the quota to reset.`);
    }
  }

  /** The wait for the quota to refill that every request in flight shares (one message, one sleep). */
  private refill: Promise<void> | undefined;

  /**
   * Before a request: when the quota is spent (what the responses left, less the queries still
   * unanswered, which it may not count yet), wait until it refills, so the queries beyond the quota wait their turn instead of being
   * refused (429) and retried after a Retry-After rounded up to whole seconds.
   */
  private async pace(): Promise<void> {
    while (this.quota.remaining !== undefined && this.quota.remaining - this.quota.outstanding <= 0 && this.quota.resetsAt !== undefined) {
      const wait = this.quota.resetsAt - Date.now();
      if (wait <= 0) {
        this.quota.remaining = undefined;
        break;
      }
      this.refill ??= (async () => {
        this.say(`Resource Graph quota used up: waiting ${Math.ceil(wait / 1000)} s for it to reset.`);
        this.stats.waitedMs += wait;
        await this.sleep(wait);
        this.quota.remaining = undefined;
        this.refill = undefined;
      })();
      await this.refill;
    }
    this.quota.outstanding++;
  }

  private async page(query: string, scope: GraphScope, skipToken: string | undefined): Promise<{ data: unknown[]; skipToken?: string }> {
    for (let attempt = 1; ; attempt++) {
      await this.pace();
      try {
        const result = await this.client.resources({
          query,
          ...(scope.subscriptions ? { subscriptions: scope.subscriptions } : {}),
          ...(scope.managementGroups ? { managementGroups: scope.managementGroups } : {}),
          options: {
            top: this.pageSize,
            resultFormat: "objectArray",
            ...(scope.authorizationScopeFilter ? { authorizationScopeFilter: scope.authorizationScopeFilter } : {}),
            ...(skipToken ? { skipToken } : {}),
          },
        });
        if (result.resultTruncated === "true" && !result.skipToken) {
          throw new Error("Resource Graph truncated the result without a $skipToken; the query must project the id column.");
        }
        return { data: Array.isArray(result.data) ? result.data : [], skipToken: result.skipToken };
      } catch (error) {
        // The SDK's retry policy has already waited and retried; keep waiting while the service asks.
        if ((error as { statusCode?: number }).statusCode !== 429 || attempt >= MAX_THROTTLED_ATTEMPTS) throw error;
        const wait = this.quota.resetsAt !== undefined ? Math.max(0, this.quota.resetsAt - Date.now()) : 1000;
        this.stats.waitedMs += wait;
        await this.sleep(wait);
      }
    }
  }

  /**
   * Every row of a query over the scope: subscriptions in batches of 1,000, the batches side by side
   * (each paged with its $skipToken), the rows in batch order.
   */
  async query<T = Record<string, unknown>>(query: string, scope: GraphScope): Promise<T[]> {
    const scopes: GraphScope[] = scope.subscriptions !== undefined ? batches(scope.subscriptions, this.subscriptionsPerRequest).map((subscriptions) => ({ ...scope, subscriptions })) : [scope];
    const results = await Promise.all(
      scopes.map(async (batch) => {
        const rows: T[] = [];
        if (batch.subscriptions !== undefined && batch.subscriptions.length === 0) return rows;
        let skipToken: string | undefined;
        do {
          const page = await this.page(query, batch, skipToken);
          for (const row of page.data as T[]) rows.push(row);
          skipToken = page.skipToken;
        } while (skipToken);
        return rows;
      }),
    );
    return results.flat();
  }
}
