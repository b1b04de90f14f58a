import {
  DescribeInstancesCommand,
  type EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { isAccessDeniedError } from "@cml-telemetry/aws";

/** The EC2 actions worker-lifecycle calls, as IAM names them (the operations guide lists them). */
export const LIFECYCLE_EC2_PERMISSIONS = [
  "ec2:DescribeInstances",
  "ec2:StartInstances",
  "ec2:StopInstances",
  "ec2:TerminateInstances",
] as const;
export type LifecyclePermission = (typeof LIFECYCLE_EC2_PERMISSIONS)[number];

/** What a dry run said about one permission in one region. */
export interface PermissionCheck {
  readonly permission: LifecyclePermission;
  readonly region: string;
  /** `allowed` (DryRunOperation), `denied` (UnauthorizedOperation), `unknown` (any other answer, or none). */
  readonly state: "allowed" | "denied" | "unknown";
  readonly detail?: string;
}

/**
 * An instance id EC2 accepts but no instance has: a dry run answers the permission before it looks the instance up, so
 * it serves where a region has no worker yet.
 */
export const PLACEHOLDER_INSTANCE_ID = "i-00000000000000000";

/** Makes the dry run of one permission's call. */
function sendDryRun(
  client: EC2Client,
  permission: LifecyclePermission,
  instanceId: string,
): Promise<unknown> {
  const input = { InstanceIds: [instanceId], DryRun: true };
  switch (permission) {
    case "ec2:DescribeInstances":
      return client.send(new DescribeInstancesCommand(input));
    case "ec2:StartInstances":
      return client.send(new StartInstancesCommand(input));
    case "ec2:StopInstances":
      return client.send(new StopInstancesCommand(input));
    case "ec2:TerminateInstances":
      return client.send(new TerminateInstancesCommand(input));
    default: {
      const unhandled: never = permission;
      throw new TypeError(`unhandled permission ${String(unhandled)}`);
    }
  }
}

/**
 * Checks, with `DryRun`, every EC2 permission worker-lifecycle needs in every region: against a worker of the region
 * when there is one (`instanceIdFor`), else against {@link PLACEHOLDER_INSTANCE_ID}. Nothing changes in AWS.
 */
export async function checkLifecyclePermissions(options: {
  regions: readonly string[];
  clientFor: (region: string) => EC2Client;
  instanceIdFor: (region: string) => string | undefined;
}): Promise<PermissionCheck[]> {
  const checks = options.regions.flatMap((region) =>
    LIFECYCLE_EC2_PERMISSIONS.map(async (permission): Promise<PermissionCheck> => {
      const instanceId = options.instanceIdFor(region) ?? PLACEHOLDER_INSTANCE_ID;
      try {
        await sendDryRun(options.clientFor(region), permission, instanceId);
        return {
          permission,
          region,
          state: "unknown",
          detail: "EC2 answered a dry run without DryRunOperation",
        };
      } catch (error) {
        const name = error instanceof Error ? error.name : "Error";
        if (name === "DryRunOperation") return { permission, region, state: "allowed" };
        const detail = `${name}: ${error instanceof Error ? error.message : String(error)}`;
        return { permission, region, state: isAccessDeniedError(error) ? "denied" : "unknown", detail };
      }
    }),
  );
  return await Promise.all(checks);
}

/**
 * The `/readyz` line of the permission checks. A missing permission is a warning, not unreadiness: the service runs,
 * and each request that needs it is `rejected` (`unauthorized`) with EC2's message.
 */
export function describePermissionChecks(checks: readonly PermissionCheck[]): string {
  const denied = checks.filter((check) => check.state === "denied");
  const unknown = checks.filter((check) => check.state === "unknown");
  const allowed = [
    ...new Set(
      LIFECYCLE_EC2_PERMISSIONS.filter((permission) =>
        checks.filter((check) => check.permission === permission).every((check) => check.state === "allowed"),
      ),
    ),
  ];
  const list = (items: readonly PermissionCheck[]) =>
    items.map((check) => `${check.permission} (${check.region})`).join(", ");
  const parts = [`allowed: ${allowed.length > 0 ? allowed.join(", ") : "none"}`];
  if (denied.length > 0) parts.push(`WARNING denied: ${list(denied)}; requests needing them are rejected`);
  if (unknown.length > 0) parts.push(`not known: ${list(unknown)} (${unknown[0]?.detail ?? ""})`);
  return parts.join("; ");
}
