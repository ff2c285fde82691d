/**
 * Scrubs anything that looks like a credential from text bound for output, logs or journals.
 * Applied to every --debug line and every error cause we print; the journal never receives tokens.
 */
const patterns: Array<[RegExp, string]> = [
  [/(authorization["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',}]+/gi, "$1$2[redacted]"],
  [/\bbearer\s+[A-Za-z0-9\-_.~+/]+=*/gi, "Bearer [redacted]"],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, "[redacted-jwt]"],
  [/((?:client_secret|clientSecret|client_assertion|access_token|refresh_token|id_token|password|secret)["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi, "$1[redacted]"],
  [/([?&](?:sig|code|token)=)[^&\s"']+/gi, "$1[redacted]"],
];

export function redact(text: string): string {
  let result = text;
  for (const [pattern, replacement] of patterns) result = result.replace(pattern, replacement);
  return result;
}

/** Deep-copies a value with secret-looking fields replaced, for journals and debug dumps. */
export function redactValue<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value ?? null))) as T;
}
