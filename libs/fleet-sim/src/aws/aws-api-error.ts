/** An error the simulator answers in the wire format of the service (EC2 XML or CloudWatch JSON). */
export class AwsApiError extends Error {
  /** AWS error code, e.g. `InvalidParameterValue`, `RequestLimitExceeded`, `Throttling`. */
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = "AwsApiError";
    this.code = code;
    this.statusCode = statusCode;
  }
}
