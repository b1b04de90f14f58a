import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { sendJson } from "../http/send-json.ts";
import type { FleetModel } from "../model/fleet-model.ts";
import { AwsApiError } from "./aws-api-error.ts";
import type { AwsService } from "./aws-service.ts";
import { type CallCounters, type CallCounts, createCallCounters } from "./call-counters.ts";
import { cloudWatchError } from "./cloudwatch/cloudwatch-error-json.ts";
import { CLOUDWATCH_OPERATIONS } from "./cloudwatch/cloudwatch-operations.ts";
import { isRecord } from "./cloudwatch/cloudwatch-request.ts";
import { parseCredentialScope } from "./credential-scope.ts";
import { EC2_ACTIONS } from "./ec2/ec2-actions.ts";
import { ec2ErrorXml } from "./ec2/ec2-error-xml.ts";
import { createFaultInjector, type FaultInjector } from "./fault-injector.ts";
import { pricingErrorJson } from "./pricing/pricing-error-json.ts";
import { PRICING_OPERATIONS } from "./pricing/pricing-operations.ts";
import { parseQueryParams } from "./query-params.ts";

/** Handles requests under `/_sim/`; see the control API. */
export type ControlRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => Promise<void>;

/** What the control API needs from the AWS simulator. */
export interface AwsSimulatorParts {
  fleet: FleetModel;
  faults: FaultInjector;
  counters: CallCounters;
}

/** Options of {@link startAwsSimulator}. */
export interface AwsSimulatorOptions {
  fleet: FleetModel;
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  faults?: FaultInjector;
  counters?: CallCounters;
  /** Builds the handler of `/_sim/...` requests from the simulator's parts; without it `/_sim` answers 404. */
  control?: (parts: AwsSimulatorParts) => ControlRequestHandler;
}

/** A running AWS simulator. */
export interface AwsSimulator {
  /** Base URL, e.g. `http://127.0.0.1:4566`; use as the SDK `endpoint` for EC2, CloudWatch and Pricing. */
  readonly url: string;
  readonly port: number;
  readonly fleet: FleetModel;
  readonly faults: FaultInjector;
  /** Snapshot of the call counters. */
  calls(): CallCounts;
  resetCalls(): void;
  close(): Promise<void>;
}

const CLOUDWATCH_TARGET = "GraniteServiceVersion20100801.";
const PRICING_TARGET = "AWSPriceListService.";
const CLOUDWATCH_QUERY_VERSION = "2010-08-01";
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const CONTENT_TYPES: Readonly<Record<AwsService, string>> = {
  ec2: "text/xml;charset=UTF-8",
  cloudwatch: "application/x-amz-json-1.0",
  pricing: "application/x-amz-json-1.1",
};
const INTERNAL_ERROR_CODES: Readonly<Record<AwsService, string>> = {
  ec2: "InternalError",
  cloudwatch: "InternalFailure",
  pricing: "InternalErrorException",
};

/**
 * Starts one HTTP server emulating EC2 (query protocol, XML), CloudWatch (awsJson1_0, query-compatible) and the
 * Price List Query API (awsJson1_1) for the real AWS SDK v3 clients. The region comes from the SigV4 credential scope of each request.
 * @example
 * const sim = await startAwsSimulator({ fleet: createFleetModel({ workers: 10 }) });
 * const ec2 = new EC2Client({ endpoint: sim.url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
 */
