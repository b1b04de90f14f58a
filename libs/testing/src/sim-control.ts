/**
 * Calls the fleet simulator's control API (`<simUrl>/_sim<path>`) and returns its JSON answer (undefined for an empty
 * one); a refusal throws {@link SimControlError} with the status and the simulator's message.
 * @example await simControl(simUrl, `/instances/${id}`, "PATCH", { action: "stop" })
 */
export async function simControl<T>(
  simUrl: string,
  path: string,
  method = "GET",
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${simUrl}/_sim${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new SimControlError(
      `simulator ${method} ${path} answered ${response.status}: ${text}`,
      response.status,
    );
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The simulator refused a control call. */
export class SimControlError extends Error {
  override readonly name = "SimControlError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}
