import type { FleetModel, InstanceRecord } from "../../model/fleet-model.ts";
import { INSTANCE_STATE_CODES } from "../../model/instance-state.ts";
import { xmlEscape } from "../xml-escape.ts";
import { answerDryRun } from "./dry-run.ts";
import { ec2Page } from "./ec2-page.ts";
import { EC2_XMLNS, type Ec2Request, readMaxResults, resolveInstanceIds } from "./ec2-request.ts";
import { instanceFilter } from "./instance-filters.ts";

const OWNER_ID = "123456789012";

/** EC2 `DescribeInstances`: `InstanceId.N`, `Filter.N`, `MaxResults`/`NextToken`; one reservation per instance. */
export function describeInstances({ params, region, fleet, requestId }: Ec2Request): string {
  answerDryRun(params);
  const ids = params.list("InstanceId");
  const maxResults = readMaxResults(params, ids);
  const predicate = instanceFilter(params.filters());
  const candidates = ids.length > 0 ? resolveInstanceIds(fleet, region, ids) : fleet.instances(region);
  const matching = candidates.filter(predicate);
  const page = ec2Page("DescribeInstances", matching, maxResults, params.get("NextToken"));
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId><reservationSet>`,
  ];
  for (const instance of page.items) parts.push(reservationXml(fleet, instance));
  parts.push("</reservationSet>");
  if (page.nextToken) parts.push(`<nextToken>${page.nextToken}</nextToken>`);
  parts.push("</DescribeInstancesResponse>");
  return parts.join("");
}

function reservationXml(fleet: FleetModel, i: InstanceRecord): string {
  const publicIp = fleet.publicIp(i);
  const privateIp = i.state === "terminated" ? null : i.privateIpAddress;
  const privateDns = privateIp ? `ip-${privateIp.replaceAll(".", "-")}.${dnsSuffix(i.region)}` : "";
  const publicDns = publicIp ? `ec2-${publicIp.replaceAll(".", "-")}.${i.region}.compute.amazonaws.com` : "";
  let tags = "";
  for (const key in i.tags) {
    tags += `<item><key>${xmlEscape(key)}</key><value>${xmlEscape(i.tags[key] ?? "")}</value></item>`;
  }
  const stateReason =
    i.state === "stopped" || i.state === "stopping"
      ? "<stateReason><code>Client.UserInitiatedShutdown</code><message>Client.UserInitiatedShutdown: User initiated shutdown</message></stateReason>"
      : "";
  return (
    `<item><reservationId>r-${i.instanceId.slice(2)}</reservationId><ownerId>${OWNER_ID}</ownerId><groupSet/>` +
    `<instancesSet><item><instanceId>${i.instanceId}</instanceId><imageId>${i.imageId}</imageId>` +
    `<instanceState><code>${INSTANCE_STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>` +
    `<privateDnsName>${privateDns}</privateDnsName><dnsName>${publicDns}</dnsName><reason/>` +
    `<amiLaunchIndex>0</amiLaunchIndex><productCodes/><instanceType>${xmlEscape(i.instanceType)}</instanceType>` +
    `<launchTime>${new Date(i.launchTime).toISOString()}</launchTime>` +
    `<placement><availabilityZone>${i.availabilityZone}</availabilityZone><groupName/><tenancy>default</tenancy></placement>` +
    `<monitoring><state>${i.detailedMonitoring ? "enabled" : "disabled"}</state></monitoring>` +
    (privateIp ? `<privateIpAddress>${privateIp}</privateIpAddress>` : "") +
    (publicIp ? `<ipAddress>${publicIp}</ipAddress>` : "") +
    `<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/sda1</rootDeviceName>` +
    `<virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor>${stateReason}` +
    `<tagSet>${tags}</tagSet></item></instancesSet></item>`
  );
}

function dnsSuffix(region: string): string {
  return region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
}
