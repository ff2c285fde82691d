// Checks an assignment's parameter values against the parameters its definition declares.
import { badRequest } from "../errors.js";

function typeMatches(type: string, value: unknown): boolean {
  switch (type.toLowerCase()) {
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "float":
      return typeof value === "number";
    case "datetime":
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    default:
      return true;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Validates `values` ({name: {value}}) against `declared` (the definition's parameters).
 * Codes: UndefinedPolicyParameter and MissingPolicyParameter as ARM returns them (docs/reference/arm-contract.md §7.2).
 */
export function validateParameterValues(assignmentName: string, definitionId: string, declared: Record<string, any>, values: Record<string, any>, definitionVersion?: string): void {
  const declaredNames = new Map(Object.keys(declared).map((name) => [name.toLowerCase(), name]));
  const undefinedNames = Object.keys(values).filter((name) => !declaredNames.has(name.toLowerCase()));
  if (undefinedNames.length > 0) {
    throw badRequest(
      "UndefinedPolicyParameter",
      `The policy assignment '${assignmentName}' has the parameter(s) '${undefinedNames.join(", ")}' which are not defined in the policy definition '${definitionId}'.`,
    );
  }
  const supplied = new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), value]));
  const missing = Object.entries(declared)
    .filter(([name, definition]) => definition?.defaultValue === undefined && supplied.get(name.toLowerCase()) === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw badRequest("MissingPolicyParameter", `The policy assignment '${assignmentName}' is missing the parameter(s) '${missing.join(", ")}' as defined in the policy definition '${definitionId}'.`);
  }
  for (const [lowerName, wrapper] of supplied) {
    const name = declaredNames.get(lowerName)!;
    const definition = declared[name] ?? {};
    if (wrapper === null || typeof wrapper !== "object" || !("value" in wrapper)) {
      throw badRequest("InvalidRequestContent", `The request content was invalid and could not be deserialized: 'Required property 'value' not found in JSON. Path 'properties.parameters.${name}'.'.`);
    }
    const value = wrapper.value;
    // Expressions such as "[parameters('x')]" are resolved later by the policy engine, as in ARM.
    if (typeof value === "string" && value.startsWith("[") && value.endsWith("]")) continue;
    // Not confirmed against Azure: the code ARM uses for a wrong type or a value outside allowedValues
    // on an assignment. InvalidPolicyParameters is what ARM uses for parameter errors on definitions.
    if (definition.type !== undefined && !typeMatches(definition.type, value)) {
      throw badRequest(
        "InvalidPolicyParameters",
        `The policy assignment '${assignmentName}' parameter '${name}' has a value of the wrong type. The policy definition '${definitionId}' declares it as '${definition.type}'.`,
      );
    }
    if (Array.isArray(definition.allowedValues)) {
      const candidates = Array.isArray(value) && definition.type?.toLowerCase() === "array" ? value : [value];
      const outside = candidates.filter((candidate) => !definition.allowedValues.some((allowed: unknown) => sameValue(allowed, candidate)));
      if (outside.length > 0) {
        // ARM's code and wording (e.g. Azure/terraform-azurerm-caf-enterprise-scale#1313).
        const text = (item: unknown) => (typeof item === "string" ? item : JSON.stringify(item));
        const definitionName = definitionId.split("/").pop() ?? definitionId;
        throw badRequest(
          "PolicyParameterValueNotAllowed",
          `The value '${outside.map(text).join(", ")}' is not allowed for policy parameter '${name}' in policy definition '${definitionName}${definitionVersion ? ` version ${definitionVersion}` : ""}'. The allowed values are '${definition.allowedValues.map(text).join(", ")}'.`,
        );
      }
    }
  }
}
