// ARM error bodies: {"error":{"code","message","target"?,"details"?}}.
// https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/common-api-details.md#error-response-content

export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorDetail[];
}

/** An error that the router turns into an ARM error response. */
export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: ArmErrorDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, extra: { target?: string; details?: ArmErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = extra.target;
    this.details = extra.details;
    this.headers = extra.headers ?? {};
  }

  body(): { error: ArmErrorDetail } {
    const error: ArmErrorDetail = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function badRequest(code: string, message: string, target?: string): ArmError {
  return new ArmError(400, code, message, target === undefined ? {} : { target });
}

export function notFound(code: string, message: string): ArmError {
  return new ArmError(404, code, message);
}

/** The message ARM's request deserializer gives for malformed or unexpected content. */
export function invalidRequestContent(detail: string): ArmError {
  return badRequest("InvalidRequestContent", `The request content was invalid and could not be deserialized: '${detail}'.`);
}
