import { hashString } from "../../model/seeded-random.ts";

/** What the Price List describes an instance type with (`product.attributes`). */
interface InstanceTypeFacts {
  readonly family: "General purpose" | "Compute optimized" | "Memory optimized";
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly processor: string;
  readonly clockSpeed: string;
  readonly network: string;
  readonly storage: string;
  readonly metal: boolean;
}

/** The instance types CML runs on (bare metal for nested virtualisation, large VMs), and the demo fleet's. */
const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeFacts>> = {
  "m5zn.metal": fact("General purpose", 48, 192, "Intel Xeon Platinum 8252", "4.5 GHz", "100 Gigabit", true),
  "m5.metal": fact("General purpose", 96, 384, "Intel Xeon Platinum 8175", "3.1 GHz", "25 Gigabit", true),
  "m5.2xlarge": fact("General purpose", 8, 32, "Intel Xeon Platinum 8175", "3.1 GHz", "Up to 10 Gigabit"),
  "m5.4xlarge": fact("General purpose", 16, 64, "Intel Xeon Platinum 8175", "3.1 GHz", "Up to 10 Gigabit"),
  "c5n.metal": fact("Compute optimized", 72, 192, "Intel Xeon Platinum 8124M", "3 GHz", "100 Gigabit", true),
  "c5.metal": fact("Compute optimized", 96, 192, "Intel Xeon Platinum 8275L", "3.6 GHz", "25 Gigabit", true),
  "c5.2xlarge": fact("Compute optimized", 8, 16, "Intel Xeon Platinum 8124M", "3.4 GHz", "Up to 10 Gigabit"),
  "c5.4xlarge": fact("Compute optimized", 16, 32, "Intel Xeon Platinum 8124M", "3.4 GHz", "Up to 10 Gigabit"),
  "c5.9xlarge": fact("Compute optimized", 36, 72, "Intel Xeon Platinum 8124M", "3.4 GHz", "12 Gigabit"),
  "z1d.metal": {
    ...fact("Memory optimized", 48, 384, "Intel Xeon Platinum 8151", "4 GHz", "25 Gigabit", true),
    storage: "2 x 900 NVMe SSD",
  },
  "t3.micro": fact("General purpose", 2, 1, "Intel Skylake E5 2686 v5", "3.1 GHz", "Up to 5 Gigabit"),
};

function fact(
  family: InstanceTypeFacts["family"],
  vcpu: number,
  memoryGiB: number,
  processor: string,
  clockSpeed: string,
  network: string,
  metal = false,
): InstanceTypeFacts {
  return { family, vcpu, memoryGiB, processor, clockSpeed, network, storage: "EBS only", metal };
}

/** The Price List's `location` of each simulated region. */
const LOCATIONS: Readonly<Record<string, { location: string; usagePrefix: string }>> = {
  "us-east-1": { location: "US East (N. Virginia)", usagePrefix: "" },
  "us-west-2": { location: "US West (Oregon)", usagePrefix: "USW2-" },
  "eu-west-1": { location: "EU (Ireland)", usagePrefix: "EU-" },
  "eu-central-1": { location: "EU (Frankfurt)", usagePrefix: "EUC1-" },
};

/** N. Virginia's list; Oregon's is the same for these types (z1d.metal aside: not offered there here). */
const US_EAST_1_USD: Readonly<Record<string, number>> = {
  "m5zn.metal": 3.9641,
  "m5.metal": 4.608,
  "m5.2xlarge": 0.384,
  "m5.4xlarge": 0.768,
  "c5n.metal": 3.888,
  "c5.metal": 4.08,
  "c5.2xlarge": 0.34,
  "c5.4xlarge": 0.68,
  "c5.9xlarge": 1.53,
  "z1d.metal": 4.464,
  "t3.micro": 0.0104,
};

/**
 * On-demand Linux prices, USD per hour, close to AWS's public list (for a believable demo; not a price list to rely
 * on). A region or type missing here has no products, as a type AWS does not offer in a region.
 */
