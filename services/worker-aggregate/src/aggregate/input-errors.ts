import { type TransientError, ValidationError } from "@cml-telemetry/contracts";

/** An input the aggregate can never store (the worker's record would be too large): termed, logged with its id. */
export class InputRejectedError extends ValidationError {
  constructor(workerId: string, type: string) {
    super(`${type} for worker ${workerId} rejected: the worker's record would be too large to store`, [
      { field: "data", message: "makes the worker record larger than NATS accepts" },
    ]);
  }
}

/** An input whose transient failure lasted through every redelivery allowed: termed, logged with its id. */
export class RetriesExhaustedError extends ValidationError {
  constructor(deliveries: number, cause: TransientError) {
    super(`given up after ${deliveries} deliveries: ${cause.message}`, [{ field: "", message: cause.code }], {
      cause,
    });
  }
}
