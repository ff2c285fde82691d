import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

/**
 * The generated SDKs' paged operations throw "Pagination failed with unexpected statusCode 409" and
 * drop ARM's error body (they keep only the request). This policy remembers the body of each failed
 * response by its request, so an error can still name ARM's code and message.
 */
const bodies = new WeakMap<object, string>();

export const errorBodyPolicy: PipelinePolicy = {
  name: "akspolErrorBodyPolicy",
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status >= 400 && typeof response.bodyAsText === "string") bodies.set(request, response.bodyAsText);
    return response;
  },
};

/** ARM's `{"error":{code,message}}` for an SDK error, when its response could be read. */
export function armErrorBody(error: { request?: PipelineRequest | object; response?: { bodyAsText?: string | null } }): { code?: string; message?: string } | undefined {
  const text = error.response?.bodyAsText ?? (error.request ? bodies.get(error.request) : undefined);
  if (!text) return undefined;
  try {
    return (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    return undefined;
  }
}
