// Plain data shared by the manifest check: what a template evaluator sees and returns.

/** A JSON object as read from a manifest. */
export type JsonObject = Record<string, unknown>;

/**
 * The admission object a Gatekeeper constraint template reviews (`input.review.object`).
 * The add-on only reviews Pods (`details.kinds: ["Pod"]`), so a workload's pod template is
 * presented as the Pod its controller would create.
 */
export interface PodReview {
  kind: "Pod";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: JsonObject;
}

/**
 * One entry of a template's `violation[{"msg": msg}]` set. `code` and the optional fields let
 * hints.ts suggest a fix without parsing the message.
 */
export interface TemplateViolation {
  message: string;
  /** Machine-readable reason, unique within a template (e.g. `privileged`, `host-port`). */
  code: string;
  container?: string;
  volume?: string;
  /** The offending value (a capability, a volume type, a seccomp profile, a user id …). */
  value?: unknown;
}

/** Constraint parameters (`input.parameters`), i.e. the definition's `details.values` resolved. */
export type ConstraintParameters = Record<string, unknown>;

export interface TemplateEvaluator {
  /** Template name as in the store URL, e.g. `container-no-privilege`. */
  template: string;
  /** Template version as in the store URL, e.g. `v2`. */
  version: string;
  evaluate(pod: PodReview, parameters: ConstraintParameters): TemplateViolation[];
}

// ---- Input shapes: both the ARM JSON (`properties` wrapper) and the SDK models (flattened) fit.

export interface ParameterDeclaration {
  type?: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
}

export interface ParameterValue {
  value?: unknown;
}

export interface PolicyDefinitionReference {
  policyDefinitionId?: string;
  policyDefinitionReferenceId?: string;
  definitionVersion?: string;
  parameters?: Record<string, ParameterValue>;
}

interface SetDefinitionFields {
  displayName?: string;
  version?: string;
  parameters?: Record<string, ParameterDeclaration>;
  policyDefinitions?: PolicyDefinitionReference[];
}

export interface PolicySetDefinitionDocument extends SetDefinitionFields {
  id?: string;
  name?: string;
  properties?: SetDefinitionFields;
}

interface DefinitionFields {
  displayName?: string;
  version?: string;
  mode?: string;
  parameters?: Record<string, ParameterDeclaration>;
  policyRule?: unknown;
}

export interface PolicyDefinitionDocument extends DefinitionFields {
  id?: string;
  name?: string;
  properties?: DefinitionFields;
}