export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const { fleet } = options;
  const faults = options.faults ?? createFaultInjector(fleet.now);
  const counters = options.counters ?? createCallCounters();
  const control = options.control?.({ fleet, faults, counters });

  const server = createServer((request, response) => {
    readBody(request)
      .then(async (body) => {
        if ((request.url ?? "/").startsWith("/_sim")) {
          if (control) await control(request, response, body);
          else sendJson(response, 404, { title: "Control API not enabled" });
          return;
        }
        await handleAws(request, response, body, { fleet, faults, counters });
      })
      .catch((error: unknown) => {
        if (!response.headersSent)
          sendJson(response, 500, { title: "Internal error", detail: String(error) });
        else response.destroy();
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    fleet,
    faults,
    calls: () => counters.snapshot(),
    resetCalls: () => counters.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handleAws(
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
  parts: AwsSimulatorParts,
): Promise<void> {
  const requestId = randomUUID();
  const target = header(request, "x-amz-target");
  const service: AwsService = target?.startsWith(CLOUDWATCH_TARGET)
    ? "cloudwatch"
    : target?.startsWith(PRICING_TARGET)
      ? "pricing"
      : "ec2";
  const send = (status: number, payload: string, extraHeaders: Record<string, string> = {}): void => {
    response.writeHead(status, {
      "content-type": CONTENT_TYPES[service],
      "x-amzn-requestid": requestId,
      ...extraHeaders,
    });
    response.end(payload);
  };
  const fail = (error: AwsApiError): void => {
    parts.counters.recordError(error.code);
    if (service === "ec2") {
      send(error.statusCode, ec2ErrorXml(error.code, error.message, requestId));
      return;
    }
    if (service === "pricing") {
      send(error.statusCode, pricingErrorJson(error.code, error.message), { "x-amzn-errortype": error.code });
      return;
    }
    const { body: errorBody, headers } = cloudWatchError(error.code, error.message, error.statusCode);
    send(error.statusCode, errorBody, headers);
  };

  try {
    const scope = parseCredentialScope(header(request, "authorization"));
    if (service === "cloudwatch") {
      const operation = (target ?? "").slice(CLOUDWATCH_TARGET.length);
      parts.counters.record(service, operation, scope?.region ?? "unsigned");
      if (!scope)
        throw new AwsApiError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
      const input = parseJsonInput(body);
      const handler = CLOUDWATCH_OPERATIONS[operation];
      await applyFaults(parts.faults, service, operation, scope.region);
      if (!handler)
        throw new AwsApiError("UnknownOperationException", `Operation ${operation} is not supported.`);
      send(
        200,
        JSON.stringify(
          handler({
            input,
            region: scope.region,
            fleet: parts.fleet,
            counters: parts.counters,
            faults: parts.faults,
          }),
        ),
      );
      return;
    }
    if (service === "pricing") {
      const operation = (target ?? "").slice(PRICING_TARGET.length);
      parts.counters.record(service, operation, scope?.region ?? "unsigned");
      if (!scope)
        throw new AwsApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 400);
      const input = parseJsonInput(body);
      const handler = PRICING_OPERATIONS[operation];
      await applyFaults(parts.faults, service, operation, scope.region);
      if (!handler)
        throw new AwsApiError("UnknownOperationException", `Operation ${operation} is not supported.`);
      send(200, JSON.stringify(handler({ input })));
      return;
    }
    const params = parseQueryParams(body);
    const action = params.get("Action") ?? "";
    parts.counters.record(service, action, scope?.region ?? "unsigned");
    if (params.get("DryRun") === "true") parts.counters.recordDryRun(service, action);
    if (!scope)
      throw new AwsApiError("MissingAuthenticationToken", "Request is missing Authentication Token", 401);
    await applyFaults(parts.faults, service, action, scope.region);
    const handler = EC2_ACTIONS[action];
    if (!handler && params.get("Version") === CLOUDWATCH_QUERY_VERSION) {
      throw new AwsApiError(
        "InvalidAction",
        `CloudWatch's legacy query protocol is not simulated (${action}); use a client that sends awsJson1_0 (X-Amz-Target).`,
      );
    }
    if (!handler)
      throw new AwsApiError("InvalidAction", `The action ${action} is not valid for this web service.`);
    send(200, handler({ params, region: scope.region, fleet: parts.fleet, requestId }));
  } catch (error) {
    if (error instanceof AwsApiError) fail(error);
    else fail(new AwsApiError(INTERNAL_ERROR_CODES[service], String(error), 500));
  }
}

async function applyFaults(
  faults: FaultInjector,
  service: AwsService,
  action: string,
  region: string,
): Promise<void> {
  const decision = faults.evaluate(service, action, region);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  if (decision.error) throw decision.error;
}

function parseJsonInput(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    throw new AwsApiError("SerializationException", "Request body is not valid JSON");
  }
  if (!isRecord(parsed))
    throw new AwsApiError("SerializationException", "Request body must be a JSON object");
  return parsed;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RangeError("Request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
