import { describe, expect, it } from "vitest";
import { redact } from "../../src/redact.js";

describe("secret redaction", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJhYmMiLCJleHAiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
  it.each([
    [`Authorization: Bearer ${jwt}`],
    [`{"access_token":"${jwt}","token_type":"Bearer"}`],
    ["client_secret=sup3r-s3cret&grant_type=client_credentials"],
    [`{"clientSecret":"sup3r-s3cret"}`],
    [`token ${jwt} leaked`],
  ])("removes secrets from %s", (text) => {
    const cleaned = redact(text);
    expect(cleaned).not.toContain(jwt);
    expect(cleaned).not.toContain("sup3r-s3cret");
    expect(cleaned).toContain("redacted");
  });

  it("leaves ordinary text alone", () => {
    expect(redact("GET https://management.azure.com/subscriptions/1?api-version=2025-03-01 -> 200")).toBe("GET https://management.azure.com/subscriptions/1?api-version=2025-03-01 -> 200");
  });
});
