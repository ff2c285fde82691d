/**
 * JSON keeps every value exactly; characters a terminal would act on that JSON.stringify leaves raw
 * (DEL, C1 controls, bidirectional overrides) are written as \\u escapes, so the text is terminal-safe
 * and still parses to the same value. JSON.stringify already escapes C0 controls (ESC included), so the
 * result needs no further cleaning (IO.outJson writes it as is).
 */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