const LINUX_ON_DEMAND_USD: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "us-east-1": US_EAST_1_USD,
  "us-west-2": Object.fromEntries(Object.entries(US_EAST_1_USD).filter(([type]) => type !== "z1d.metal")),
  "eu-west-1": {
    "m5zn.metal": 4.4251,
    "m5.metal": 5.136,
    "m5.2xlarge": 0.428,
    "m5.4xlarge": 0.856,
    "c5n.metal": 4.392,
    "c5.metal": 4.608,
    "c5.2xlarge": 0.384,
    "c5.4xlarge": 0.768,
    "c5.9xlarge": 1.728,
    "z1d.metal": 4.992,
    "t3.micro": 0.0114,
  },
  "eu-central-1": {
    "m5zn.metal": 4.7578,
    "m5.metal": 5.52,
    "m5.2xlarge": 0.46,
    "m5.4xlarge": 0.92,
    "c5.metal": 4.656,
    "c5.2xlarge": 0.388,
    "c5.4xlarge": 0.776,
    "c5.9xlarge": 1.746,
    "t3.micro": 0.012,
  },
};

/**
 * The products the Price List holds for one instance type and region besides the one a Linux on-demand client wants:
 * other operating systems, software and tenancy, and capacity-reservation lines (the allocated one at $0). A client
 * that does not filter by all of `operatingSystem`, `tenancy`, `preInstalledSw` and `capacitystatus` gets several.
 */
const VARIANTS: ReadonlyArray<{
  os: string;
  tenancy: string;
  software: string;
  capacity: string;
  license: string;
  price: (linux: number, vcpu: number) => number;
  usage: (prefix: string, type: string) => string;
  operation: string;
}> = [
  variant("Linux", "Shared", "NA", "Used", (p) => p, "BoxUsage", "RunInstances"),
  variant("Linux", "Shared", "NA", "AllocatedCapacityReservation", () => 0, "Reservation", "RunInstances"),
  variant("Linux", "Shared", "NA", "UnusedCapacityReservation", (p) => p, "UnusedBox", "RunInstances"),
  variant("Linux", "Dedicated", "NA", "Used", (p) => p * 1.1, "DedicatedUsage", "RunInstances"),
  variant("Windows", "Shared", "NA", "Used", (p, v) => p + 0.046 * v, "BoxUsage", "RunInstances:0002"),
  variant(
    "RHEL",
    "Shared",
    "NA",
    "Used",
    (p, v) => p + (v > 4 ? 0.13 : 0.06),
    "BoxUsage",
    "RunInstances:0010",
  ),
  variant("Linux", "Shared", "SQL Web", "Used", (p, v) => p + 0.016 * v, "BoxUsage", "RunInstances:0200"),
];

function variant(
  os: string,
  tenancy: string,
  software: string,
  capacity: string,
  price: (linux: number, vcpu: number) => number,
  usageKind: string,
  operation: string,
) {
  return {
    os,
    tenancy,
    software,
    capacity,
    license: os === "Windows" ? "License Included" : "No License required",
    price,
    usage: (prefix: string, type: string) => `${prefix}${usageKind}:${type}`,
    operation,
  };
}

/** One product of the EC2 price list: its attributes (for filtering) and its `PriceList` document. */
export interface PriceListProduct {
  readonly attributes: Readonly<Record<string, string>>;
  readonly document: string;
}

const ON_DEMAND_TERM = "JRTCKXETXF";
const RESERVED_TERM = "4NA7Y494T4";
const RATE_CODE = "6YS6EN2CT7";
const PUBLICATION = "2026-11-20T21:09:45Z";

/** A 16-character SKU of the Price List's alphabet, stable for a product. */
function skuOf(key: string): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let sku = "";
  for (let round = 0; sku.length < 16; round++) {
    let value = hashString(`${key}/${round}`);
    for (let digit = 0; digit < 4; digit++) {
      sku += alphabet[value % alphabet.length];
      value >>>= 5;
    }
  }
  return sku;
}

const usd = (value: number): string => value.toFixed(10);

