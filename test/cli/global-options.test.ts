import { describe, expect, it } from "vitest";
import { resolveGlobalOptions, defaultStateDir, defaultEmulatorDir } from "../../src/cli/global-options.js";
import { UsageError } from "../../src/cli/errors.js";

describe("global options: flags, environment equivalents and defaults", () => {
  it("uses safe defaults when nothing is given", () => {
    const globals = resolveGlobalOptions({}, { HOME: "/home/u" });
    expect(globals).toMatchObject({
      subscriptions: [],
      auth: "default",
      cloud: "AzureCloud",
      noInput: false,
      yes: false,
      dryRun: false,
      debug: false,
      quiet: false,
      concurrency: 8,
      stateDir: "/home/u/.local/state/akspol",
    });
    expect(globals.emulatorDir).toBeUndefined();
  });

  it("splits repeated and comma-separated --subscription values", () => {
    expect(resolveGlobalOptions({ subscription: ["a,b", " c "] }, {}).subscriptions).toEqual(["a", "b", "c"]);
  });

  it("takes AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID and AZURE_CLIENT_ID from the environment, flags winning", () => {
    const env = { AZURE_SUBSCRIPTION_ID: "env-sub", AZURE_TENANT_ID: "env-tenant", AZURE_CLIENT_ID: "env-client" };
    expect(resolveGlobalOptions({}, env)).toMatchObject({ subscriptions: ["env-sub"], tenant: "env-tenant", clientId: "env-client" });
    expect(resolveGlobalOptions({ subscription: ["flag-sub"], tenant: "flag-tenant", clientId: "flag-client" }, env)).toMatchObject({
      subscriptions: ["flag-sub"],
      tenant: "flag-tenant",
      clientId: "flag-client",
    });
  });

  it.each([["default"], ["cli"], ["device-code"], ["browser"], ["service-principal"], ["managed-identity"], ["workload-identity"]])("accepts --auth %s", (auth) => {
    expect(resolveGlobalOptions({ auth }, {}).auth).toBe(auth);
  });

  it("rejects an unknown --auth or --cloud with the allowed values", () => {
    expect(() => resolveGlobalOptions({ auth: "password" }, {})).toThrow(UsageError);
    try {
      resolveGlobalOptions({ cloud: "Mars" }, {});
    } catch (error) {
      expect((error as UsageError).suggestion).toContain("AzureChinaCloud");
    }
  });

  it.each([["AzureCloud"], ["azurechinacloud"], ["AzureUSGovernment"]])("accepts --cloud %s case-insensitively", (cloud) => {
    expect(resolveGlobalOptions({ cloud }, {}).cloud.toLowerCase()).toBe(cloud.toLowerCase());
  });

  it("resolves the emulator from --emulator-dir, --emulator and AKSPOL_EMULATOR", () => {
    expect(resolveGlobalOptions({ emulatorDir: "/x" }, {}).emulatorDir).toBe("/x");
    expect(resolveGlobalOptions({ emulator: true }, { XDG_STATE_HOME: "/s" }).emulatorDir).toBe("/s/akspol/emulator");
    expect(resolveGlobalOptions({}, { AKSPOL_EMULATOR: "/e" }).emulatorDir).toBe("/e");
    expect(resolveGlobalOptions({}, { AKSPOL_EMULATOR: "1", XDG_STATE_HOME: "/s" }).emulatorDir).toBe("/s/akspol/emulator");
  });

  it("maps --no-input, --yes, --dry-run, --debug, --quiet, --state-dir and AKSPOL_STATE_DIR", () => {
    const globals = resolveGlobalOptions({ input: false, yes: true, dryRun: true, debug: true, quiet: true, stateDir: "/st" }, {});
    expect(globals).toMatchObject({ noInput: true, yes: true, dryRun: true, debug: true, quiet: true, stateDir: "/st" });
    expect(resolveGlobalOptions({}, { AKSPOL_STATE_DIR: "/env-state" }).stateDir).toBe("/env-state");
  });

  it("rejects a --concurrency outside 1..32", () => {
    expect(() => resolveGlobalOptions({ concurrency: "0" }, {})).toThrow(UsageError);
    expect(() => resolveGlobalOptions({ concurrency: "abc" }, {})).toThrow(UsageError);
    expect(resolveGlobalOptions({ concurrency: "4" }, {}).concurrency).toBe(4);
  });

  it("places state under XDG_STATE_HOME, ~/.local/state or %LOCALAPPDATA%", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/xdg" }, "linux")).toBe("/xdg/akspol");
    expect(defaultStateDir({ HOME: "/h" }, "linux")).toBe("/h/.local/state/akspol");
    expect(defaultStateDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32")).toContain("akspol");
    expect(defaultEmulatorDir({ XDG_STATE_HOME: "/xdg" }, "linux")).toBe("/xdg/akspol/emulator");
  });
});
