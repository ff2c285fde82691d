// The built-in definitions embedded with akspol (src/data/azure-builtins), for offline checks.
import privilegedContainers from "../data/azure-builtins/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4.json" with { type: "json" };
import privilegeEscalation from "../data/azure-builtins/policyDefinitions/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99.json" with { type: "json" };
import privilegeEscalationLatest from "../data/azure-builtins/policyDefinitions/latest/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99.json" with { type: "json" };
import hostNetwork from "../data/azure-builtins/policyDefinitions/82985f06-dc18-4a48-bc1c-b9f4f0098cfe.json" with { type: "json" };
import hostNetworkLatest from "../data/azure-builtins/policyDefinitions/latest/82985f06-dc18-4a48-bc1c-b9f4f0098cfe.json" with { type: "json" };
import hostNamespace from "../data/azure-builtins/policyDefinitions/47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8.json" with { type: "json" };
import hostNamespaceLatest from "../data/azure-builtins/policyDefinitions/latest/47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8.json" with { type: "json" };
import capabilities from "../data/azure-builtins/policyDefinitions/c26596ff-4d70-4e6a-9a30-c2506bd2f80c.json" with { type: "json" };
import hostPaths from "../data/azure-builtins/policyDefinitions/098fc59e-46c7-4d99-9b16-64990e543d75.json" with { type: "json" };
import hostPathsPrevious from "../data/azure-builtins/policyDefinitions/previous/098fc59e-46c7-4d99-9b16-64990e543d75.json" with { type: "json" };
import volumeTypes from "../data/azure-builtins/policyDefinitions/16697877-1118-4fb1-9b65-9898ec2509ec.json" with { type: "json" };
import usersGroups from "../data/azure-builtins/policyDefinitions/f06ddb64-5fa3-4b77-b166-acb36f7f6042.json" with { type: "json" };
import seccomp from "../data/azure-builtins/policyDefinitions/975ce327-682c-4f2e-aa46-b9598289b86c.json" with { type: "json" };
import baseline from "../data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restricted from "../data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };
import type { PolicyDefinitionDocument, PolicySetDefinitionDocument } from "./types.js";

export const BUILTIN_INITIATIVES = {
  baseline: baseline as unknown as PolicySetDefinitionDocument,
  restricted: restricted as unknown as PolicySetDefinitionDocument,
} as const;

export type BuiltinInitiativeName = keyof typeof BUILTIN_INITIATIVES;

/** Every embedded version of the nine member definitions (pinned, newer majors, previous). */
export const BUILTIN_DEFINITIONS: readonly PolicyDefinitionDocument[] = [
  privilegedContainers,
  privilegeEscalation,
  privilegeEscalationLatest,
  hostNetwork,
  hostNetworkLatest,
  hostNamespace,
  hostNamespaceLatest,
  capabilities,
  hostPaths,
  hostPathsPrevious,
  volumeTypes,
  usersGroups,
  seccomp,
] as unknown as PolicyDefinitionDocument[];
