// The ARM emulator: start it in-process (tests, the demo) or through `akspol emulator`.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Socket } from "node:net";
import { CLOUD_KEY, cloudProfileOf, type CloudProfile } from "./api-versions.js";
import { loadOrCreateTls } from "./certs.js";
import { EmulatorClock } from "./clock.js";
import { demoSeed } from "./demo-seed.js";
import { FaultInjector, RequestLog } from "./faults.js";
import { RequestHolds } from "./holds.js";
import { makePrivate, writeFileAtomic } from "./files.js";
import { MANAGEMENT_GROUP_TYPE } from "./hierarchy.js";
import { EmulatorHooksClient } from "./hooks-client.js";
import type { IdentityContext } from "./identity.js";
import { PRINCIPAL_TYPE, addRoleAssignment, type EmulatorPrincipalRecord } from "./rbac.js";
import { keyOf, managementGroupId } from "./scopes.js";
import { createRequestHandler, type ServerState } from "./server.js";
import { newPrincipal, stagePrincipal, stageSeed, type SeedDocument } from "./seed.js";
import { Store } from "./store.js";
import { configureResourceGraphQuota, type ResourceGraphQuota } from "./resource-graph/handler.js";
import { listTenants } from "./tenants.js";
import { TokenSigner } from "./tokens.js";

export { EmulatorHooksClient } from "./hooks-client.js";
export type { SeedDocument } from "./seed.js";
export { DEMO, demoSeed } from "./demo-seed.js";

export interface EmulatorOptions {
  port?: number;
  host?: string;
  stateDir?: string;
  seed?: "demo" | "empty" | string | SeedDocument;
  latencyMs?: number;
  /** Initial emulator clock (first start only), default real time. */
  now?: Date;
  quiet?: boolean;
  /** Resource Graph throttling per principal; default the service's 15 queries per 5 seconds. */
  resourceGraphQuota?: ResourceGraphQuota;
  /**
   * Serve /_emulator/ hooks without the hook token (any local process may then read secrets, mint
   * tokens and grant roles). Off by default; `akspol emulator --open-hooks`.
   */
  openHooks?: boolean;
  /** The cloud whose api-versions and built-ins it serves (kept in the state dir; default AzureCloud). */
  cloud?: CloudProfile;
}
export interface EmulatorPrincipal {
  name: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
}
export interface EmulatorConnection {
  endpoint: string;
  caCertPath: string;
  tenantId: string;
  authorityHost: string;
  principals: EmulatorPrincipal[];
  subscriptions: string[];
  /** Sent as the `x-emulator-hook-token` header on /_emulator/ calls; new at every start. */
  hookToken: string;
  /** Every tenant the emulator serves, the home tenant first. */
  tenants: string[];
  /** The cloud whose built-in definitions and api-versions it serves (--cloud). */
  cloud: CloudProfile;
}
export interface RunningEmulator {
  endpoint: string;
  connectionFile: string;
  stateDir: string;
  connection: EmulatorConnection;
  caCert: string;
  hooks: EmulatorHooksClient;
  close(): Promise<void>;
}

/** Files under the state dir that hold nothing secret and that clients must read. */
const publicFiles = ["ca.pem", "server.pem"];
const TENANT_KEY = "#meta/tenant";
const DEFAULT_PRINCIPALS: { name: string; role: "Owner" | "Reader" | "Resource Policy Contributor" }[] = [
  { name: "admin", role: "Owner" },
  { name: "reader", role: "Reader" },
  { name: "policy-contributor", role: "Resource Policy Contributor" },
];

/** `$XDG_STATE_HOME/akspol/emulator`, else `~/.local/state/akspol/emulator`; `%LOCALAPPDATA%\akspol\emulator` on Windows. */
export function defaultEmulatorStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== "") return join(env.XDG_STATE_HOME, "akspol", "emulator");
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "akspol", "emulator");
  return join(homedir(), ".local", "state", "akspol", "emulator");
}

function loadSeed(seed: EmulatorOptions["seed"], now: Date): SeedDocument | undefined {
  if (seed === undefined || seed === "empty") return undefined;
  if (seed === "demo") return demoSeed(now);
  if (typeof seed === "string") return JSON.parse(readFileSync(resolve(seed), "utf8")) as SeedDocument;
  return seed;
}

