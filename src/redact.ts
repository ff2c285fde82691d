/**
 * Scrubs anything that looks like a credential from text bound for output, logs or journals.
 * Applied to every --debug line and every error cause we print, and in the journal to what akspol adds
 * itself (the command line, error texts) field by field. Resource documents from Azure are journaled
 * verbatim: a regex over serialised JSON changed values that only looked like secrets (docs/issues/10.md).
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
