// Microsoft.PolicyInsights: the compliance of each pod ("component") of an AKS cluster against each
// member policy of each assignment, as the Azure Policy add-on reports it, and the per-cluster policy
// states derived from it. Response shapes follow the official examples of policyinsights stable
// 2024-10-01 (ComponentPolicyStates_QueryResourceScopeExpandPolicyEvaluationDetails.json,
// PolicyStates_QueryResourceScopeExpandComponents.json, PolicyStates_QueryResourceScopeNextLink.json).
//
// Served:
//   POST {scope}/providers/Microsoft.PolicyInsights/componentPolicyStates/latest/queryResults
//   POST {scope}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults  (GET for nextLink pages)
//   scope: a subscription, a resource group or a managed cluster.
// Query subset:
//   $filter   clauses `field eq 'value'` / `field ne 'value'` (quotes optional), joined with `and`
//             and `or` (`and` binds tighter; no parentheses). Fields, case-insensitive:
//             componentType, componentId, componentName, complianceState, resourceId, resourceType,
//             policyAssignmentId, policyDefinitionId, policyDefinitionReferenceId, policySetDefinitionId.
//   $expand   componentPolicyStates: PolicyEvaluationDetails. policyStates: components or
//             components($filter=<the same clause grammar over complianceState, type, id, name>).
//   $top      componentPolicyStates: at most this many rows (the spec defines no paging for them).
//             policyStates: the page size (default 1000), with @odata.nextLink carrying $skiptoken.
// Unverified: the service's exact $filter grammar and error codes, its default page size, and whether
// it still pages when $top is given. The 500 cap below is the add-on's documented reporting limit
// (non-compliant records per policy per cluster), applied when states are seeded.
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { ArmError, badRequest, notFound } from "../errors.js";
import { MANAGED_CLUSTER_TYPE } from "../hierarchy.js";
import { authorize } from "../rbac.js";
import { eq, keyOf, parseScope, type ParsedScope } from "../scopes.js";
import type { Batch, StateReader } from "../store.js";
import { checkResourceTypeVersion } from "../api-versions.js";
import { requireScopeExists } from "./common.js";
import { resolveDefinition } from "./policy-definitions.js";

const COMPONENT_STATE_TYPE = "#componentPolicyState";
const POLICY_INSIGHTS_API_VERSIONS = ["2022-04-01", "2024-10-01"] as const;
/** The Azure Policy add-on reports at most this many non-compliant records per policy per cluster. */
const ADDON_NON_COMPLIANT_CAP = 500;
const DEFAULT_POLICY_STATES_PAGE = 1000;

export interface StoredComponentState {
  resourceId: string;
  policyAssignmentId: string;
  policyAssignmentName: string;
  policyAssignmentScope: string;
  policyDefinitionId: string;
  policyDefinitionReferenceId: string;
  policySetDefinitionId: string | null;
  componentType: string;
  componentId: string;
  componentName: string;
  complianceState: "NonCompliant" | "Compliant";
  timestamp: string;
}

/** What a seed document gives for one pod and one member policy. */
export interface ComponentStateSeed {
  /** The managed cluster's resource id. */
  cluster: string;
  policyAssignmentId: string;
  /** The member's reference id in the assigned set (omit for an assignment of a single policy). */
  policyDefinitionReferenceId?: string;
  namespace: string;
  pod: string;
  complianceState?: "NonCompliant" | "Compliant";
  /** When the add-on last evaluated the pod (ISO); defaults to the emulator clock. */
  timestamp?: string;
}

function stateKey(state: Pick<StoredComponentState, "resourceId" | "policyAssignmentId" | "policyDefinitionReferenceId" | "componentId">): string {
  return `${COMPONENT_STATE_TYPE}/${keyOf(state.resourceId)}|${keyOf(state.policyAssignmentId)}|${state.policyDefinitionReferenceId.toLowerCase()}|${state.componentId}`;
}

/**
 * Stages component states, checking that the cluster and the assignment exist and that the reference
 * id names a member of the assigned set. Like the add-on, keeps at most 500 non-compliant pods per
 * policy per cluster: the rest are dropped.
 */