/** Every EC2 product of the simulated price list, in a stable order. */
export function ec2PriceList(): PriceListProduct[] {
  const products: PriceListProduct[] = [];
  for (const [region, prices] of Object.entries(LINUX_ON_DEMAND_USD)) {
    const place = LOCATIONS[region];
    if (!place) continue;
    for (const [instanceType, linux] of Object.entries(prices)) {
      const facts = INSTANCE_TYPES[instanceType];
      if (!facts) continue;
      for (const line of VARIANTS) {
        const sku = skuOf(
          `${region}/${instanceType}/${line.os}/${line.tenancy}/${line.software}/${line.capacity}`,
        );
        const hourly = line.price(linux, facts.vcpu);
        const attributes: Record<string, string> = {
          enhancedNetworkingSupported: "Yes",
          intelTurboAvailable: "Yes",
          memory: `${facts.memoryGiB} GiB`,
          dedicatedEbsThroughput: facts.metal ? "19000 Mbps" : "Up to 4750 Mbps",
          vcpu: String(facts.vcpu),
          classicnetworkingsupport: "false",
          capacitystatus: line.capacity,
          locationType: "AWS Region",
          storage: facts.storage,
          instanceFamily: facts.family,
          operatingSystem: line.os,
          intelAvx2Available: "Yes",
          regionCode: region,
          physicalProcessor: facts.processor,
          clockSpeed: facts.clockSpeed,
          ecu: "NA",
          networkPerformance: facts.network,
          servicename: "Amazon Elastic Compute Cloud",
          gpuMemory: "NA",
          vpcnetworkingsupport: "true",
          instanceType,
          tenancy: line.tenancy,
          usagetype: line.usage(place.usagePrefix, instanceType),
          normalizationSizeFactor: facts.metal ? "NA" : String(facts.vcpu / 2),
          intelAvxAvailable: "Yes",
          processorFeatures: "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo",
          servicecode: "AmazonEC2",
          licenseModel: line.license,
          currentGeneration: "Yes",
          preInstalledSw: line.software,
          location: place.location,
          processorArchitecture: "64-bit",
          marketoption: "OnDemand",
          operation: line.operation,
          availabilityzone: "NA",
        };
        const describedOs = line.os === "Linux" ? "Linux" : line.os;
        const document = {
          product: {
            productFamily: facts.metal ? "Compute Instance (bare metal)" : "Compute Instance",
            attributes,
            sku,
          },
          serviceCode: "AmazonEC2",
          terms: {
            OnDemand: {
              [`${sku}.${ON_DEMAND_TERM}`]: {
                priceDimensions: {
                  [`${sku}.${ON_DEMAND_TERM}.${RATE_CODE}`]: {
                    unit: "Hrs",
                    endRange: "Inf",
                    description:
                      line.capacity === "AllocatedCapacityReservation"
                        ? `$0.00 per Reservation ${describedOs} ${instanceType} Instance Hour`
                        : `$${hourly.toFixed(4)} per On Demand ${describedOs} ${instanceType} Instance Hour`,
                    appliesTo: [],
                    rateCode: `${sku}.${ON_DEMAND_TERM}.${RATE_CODE}`,
                    beginRange: "0",
                    pricePerUnit: { USD: usd(hourly) },
                  },
                },
                sku,
                effectiveDate: "2026-11-01T00:00:00Z",
                offerTermCode: ON_DEMAND_TERM,
                termAttributes: {},
              },
            },
            Reserved: {
              [`${sku}.${RESERVED_TERM}`]: {
                priceDimensions: {
                  [`${sku}.${RESERVED_TERM}.${RATE_CODE}`]: {
                    unit: "Hrs",
                    endRange: "Inf",
                    description: `${describedOs}/UNIX (Amazon VPC), ${instanceType} reserved instance applied`,
                    appliesTo: [],
                    rateCode: `${sku}.${RESERVED_TERM}.${RATE_CODE}`,
                    beginRange: "0",
                    pricePerUnit: { USD: usd(hourly * 0.63) },
                  },
                },
                sku,
                effectiveDate: "2026-11-01T00:00:00Z",
                offerTermCode: RESERVED_TERM,
                termAttributes: {
                  LeaseContractLength: "1yr",
                  OfferingClass: "standard",
                  PurchaseOption: "No Upfront",
                },
              },
            },
          },
          version: "20261120210945",
          publicationDate: PUBLICATION,
        };
        products.push({ attributes, document: JSON.stringify(document) });
      }
    }
  }
  return products;
}

/** The Linux on-demand price the simulated list holds for a region and type, undefined when it has none. */
export function simulatedLinuxPrice(region: string, instanceType: string): number | undefined {
  return LINUX_ON_DEMAND_USD[region]?.[instanceType];
}
