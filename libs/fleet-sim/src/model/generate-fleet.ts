import { ASG_NAME_TAG } from "./agent-dimensions.ts";
import { createSeededRandom, type SeededRandom } from "./seeded-random.ts";
import { simulatedPublicIp } from "./simulated-public-ip.ts";
import type { AgentConfig, InstanceSpec } from "./types.ts";

/** Options of the deterministic fleet generator. */
export interface GenerateFleetOptions {
  seed: number | string;
  /** Number of CML workers (instances carrying the worker tag). */
  workers: number;
  regions: readonly string[];
  /** Instances without the worker tag (other machines in the account). */
  untagged: number;
  workerTagKey: string;
  /** Epoch ms used for launch times. */
  now: number;
}

const INSTANCE_TYPES = ["c5.2xlarge", "c5.4xlarge", "m5.2xlarge", "m5.4xlarge", "m5zn.metal", "c5.metal"];
const CML_VERSIONS = ["2.9.1", "2.9.0", "2.8.1"];
const DAY_MS = 86_400_000;

/**
 * Generates a realistic, deterministic fleet: workers spread round-robin over the regions, mostly running,
 * with every CloudWatch agent configuration (one of them in an Auto Scaling group), some without an agent, some with
 * detailed monitoring, one
 * booting and one stopped worker in every 50, plus untagged non-worker instances.
 */
export function generateFleetSpecs(options: GenerateFleetOptions): InstanceSpec[] {
  const random = createSeededRandom(options.seed);
  const images = new Map(options.regions.map((region) => [region, regionImages(random, region)]));
  const width = Math.max(2, String(options.workers).length);
  const specs: InstanceSpec[] = [];
  for (let i = 0; i < options.workers; i++) {
    const region = options.regions[i % options.regions.length] ?? "us-east-1";
    const image = random.pick(images.get(region) ?? []);
    const role = i % 50;
    const state = role === 1 ? "pending" : role === 2 ? "stopped" : "running";
    // Variety is keyed on the index within the region so every region gets every case.
    const k = Math.floor(i / options.regions.length);
    const agent: AgentConfig =
      k % 10 === 3
        ? "none"
        : k % 10 === 7
          ? "instance-image-type-asg"
          : k % 2 === 0
            ? "instance-id"
            : "instance-image-type";
    // Workers whose agent adds AutoScalingGroupName run in an Auto Scaling group, which tags its instances.
    const groupTag: Record<string, string> =
      agent === "instance-image-type-asg" ? { [ASG_NAME_TAG]: `cml-workers-${region}` } : {};
    specs.push({
      ...baseSpec(random, region, options.now),
      ...image,
      launchTime: state === "pending" ? options.now : options.now - random.int(1, 30) * DAY_MS,
      state,
      agent,
      detailedMonitoring: k % 3 === 0,
      tags: {
        Name: `cml-worker-${String(i + 1).padStart(width, "0")}`,
        [options.workerTagKey]: "true",
        Team: random.pick(["training", "dev", "demo"]),
        ...groupTag,
      },
      cml: true,
      cmlBootSeconds: state === "pending" ? 90 : 0,
    });
  }
  for (let i = 0; i < options.untagged; i++) {
    const region = options.regions[i % options.regions.length] ?? "us-east-1";
    specs.push({
      ...baseSpec(random, region, options.now),
      imageId: `ami-0${random.hex(16)}`,
      amiName: "al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64",
      instanceType: "t3.micro",
      launchTime: options.now - random.int(1, 90) * DAY_MS,
      state: "running",
      agent: "none",
      detailedMonitoring: false,
      tags: { Name: `bastion-${i + 1}` },
      cml: false,
    });
  }
  return specs;
}

function baseSpec(random: SeededRandom, region: string, now: number): InstanceSpec {
  return {
    instanceId: `i-0${random.hex(16)}`,
    region,
    availabilityZone: `${region}${random.pick(["a", "b", "c"])}`,
    instanceType: random.pick(INSTANCE_TYPES),
    privateIpAddress: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(4, 254)}`,
    publicIpAddress: simulatedPublicIp(random),
    launchTime: now,
  };
}

function regionImages(random: SeededRandom, region: string): Array<{ imageId: string; amiName: string }> {
  return CML_VERSIONS.map((version) => ({
    imageId: `ami-0${random.hex(16)}`,
    amiName: `cml-${version}-controller-${region}`,
  }));
}