export function stageComponentStates(batch: Batch, seeds: ComponentStateSeed[], now: Date): void {
  const counts = new Map<string, number>();
  for (const state of batch.list(COMPONENT_STATE_TYPE)) {
    const body = state.body as StoredComponentState;
    if (body.complianceState !== "NonCompliant") continue;
    const group = `${keyOf(body.resourceId)}|${keyOf(body.policyAssignmentId)}|${body.policyDefinitionReferenceId.toLowerCase()}`;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  for (const seed of seeds) {
    const cluster = batch.get(keyOf(seed.cluster));
    if (cluster === undefined || !eq(cluster.type, MANAGED_CLUSTER_TYPE)) throw new Error(`Seed component state: cluster '${seed.cluster}' is not seeded`);
    const assignment = batch.get(keyOf(seed.policyAssignmentId));
    if (assignment === undefined) throw new Error(`Seed component state: assignment '${seed.policyAssignmentId}' is not seeded`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(seed.namespace) || seed.pod === "") throw new Error(`Seed component state: '${seed.namespace}/${seed.pod}' is not a pod`);
    const assigned = String(assignment.body.properties?.policyDefinitionId ?? "");
    const definition = resolveDefinition(batch, assigned);
    let policyDefinitionId = assigned;
    let policySetDefinitionId: string | null = null;
    const referenceId = seed.policyDefinitionReferenceId ?? "";
    if (definition?.kind === "policySetDefinitions") {
      const members: any[] = definition.versions.get(definition.latest)?.properties?.policyDefinitions ?? [];
      const member = members.find((candidate) => eq(candidate.policyDefinitionReferenceId, referenceId));
      if (member === undefined) throw new Error(`Seed component state: '${referenceId}' is not a member of ${assigned}`);
      policyDefinitionId = member.policyDefinitionId;
      policySetDefinitionId = definition.id;
    }
    const complianceState = seed.complianceState ?? "NonCompliant";
    const body: StoredComponentState = {
      resourceId: cluster.body.id,
      policyAssignmentId: assignment.body.id,
      policyAssignmentName: assignment.body.name,
      policyAssignmentScope: assignment.body.properties?.scope ?? "",
      policyDefinitionId,
      policyDefinitionReferenceId: spelledReferenceId(referenceId, definition),
      policySetDefinitionId,
      componentType: "pod",
      componentId: `${seed.namespace}/${seed.pod}`,
      componentName: seed.pod,
      complianceState,
      timestamp: seed.timestamp ?? now.toISOString(),
    };
    const key = stateKey(body);
    if (complianceState === "NonCompliant" && batch.get(key)?.body?.complianceState !== "NonCompliant") {
      const group = `${keyOf(body.resourceId)}|${keyOf(body.policyAssignmentId)}|${body.policyDefinitionReferenceId.toLowerCase()}`;
      const count = counts.get(group) ?? 0;
      if (count >= ADDON_NON_COMPLIANT_CAP) continue;
      counts.set(group, count + 1);
    }
    batch.put(key, { type: COMPONENT_STATE_TYPE, id: key, body });
  }
}

/** The member's reference id as the set spells it. */
function spelledReferenceId(referenceId: string, definition: ReturnType<typeof resolveDefinition>): string {
  if (definition?.kind !== "policySetDefinitions") return referenceId;
  const members: any[] = definition.versions.get(definition.latest)?.properties?.policyDefinitions ?? [];
  return members.find((candidate) => eq(candidate.policyDefinitionReferenceId, referenceId))?.policyDefinitionReferenceId ?? referenceId;
}

// ---- $filter ----

type Clause = { field: string; negate: boolean; value: string };
/** Disjunction of conjunctions. */
type Filter = Clause[][];

const STATE_FIELDS = [
  "componentType",
  "componentId",
  "componentName",
  "complianceState",
  "resourceId",
  "resourceType",
  "policyAssignmentId",
  "policyDefinitionId",
  "policyDefinitionReferenceId",
  "policySetDefinitionId",
];
const COMPONENT_FIELDS = ["complianceState", "type", "id", "name"];

function parseStatesFilter(raw: string | undefined, fields: string[]): Filter {
  if (raw === undefined || raw.trim() === "") return [];
  return raw
    .trim()
    .split(/\s+or\s+/i)
    .map((group) =>
      group.split(/\s+and\s+/i).map((text) => {
        const match = /^\s*([A-Za-z]+)\s+(eq|ne)\s+(?:'([^']*)'|(\S+))\s*$/i.exec(text);
        const field = match ? fields.find((candidate) => eq(candidate, match[1])) : undefined;
        if (match === null || field === undefined) {
          // Unverified code and message: the service's answer to an unsupported filter was not found.
          throw badRequest("InvalidFilterInQueryString", `The filter '${raw}' is not supported here. Supported: clauses '<field> eq|ne '<value>'' joined with and/or, over ${fields.join(", ")}.`);
        }
        return { field, negate: match[2].toLowerCase() === "ne", value: match[3] ?? match[4] };
      }),
    );
}

