import type { FleetModel, InstanceRecord } from "../../model/fleet-model.ts";
import { INSTANCE_STATE_CODES } from "../../model/instance-state.ts";
import type { StatusCheckValue } from "../../model/types.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { answerDryRun } from "./dry-run.ts";
import { ec2Page } from "./ec2-page.ts";
import { EC2_XMLNS, type Ec2Request, readMaxResults, resolveInstanceIds } from "./ec2-request.ts";
import { instanceFilter } from "./instance-filters.ts";

/** AWS's limit of explicit instance ids per DescribeInstanceStatus call. */
export const MAX_STATUS_INSTANCE_IDS = 100;

/**
 * EC2 `DescribeInstanceStatus`: `InstanceId.N` (at most 100, not with `MaxResults`), `IncludeAllInstances`
 * (otherwise running instances only), `Filter.N`, `MaxResults`/`NextToken`.
 */
export function describeInstanceStatus({ params, region, fleet, requestId }: Ec2Request): string {
  answerDryRun(params);
  const ids = params.list("InstanceId");
  if (ids.length > MAX_STATUS_INSTANCE_IDS) {
    // AWS's own message, including its spelling.
    throw new AwsApiError(
      "InvalidRequest",
      `${ids.length} exceeds the maximum number of instance IDs that can be specificied (100). Please specify fewer than 100 instance IDs.`,
    );
  }
  const maxResults = readMaxResults(params, ids);
  const includeAll = params.get("IncludeAllInstances") === "true";
  const predicate = instanceFilter(params.filters());
  const candidates = ids.length > 0 ? resolveInstanceIds(fleet, region, ids) : fleet.instances(region);
  const matching = candidates.filter((i) => (includeAll || i.state === "running") && predicate(i));
  const page = ec2Page("DescribeInstanceStatus", matching, maxResults, params.get("NextToken"));
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstanceStatusResponse xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId><instanceStatusSet>`,
  ];
  for (const instance of page.items) parts.push(statusXml(fleet, instance));
  parts.push("</instanceStatusSet>");
  if (page.nextToken) parts.push(`<nextToken>${page.nextToken}</nextToken>`);
  parts.push("</DescribeInstanceStatusResponse>");
  return parts.join("");
}

function statusXml(fleet: FleetModel, i: InstanceRecord): string {
  const { instanceStatus, systemStatus } = fleet.statusChecks(i);
  return (
    `<item><instanceId>${i.instanceId}</instanceId><availabilityZone>${i.availabilityZone}</availabilityZone>` +
    `<instanceState><code>${INSTANCE_STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>` +
    `<systemStatus>${summaryXml(systemStatus)}</systemStatus>` +
    `<instanceStatus>${summaryXml(instanceStatus)}</instanceStatus></item>`
  );
}

function summaryXml(status: StatusCheckValue): string {
  if (status === "not-applicable") return "<status>not-applicable</status>";
  const detail =
    status === "ok"
      ? "passed"
      : status === "impaired"
        ? "failed"
        : status === "initializing"
          ? "initializing"
          : status;
  return `<status>${status}</status><details><item><name>reachability</name><status>${detail}</status></item></details>`;
}
