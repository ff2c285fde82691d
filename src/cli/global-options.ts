import { homedir } from "node:os";
import { join } from "node:path";
import type { OutputFormat } from "./output.js";
import { UsageError } from "./errors.js";
import type { OptionSpec } from "./option-spec.js";

export const authMethods = ["default", "cli", "device-code", "browser", "service-principal", "managed-identity", "workload-identity"] as const;
export type AuthMethod = (typeof authMethods)[number];

export const cloudNames = ["AzureCloud", "AzureChinaCloud", "AzureUSGovernment"] as const;
export type CloudName = (typeof cloudNames)[number];

/** The global flags, accepted before or after the verb; main.ts registers them, completion lists them. */
export const globalOptionSpecs: OptionSpec[] = [
  { flags: "--subscription <id-or-name>", description: "subscription(s) to work in; repeat or comma-separate (env AZURE_SUBSCRIPTION_ID)", repeatable: true },
  { flags: "--tenant <id>", description: "Entra ID tenant (env AZURE_TENANT_ID)" },
  { flags: "--auth <method>", description: "sign-in: default is the DefaultAzureCredential chain", choices: authMethods },
  { flags: "--client-id <id>", description: "application (client) id for service-principal, managed or workload identity (env AZURE_CLIENT_ID)" },
  { flags: "--cloud <name>", description: "Azure cloud (env AKSPOL_CLOUD)", choices: cloudNames },
  { flags: "--api-version <version>", description: "override the policy api-version (when a cloud does not serve the default yet)" },
  { flags: "--exemptions-api-version <version>", description: "override the policy exemptions api-version (default 2022-07-01-preview)" },
  { flags: "--emulator", description: "use the local ARM emulator at its default state dir" },
  { flags: "--emulator-dir <dir>", description: "use the ARM emulator whose state dir is DIR (env AKSPOL_EMULATOR)" },
  { flags: "--principal <name>", description: "emulator principal to sign in as (admin, reader, policy-contributor)" },
  { flags: "-o, --output <format>", description: "output format" },
  { flags: "--no-input", description: "never prompt; a missing answer is an error naming its flag" },
  { flags: "-y, --yes", description: "do not ask for confirmation before writing" },
  { flags: "--dry-run", description: "show the plan and write nothing" },
  { flags: "--debug", description: "log requests (method, URL, status, request id) to stderr; never tokens or secrets" },
  { flags: "-q, --quiet", description: "print only data and errors" },
  { flags: "--state-dir <dir>", description: "journal and lock directory (env AKSPOL_STATE_DIR)" },
  { flags: "--concurrency <n>", description: "parallel ARM requests (default 8)" },
];

/** Options every command accepts, after flags and environment are merged. */
export interface GlobalOptions {
  subscriptions: string[];
  tenant?: string;
  auth: AuthMethod;
  clientId?: string;
  cloud: CloudName;
  apiVersion?: string;
  exemptionsApiVersion?: string;
  /** Emulator state dir to connect to, when --emulator, --emulator-dir or AKSPOL_EMULATOR is given. */
  emulatorDir?: string;
  principal?: string;
  output?: OutputFormat;
  noInput: boolean;
  yes: boolean;
  dryRun: boolean;
  debug: boolean;
  quiet: boolean;
  stateDir: string;
  concurrency: number;
}

/** The raw values commander hands us for the global flags. */
export interface RawGlobalFlags {
  subscription?: string[];
  tenant?: string;
  auth?: string;
  clientId?: string;
  cloud?: string;
  apiVersion?: string;
  exemptionsApiVersion?: string;
  emulator?: boolean;
  emulatorDir?: string;
  principal?: string;
  output?: string;
  input?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  debug?: boolean;
  quiet?: boolean;
  stateDir?: string;
  concurrency?: string;
}

/** Where journals and locks live: $XDG_STATE_HOME/akspol, ~/.local/state/akspol, %LOCALAPPDATA%\akspol. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "akspol");
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "akspol");
  return join(env.HOME ?? homedir(), ".local", "state", "akspol");
}

/** The emulator's own default, shared with `akspol emulator`. */
export function defaultEmulatorDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return join(defaultStateDir(env, platform), "emulator");
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined || value === "") return undefined;
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (!match) {
    throw new UsageError(`Invalid value '${value}' for ${flag}.`, { suggestion: `Use one of: ${allowed.join(", ")}.` });
  }
  return match;
}

const truthy = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/i.test(value);

/** Merges flags with their environment equivalents; flags win. Pure, so the parse layer is testable. */
export function resolveGlobalOptions(raw: RawGlobalFlags, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const subscriptions = (raw.subscription ?? [])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
  if (subscriptions.length === 0 && env.AZURE_SUBSCRIPTION_ID) subscriptions.push(env.AZURE_SUBSCRIPTION_ID.trim());

  const emulatorFromEnv = env.AKSPOL_EMULATOR?.trim();
  let emulatorDir: string | undefined;
  if (raw.emulatorDir) emulatorDir = raw.emulatorDir;
  else if (raw.emulator) emulatorDir = emulatorFromEnv && !truthy(emulatorFromEnv) ? emulatorFromEnv : defaultEmulatorDir(env);
  else if (emulatorFromEnv) emulatorDir = truthy(emulatorFromEnv) ? defaultEmulatorDir(env) : emulatorFromEnv;

  const concurrency = raw.concurrency === undefined ? Number(env.AKSPOL_CONCURRENCY ?? 8) : Number(raw.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new UsageError(`Invalid --concurrency '${raw.concurrency ?? env.AKSPOL_CONCURRENCY}'.`, {
      suggestion: "Use a whole number from 1 to 32 (ARM throttles bursts; 8 is the default).",
    });
  }

  for (const [flag, value] of [
    ["--api-version", raw.apiVersion],
    ["--exemptions-api-version", raw.exemptionsApiVersion],
  ] as const) {
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha)?$/i.test(value)) {
      throw new UsageError(`Invalid ${flag} '${value}'.`, { suggestion: "Use an ARM api-version such as 2023-04-01 or 2022-07-01-preview." });
    }
  }

  return {
    subscriptions,
    tenant: raw.tenant ?? env.AZURE_TENANT_ID,
    auth: pick(raw.auth ?? env.AKSPOL_AUTH, authMethods, "--auth") ?? "default",
    clientId: raw.clientId ?? env.AZURE_CLIENT_ID,
    cloud: pick(raw.cloud ?? env.AKSPOL_CLOUD ?? env.AZURE_CLOUD, cloudNames, "--cloud") ?? "AzureCloud",
    apiVersion: raw.apiVersion,
    exemptionsApiVersion: raw.exemptionsApiVersion,
    emulatorDir,
    principal: raw.principal ?? env.AKSPOL_PRINCIPAL,
    output: raw.output as OutputFormat | undefined,
    noInput: raw.input === false || truthy(env.AKSPOL_NO_INPUT),
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    debug: raw.debug === true || truthy(env.AKSPOL_DEBUG),
    quiet: raw.quiet === true,
    stateDir: raw.stateDir ?? env.AKSPOL_STATE_DIR ?? defaultStateDir(env),
    concurrency,
  };
}