function matches(filter: Filter, read: (field: string) => unknown): boolean {
  if (filter.length === 0) return true;
  return filter.some((group) =>
    group.every((clause) => {
      const equal = String(read(clause.field) ?? "").toLowerCase() === clause.value.toLowerCase();
      return clause.negate ? !equal : equal;
    }),
  );
}

function stateField(state: StoredComponentState, field: string): unknown {
  if (field === "resourceType") return MANAGED_CLUSTER_TYPE;
  return (state as unknown as Record<string, unknown>)[field];
}

// ---- queries ----

function scopeFromSegments(segments: string[]): ParsedScope {
  const scope = parseScope("/" + segments.join("/"));
  if (scope === undefined || scope.kind === "tenant" || scope.kind === "managementGroup") {
    throw badRequest("InvalidScope", `The scope '/${segments.join("/")}' is not served: the emulator answers Policy Insights queries at a subscription, a resource group or a managed cluster.`);
  }
  return scope;
}

function statesUnder(reader: StateReader, scope: ParsedScope): StoredComponentState[] {
  const prefix = keyOf(scope.id);
  return reader
    .list(COMPONENT_STATE_TYPE)
    .map((record) => record.body as StoredComponentState)
    .filter((state) => {
      const key = keyOf(state.resourceId);
      return key === prefix || key.startsWith(prefix + "/");
    });
}

function resourceGroupOf(resourceId: string): string {
  return parseScope(resourceId)?.resourceGroup ?? "";
}

function subscriptionOf(resourceId: string): string {
  return parseScope(resourceId)?.subscriptionId ?? "";
}

function locationOf(reader: StateReader, resourceId: string): string {
  return reader.get(keyOf(resourceId))?.body?.location ?? "";
}

function commonFields(reader: StateReader, state: StoredComponentState): Record<string, unknown> {
  return {
    resourceId: state.resourceId,
    policyAssignmentId: state.policyAssignmentId,
    policyDefinitionId: state.policyDefinitionId,
    subscriptionId: subscriptionOf(state.resourceId),
    resourceType: MANAGED_CLUSTER_TYPE,
    resourceLocation: locationOf(reader, state.resourceId),
    resourceGroup: resourceGroupOf(state.resourceId),
    policyAssignmentName: state.policyAssignmentName,
    policyAssignmentOwner: "tbd",
    policyAssignmentParameters: null,
    policyAssignmentScope: state.policyAssignmentScope,
    policyDefinitionName: state.policyDefinitionId.split("/").pop(),
    policyDefinitionAction: "audit",
    policyDefinitionCategory: "tbd",
    policySetDefinitionId: state.policySetDefinitionId,
    policySetDefinitionName: state.policySetDefinitionId?.split("/").pop() ?? null,
    policySetDefinitionOwner: null,
    policySetDefinitionCategory: null,
    policySetDefinitionParameters: null,
    policyDefinitionReferenceId: state.policyDefinitionReferenceId || null,
  };
}

function odataContext(context: EmulatorContext, scope: ParsedScope, collection: string): string {
  return `${context.endpoint}${scope.id}/providers/Microsoft.PolicyInsights/${collection}/$metadata#latest`;
}

function checkVersion(request: ArmRequest, type: string): void {
  checkResourceTypeVersion(request.apiVersion, "Microsoft.PolicyInsights", type, POLICY_INSIGHTS_API_VERSIONS);
}

