import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { AwsSimulatorParts, ControlRequestHandler } from "../aws/aws-simulator.ts";
import { sendJson } from "../http/send-json.ts";
import type { InstanceRecord } from "../model/fleet-model.ts";
import { cpuChangeVisibility } from "../model/metric-catalog.ts";
import type { InstancePatch, InstanceSpec } from "../model/types.ts";
import { UnknownImageError } from "../model/unknown-image-error.ts";
import { UnknownInstanceError } from "../model/unknown-instance-error.ts";
import type { CmlControl } from "./cml-control.ts";
import {
  clockMoveSchema,
  faultRuleSchema,
  imagePatchSchema,
  instancePatchSchema,
  instanceSpecSchema,
  realismPatchSchema,
} from "./control-schemas.ts";

/** Thrown for bad control-API input; answered as 400 problem+json. */
class BadRequestError extends Error {
  readonly code = "BAD_REQUEST";
}

/**
 * Builds the JSON control API served under `/_sim/` on the AWS simulator's port:
 * fleet listing, instance add/update/remove, AMIs, the clock, realism modes, faults, call counters and (with `cml`)
 * the CML behaviour. A change answers with `appliedAt`, the simulated time it took effect (epoch ms), and a
 * `cpuChange` with when CloudWatch makes its first datapoint visible (`cpuChangeVisibility`).
 */
export function createControlApi(cml?: CmlControl): (parts: AwsSimulatorParts) => ControlRequestHandler {
  return ({ fleet, faults, counters }) => {
    const clockView = () => ({
      now: new Date(fleet.now()).toISOString(),
      offsetSeconds: fleet.clock.offsetMs() / 1000,
    });
    const view = (instance: InstanceRecord): Record<string, unknown> => {
      const base: Record<string, unknown> = { ...fleet.view(instance) };
      if (cml) base.cmlServer = cml.describe(instance) ?? null;
      return base;
    };

    return async (request: IncomingMessage, response: ServerResponse, body: string): Promise<void> => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const path = url.pathname.replace(/\/+$/, "").split("/").slice(2).map(decodeURIComponent);
      const method = request.method ?? "GET";
      const route = `${method} /${path.map((p, i) => (i === 1 ? ":" : p)).join("/")}`;
      const ref = path[1] ?? "";
      try {
        switch (route) {
          case "GET /health":
            return sendJson(response, 200, { ok: true, now: new Date(fleet.now()).toISOString() });
          case "GET /clock":
            return sendJson(response, 200, clockView());
          case "POST /clock": {
            fleet.clock.advance(parse(clockMoveSchema, body).advanceSeconds * 1000);
            fleet.advance();
            await cml?.idle();
            return sendJson(response, 200, clockView());
          }
          case "GET /realism":
            return sendJson(response, 200, fleet.realism);
          case "PATCH /realism":
            return sendJson(response, 200, fleet.setRealism(parse(realismPatchSchema, body)));
          case "GET /images":
            return sendJson(response, 200, {
              images: fleet.images(url.searchParams.get("region") ?? undefined),
            });
          case "PATCH /images/:": {
            const { state, region } = parse(imagePatchSchema, body);
            return sendJson(response, 200, { images: fleet.setImageState(ref, state, region) });
          }
          case "GET /fleet": {
            const region = url.searchParams.get("region") ?? undefined;
            return sendJson(response, 200, {
              now: new Date(fleet.now()).toISOString(),
              workerTagKey: fleet.workerTagKey,
              instances: fleet.instances(region).map(view),
            });
          }
          case "POST /instances": {
            const { worker, ...spec } = parse(instanceSpecSchema, body);
            const tags = worker ? { [fleet.workerTagKey]: "true", ...spec.tags } : spec.tags;
            const added = fleet.add({ ...spec, tags, cml: spec.cml ?? worker } as InstanceSpec);
            await cml?.idle();
            return sendJson(response, 201, view(added));
          }
          case "GET /instances/:":
            return sendJson(response, 200, view(fleet.get(ref)));
          case "PATCH /instances/:": {
            const patch = parse(instancePatchSchema, body) as InstancePatch;
            const appliedAt = fleet.now();
            const updated = fleet.update(ref, patch);
            await cml?.idle();
            const cpuChange =
              patch.cpuChange === undefined
                ? {}
                : {
                    cpuChangeVisibility: cpuChangeVisibility(updated, appliedAt, {
                      lagSeconds: fleet.timings.metricLagSeconds,
                      jitterSeconds: fleet.realism.metricLagJitterSeconds,
                    }),
                  };
            return sendJson(response, 200, { ...view(updated), appliedAt, ...cpuChange });
          }
          case "DELETE /instances/:": {
            const removed = fleet.remove(ref);
            await cml?.idle();
            return sendJson(response, 200, fleet.view(removed));
          }
          case "GET /instances/:/cml":
            if (!cml) return sendJson(response, 404, { title: "CML servers are not enabled" });
            return sendJson(response, 200, cml.describe(fleet.get(ref)) ?? null);
          case "PATCH /instances/:/cml": {
            if (!cml) return sendJson(response, 404, { title: "CML servers are not enabled" });
            const patch = parse(z.record(z.string(), z.unknown()), body);
            const appliedAt = fleet.now();
            const described = (await cml.update(fleet.get(ref), patch)) as Record<string, unknown>;
            return sendJson(response, 200, { ...described, appliedAt });
          }
          case "GET /faults":
            return sendJson(response, 200, { faults: faults.list() });
          case "POST /faults":
            return sendJson(response, 201, faults.add(parse(faultRuleSchema, body)));
          case "DELETE /faults":
            faults.clear();
            return sendJson(response, 200, { faults: [] });
          case "DELETE /faults/:":
            if (!faults.remove(ref)) return sendJson(response, 404, { title: `No fault ${ref}` });
            return sendJson(response, 200, { removed: ref });
          case "GET /calls":
            return sendJson(response, 200, { aws: counters.snapshot(), cml: cml?.calls() ?? null });
          case "DELETE /calls":
          case "POST /calls/reset":
            counters.reset();
            cml?.resetCalls();
            return sendJson(response, 200, { aws: counters.snapshot(), cml: cml?.calls() ?? null });
          default:
            return sendJson(response, 404, { title: `No control route ${method} ${url.pathname}` });
        }
      } catch (error) {
        if (error instanceof UnknownInstanceError || error instanceof UnknownImageError)
          return sendJson(response, 404, { title: error.message });
        if (error instanceof BadRequestError || error instanceof RangeError) {
          return sendJson(response, 400, { title: error.message });
        }
        throw error;
      }
    };
  };
}

function parse<T>(schema: z.ZodType<T>, body: string): T {
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    throw new BadRequestError("Body is not valid JSON");
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new BadRequestError(z.prettifyError(result.error));
  return result.data;
}