/** First start: tenant, tenant root group, default principals and their roles, the clock, the seed. */
async function initialize(store: Store, clock: EmulatorClock, options: EmulatorOptions): Promise<void> {
  if (options.now !== undefined) await clock.set(options.now);
  const seed = loadSeed(options.seed, clock.now());
  const tenantId = seed?.tenantId ?? randomUUID();
  const batch = store.batch();
  batch.put(TENANT_KEY, { type: "#meta", id: TENANT_KEY, body: { tenantId } });
  const rootId = managementGroupId(tenantId);
  batch.put(keyOf(rootId), { type: MANAGEMENT_GROUP_TYPE, id: rootId, body: { name: tenantId, displayName: "Tenant Root Group", parent: null } });
  for (const principal of DEFAULT_PRINCIPALS) {
    stagePrincipal(batch, newPrincipal(principal.name));
    addRoleAssignment(batch, { principal: principal.name, role: principal.role, scope: rootId });
  }
  if (seed !== undefined) stageSeed(batch, seed, { tenantId, now: clock.now() });
  await batch.commit();
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const stateDir = resolve(options.stateDir ?? defaultEmulatorStateDir());
  const host = options.host ?? "127.0.0.1";
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const store = new Store(stateDir);
  const clock = new EmulatorClock(store);
  if (!store.existedAtLoad) await initialize(store, clock, options);
  if (options.cloud !== undefined && cloudProfileOf(store) !== options.cloud) {
    const batch = store.batch();
    batch.put(CLOUD_KEY, { type: "#meta", id: CLOUD_KEY, body: { cloud: options.cloud } });
    await batch.commit();
  }
  // Fold the log into a snapshot so each run starts from a compact state.
  await store.compact();
  const tenantId = store.get(TENANT_KEY)!.body.tenantId as string;
  if (options.resourceGraphQuota !== undefined) configureResourceGraphQuota(store, options.resourceGraphQuota);

  const tls = await loadOrCreateTls(stateDir, host);
  const signer = TokenSigner.loadOrCreate(stateDir);
  let endpoint = "";
  const hookToken = randomBytes(32).toString("base64url");
  const identity = (): IdentityContext => ({ tenantId, authorityHost: endpoint, endpoint, signer, reader: store });
  const faults = new FaultInjector();
  const requestLog = new RequestLog();
  const holds = new RequestHolds();
  const state: ServerState = {
    store,
    clock,
    faults,
    requestLog,
    holds,
    tenantId,
    latencyMs: options.latencyMs ?? 0,
    quiet: options.quiet ?? false,
    hookToken: options.openHooks ? undefined : hookToken,
    endpoint: () => endpoint,
    identity,
    hooks: {
      store,
      clock,
      faults,
      requestLog,
      holds,
      tenantId,
      identity,
      setLatency: (ms) => {
        state.latencyMs = ms;
      },
    },
  };

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, createRequestHandler(state));
  // Idle keep-alive connections stay open a minute (Node's 5 s default would make a slow client on a
  // loaded machine reconnect, and connection counts in tests depend on it).
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  endpoint = `https://${urlHost(host)}:${port}`;

  const principals = store.list(PRINCIPAL_TYPE).map((record) => record.body as EmulatorPrincipalRecord);
  const order = (name: string): number => {
    const index = DEFAULT_PRINCIPALS.findIndex((principal) => principal.name === name);
    return index === -1 ? DEFAULT_PRINCIPALS.length : index;
  };
  principals.sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name));
  const connection: EmulatorConnection = {
    endpoint,
    caCertPath: tls.caCertPath,
    tenantId,
    authorityHost: endpoint,
    principals: principals.map(({ name, clientId, clientSecret, objectId }) => ({ name, clientId, clientSecret, objectId })),
    subscriptions: store.list("Microsoft.Resources/subscriptions").map((record) => record.body.subscriptionId),
    hookToken,
    tenants: listTenants(store).map((tenant) => tenant.tenantId),
    cloud: cloudProfileOf(store),
  };
  const connectionFile = join(stateDir, "connection.json");
  writeFileAtomic(connectionFile, JSON.stringify(connection, null, 2) + "\n", 0o600);
  // A state dir made by an older emulator (or by hand) may hold secrets readable by others.
  makePrivate(stateDir, publicFiles);

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    connectionFile,
    stateDir,
    connection,
    caCert: tls.caCertPem,
    hooks: new EmulatorHooksClient(endpoint, tls.caCertPem, hookToken),
    close() {
      closing ??= (async () => {
        // Held requests go on (and end with their sockets) rather than keep the server open.
        holds.releaseAll();
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          for (const socket of sockets) socket.destroy();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
