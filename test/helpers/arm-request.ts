// Raw HTTPS calls to the emulator for tests that check exact statuses, headers and bodies.
import { request as httpsRequest } from "node:https";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export function armRequest(
  endpoint: string,
  ca: string,
  method: string,
  pathAndQuery: string,
  options: { token?: string; body?: unknown; rawBody?: string; authorization?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const request = httpsRequest(`${endpoint}${pathAndQuery}`, { method, ca, agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) });
      });
    });
    request.on("error", reject);
    request.end(payload);
  });
}