function checkScope(context: EmulatorContext, scope: ParsedScope): void {
  requireScopeExists(context.store, scope);
  if (scope.kind === "resource" && !eq(scope.resourceType, MANAGED_CLUSTER_TYPE)) {
    throw notFound("ResourceNotFound", `The emulator holds no Policy Insights data for resources of type '${scope.resourceType}'.`);
  }
}

function queryComponentStates(request: ArmRequest, context: EmulatorContext, scope: ParsedScope): ArmResponse {
  checkVersion(request, "componentPolicyStates");
  if (request.method !== "POST") throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for queryResults.`);
  checkScope(context, scope);
  authorize(context.store, request.caller, "Microsoft.PolicyInsights/componentPolicyStates/queryResults/read", scope.id);
  const filter = parseStatesFilter(request.query.get("$filter"), STATE_FIELDS);
  const expand = request.query.get("$expand");
  if (expand !== undefined && expand !== "" && !eq(expand.trim(), "PolicyEvaluationDetails")) {
    throw badRequest("InvalidExpandInQueryString", `The expand '${expand}' is not supported. Supported: PolicyEvaluationDetails.`);
  }
  const top = topOf(request);
  const rows = statesUnder(context.store, scope)
    .filter((state) => matches(filter, (field) => stateField(state, field)))
    .sort((a, b) => (b.timestamp < a.timestamp ? -1 : b.timestamp > a.timestamp ? 1 : stateKey(a) < stateKey(b) ? -1 : 1));
  const limited = top === undefined ? rows : rows.slice(0, top);
  const entity = `${odataContext(context, scope, "componentPolicyStates")}/$entity`;
  const value = limited.map((state) => ({
    "@odata.id": null,
    "@odata.context": entity,
    componentId: state.componentId,
    componentType: state.componentType,
    componentName: state.componentName,
    timestamp: state.timestamp,
    ...commonFields(context.store, state),
    complianceState: state.complianceState,
    policyDefinitionGroupNames: [],
    ...(expand ? { policyEvaluationDetails: { reason: `${state.complianceState === "NonCompliant" ? "Violates" : "Meets"} policy '${state.policyDefinitionReferenceId}'` } } : {}),
  }));
  return { status: 200, body: { "@odata.context": odataContext(context, scope, "componentPolicyStates"), "@odata.count": value.length, value } };
}

function topOf(request: ArmRequest): number | undefined {
  const raw = request.query.get("$top");
  if (raw === undefined || raw === "") return undefined;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 0) throw badRequest("InvalidQueryParameterValue", `The value '${raw}' of query parameter '$top' is not valid.`);
  return top;
}

/** components or components($filter=...). */
function parseComponentsExpand(raw: string | undefined): Filter | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const match = /^\s*components\s*(?:\(\s*\$filter\s*=\s*(.*)\))?\s*$/i.exec(raw);
  if (match === null) throw badRequest("InvalidExpandInQueryString", `The expand '${raw}' is not supported. Supported: components, components($filter=...).`);
  return parseStatesFilter(match[1], COMPONENT_FIELDS);
}

interface PolicyStateRow {
  key: string;
  resourceId: string;
  states: StoredComponentState[];
}

function queryPolicyStates(request: ArmRequest, context: EmulatorContext, scope: ParsedScope): ArmResponse {
  checkVersion(request, "policyStates");
  if (request.method !== "POST" && request.method !== "GET") throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for queryResults.`);
  checkScope(context, scope);
  authorize(context.store, request.caller, "Microsoft.PolicyInsights/policyStates/queryResults/read", scope.id);
  const filter = parseStatesFilter(
    request.query.get("$filter"),
    STATE_FIELDS.filter((field) => !field.startsWith("component")),
  );
  const components = parseComponentsExpand(request.query.get("$expand"));
  // One policy state per cluster, assignment and member: NonCompliant when any pod is.
  const rows = new Map<string, PolicyStateRow>();
  for (const state of statesUnder(context.store, scope)) {
    if (!matches(filter, (field) => stateField(state, field))) continue;
    const key = `${keyOf(state.resourceId)}|${keyOf(state.policyAssignmentId)}|${state.policyDefinitionReferenceId.toLowerCase()}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { key, resourceId: state.resourceId, states: [] };
      rows.set(key, row);
    }
    row.states.push(state);
  }
  const ordered = [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const size = topOf(request) ?? DEFAULT_POLICY_STATES_PAGE;
  if (size < 1) throw badRequest("InvalidQueryParameterValue", "The value of query parameter '$top' must be at least 1.");
  const token = request.query.get("$skiptoken");
  let start = 0;
  if (token !== undefined && token !== "") {
    const after = Buffer.from(token, "base64url").toString("utf8");
    start = ordered.findIndex((row) => row.key > after);
    if (start === -1) start = ordered.length;
  }
  const page = ordered.slice(start, start + size);
  const entity = `${odataContext(context, scope, "policyStates")}/$entity`;
  const value = page.map((row) => {
    const first = row.states[0];
    const nonCompliant = row.states.some((state) => state.complianceState === "NonCompliant");
    const latest = row.states.reduce((at, state) => (state.timestamp > at ? state.timestamp : at), first.timestamp);
    return {
      "@odata.id": null,
      "@odata.context": entity,
      timestamp: latest,
      ...commonFields(context.store, first),
      effectiveParameters: "",
      isCompliant: !nonCompliant,
      resourceTags: "tbd",
      managementGroupIds: "",
      complianceState: nonCompliant ? "NonCompliant" : "Compliant",
      policyDefinitionGroupNames: [],
      ...(components === undefined
        ? {}
        : {
            components: row.states
              .filter((state) => matches(components, (field) => ({ complianceState: state.complianceState, type: state.componentType, id: state.componentId, name: state.componentName })[field]))
              .map((state) => ({ id: state.componentId, type: state.componentType, name: state.componentName, timestamp: state.timestamp, complianceState: state.complianceState })),
          }),
    };
  });
  let nextLink: string | null = null;
  if (start + size < ordered.length) {
    const next = new URLSearchParams();
    for (const [name, parameter] of request.query) if (name !== "$skiptoken") next.set(name, parameter);
    next.set("$skiptoken", Buffer.from(page[page.length - 1].key, "utf8").toString("base64url"));
    nextLink = `${context.endpoint}${request.path}?${next.toString().replace(/\+/g, "%20")}`;
  }
  return {
    status: 200,
    body: { "@odata.nextLink": nextLink, "@odata.context": odataContext(context, scope, "policyStates"), "@odata.count": value.length, value },
  };
}

/** Where the last `providers/Microsoft.PolicyInsights` starts, or -1. */
export function policyInsightsProviderIndex(segments: string[]): number {
  for (let index = segments.length - 2; index >= 0; index--) {
    if (eq(segments[index], "providers") && eq(segments[index + 1], "Microsoft.PolicyInsights")) return index;
  }
  return -1;
}

export function handlePolicyInsights(request: ArmRequest, context: EmulatorContext, providerIndex: number): ArmResponse {
  const segments = request.segments;
  const scope = scopeFromSegments(segments.slice(0, providerIndex));
  const [collection, resource, action, ...extra] = segments.slice(providerIndex + 2);
  if (resource === undefined || !eq(action, "queryResults") || extra.length > 0) {
    throw new ArmError(404, "InvalidRequestUri", `The request uri '${request.path}' is not valid: the emulator serves componentPolicyStates and policyStates queryResults.`);
  }
  if (!eq(resource, "latest")) {
    // Unverified: the emulator keeps only the latest states; `default` (history) is not served.
    throw badRequest("InvalidPolicyStatesResource", `The emulator serves the 'latest' states only, not '${resource}'.`);
  }
  if (eq(collection, "componentPolicyStates")) return queryComponentStates(request, context, scope);
  if (eq(collection, "policyStates")) return queryPolicyStates(request, context, scope);
  checkVersion(request, collection);
  throw badRequest("InvalidResourceType", `The resource type '${collection}' could not be found in the namespace 'Microsoft.PolicyInsights' for api version '${request.apiVersion ?? ""}'.`);
}
