import type { Agent as HttpsAgent } from "node:https";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * The one bound on ARM requests in flight for a whole akspol process (--concurrency). Every SDK
 * client and the exemptions REST client of a session send through the same limiter, so the bound
 * holds whatever part of the code issues a request and however many subscriptions are walked in
 * parallel. Slots are taken per attempt (a perRetry policy): while the retry policy waits out a
 * Retry-After, the slot is free for other requests.
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The most requests ever in flight at once (for --debug and tests). */
  peak = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => (this.take(), resolve())));
  }

  private take(): void {
    this.active += 1;
    if (this.active > this.peak) this.peak = this.active;
  }

  private release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }
}

/**
 * Sends each attempt through the limiter, over the session's one keep-alive agent for the endpoint
 * (without it every SDK client, one per subscription, opens its own TLS connections). A request that
 * already has an agent (a configured proxy) keeps it.
 */
export function requestLimiterPolicy(limiter: RequestLimiter, agent: HttpsAgent): PipelinePolicy {
  return {
    name: "akspolRequestLimiterPolicy",
    sendRequest(request, next) {
      request.agent ??= agent;
      return limiter.run(() => next(request));
    },
  };
}
