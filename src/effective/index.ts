/**
 * Effective pod security: ONE model of what the nine pod-security member policies do on a cluster.
 * show, find, check, exclude, exempt, effective, safeguards (and audit, workloads, advise) read it;
 * nothing re-derives effects, exclusions or versions beside it. Plain data and functions; it
 * imports nothing from src/cli/ (typed errors come from src/errors.ts).
 *
 * Data (types.ts)
 *   MemberKey            one of the nine members, named by its reference id in the pod-security
 *                        initiatives ("BlockUsingHostNetwork", ...). MEMBERS / memberByKey /
 *                        memberOfDefinition (members.ts) map definition ids and names to it.
 *   MemberEnforcement    what one assignment enforces for one member: effect, warn, excluded
 *                        namespaces, include-list, label selector, excluded images/containers,
 *                        template parameters, the member definition version used, and `origins`:
 *                        for each field the ValueOrigin (the assignment parameter that sets it,
 *                        an override, a constant of the set, or the definition's default).
 *   AssignmentEnforcement  one assignment (set or single definition): its members, parameters in
 *                        force, enforcement mode, family (baseline, restricted, safeguards,
 *                        benchmark, builtin-set, custom-set, definition).
 *   SafeguardsSetting    the cluster's Deployment Safeguards setting.
 *   ClusterSources       everything acting on one cluster: applying assignments, exemptions, Safeguards.
 *   MemberOutcome        per namespace and member: the winning Outcome (deny > warn > audit > none),
 *                        the SourceRef that decides, every SourceVerdict, and the Levers that would
 *                        change it (parameter, override, exemption, Safeguards exclusion).
 *
 * Pure functions
 *   enforcementOf({assignment, definition, memberDefinitions}) -> AssignmentEnforcement
 *       `definition` is what the assignment assigns at the version it uses; `memberDefinitions` the
 *       member definition versions available (picked per the set's pin, after definitionVersion
 *       overrides). ARM JSON (`properties`) and SDK (flattened) shapes both work.
 *   parameterValues, overrideFor, normalizeEffect       building blocks of enforcementOf.
 *   assignmentVerdict(enforcement, member, namespace, cluster, now) -> SourceVerdict
 *   safeguardsOutcome(setting, namespace, clusterName), safeguardsMembers(setting)
 *   memberOutcome(sources, namespace, member, now) / effectiveOutcomes(sources, {namespaces, members, now})
 *       `*` is the namespace no source names ("any other namespace").
 *   namespacesNamed, carriedMembers, parseMemberKeys, namespaceMatches, withoutSafeguardsAssignment
 *   evaluateExpressions, resolveVersion, versionMatches, compareVersions (expressions.ts)
 *
 * Reader (reader.ts): EffectiveReader fetches what the model needs through injected functions (read a
 * set or definition, latest or at a version; list a cluster's exemptions; read its Safeguards), each
 * definition once per version per run: enforcement(assignment), enforcements(list),
 * clusterSources(cluster, applyingAssignments), mayCarry(assignment).
 *   azure.ts (not re-exported here, so offline users never load the SDK): sessionReader(session,
 *   definitions?) builds the reader over an AzureSession, sharing a SetDefinitionCache;
 *   readClusterSources(session, reader, cluster) lists the assignments that apply and reads the rest.
 *
 * Report (report.ts): effectiveReport(sources, query) is the data of `akspol effective -o json`
 * (docs/effective.schema.json); exclusionParameters(definition) the parameter each member's excluded
 * namespaces come from; outcomesAfterExclusion(...) what still acts once an assignment excludes a
 * namespace (exclude add's warning).
 */
export * from "./types.js";
export * from "./members.js";
export * from "./expressions.js";
export * from "./namespaces.js";
export * from "./assignment.js";
export * from "./outcome.js";
export * from "./safeguards.js";
export * from "./reader.js";
export * from "./report.js";
