/**
 * The Price List Query API's awsJson1_1 error body: `{"__type": "<Code>", "Message": "..."}` (the SDK reads the code
 * from `__type`).
 */
export function pricingErrorJson(code: string, message: string): string {
  return JSON.stringify({ __type: code, Message: message });
}
