import { AzureSession } from "../../src/azure/session.js";
import { resolveGlobalOptions } from "../../src/cli/global-options.js";
import type { TestEmulator } from "../helpers/emulator.js";

/** An AzureSession signed in to the emulator as one of its principals, for calling src/ functions directly. */
export function emulatorSession(emu: TestEmulator, principal = "admin", stateDir = "/tmp/unused"): AzureSession {
  const globals = resolveGlobalOptions({ emulatorDir: emu.stateDir, principal, stateDir }, {});
  return new AzureSession({ globals, env: {}, log: () => undefined, debug: () => undefined });
}
