import { AwsApiError } from "../aws-api-error.ts";
import { isRecord } from "../cloudwatch/cloudwatch-request.ts";
import { decodePagingToken, encodePagingToken } from "../paging-token.ts";
import { ec2PriceList, type PriceListProduct } from "./price-catalog.ts";

/** What a Price List Query API handler gets: the parsed JSON input. */
export interface PricingRequest {
  readonly input: Record<string, unknown>;
}

const FILTER_TYPES = ["TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF"] as const;
type FilterType = (typeof FILTER_TYPES)[number];
const MAX_RESULTS = 100;

interface Filter {
  readonly type: FilterType;
  readonly field: string;
  readonly value: string;
}

function invalid(message: string): AwsApiError {
  return new AwsApiError("InvalidParameterException", message);
}

function readFilters(raw: unknown): Filter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid("Filters must be a list");
  return raw.map((entry, index) => {
    if (!isRecord(entry)) throw invalid(`Filters[${index}] must be a structure`);
    const { Type: type, Field: field, Value: value } = entry;
    if (typeof type !== "string" || !(FILTER_TYPES as readonly string[]).includes(type)) {
      throw invalid(`Input validation error: filter type ${String(type)} is not supported`);
    }
    if (typeof field !== "string" || field === "" || typeof value !== "string") {
      throw invalid(`Filters[${index}] needs a Field and a Value`);
    }
    return { type: type as FilterType, field, value };
  });
}

/** Whether a product matches a filter: attribute names are exact, `ServiceCode` is the service itself. */
function matches(product: PriceListProduct, filter: Filter): boolean {
  const actual = filter.field === "ServiceCode" ? "AmazonEC2" : product.attributes[filter.field];
  switch (filter.type) {
    case "TERM_MATCH":
    case "EQUALS":
      return actual === filter.value;
    case "CONTAINS":
      return actual?.includes(filter.value) ?? false;
    case "ANY_OF":
      return filter.value.split(",").some((value) => value.trim() === actual);
    case "NONE_OF":
      return !filter.value.split(",").some((value) => value.trim() === actual);
    default: {
      const unknown: never = filter.type;
      throw invalid(`filter type ${String(unknown)} is not supported`);
    }
  }
}

/**
 * `AWSPriceListService.GetProducts`: `ServiceCode` (required; only `AmazonEC2` has products here), `Filters`
 * (`TERM_MATCH`, `EQUALS`, `CONTAINS`, `ANY_OF`, `NONE_OF` on product attributes), `FormatVersion` (`aws_v1`),
 * `MaxResults` (1..100, default 100) / `NextToken`. Answers `{ FormatVersion, PriceList: [<JSON document as a
 * string>, …], NextToken? }` as the real API does.
 */
export function getProducts({ input }: PricingRequest): Record<string, unknown> {
  const serviceCode = input.ServiceCode;
  if (typeof serviceCode !== "string" || serviceCode === "") {
    throw invalid("Input validation error: ServiceCode is required");
  }
  const format = input.FormatVersion ?? "aws_v1";
  if (format !== "aws_v1")
    throw invalid(`Input validation error: FormatVersion ${String(format)} is not supported`);
  const maxResults = input.MaxResults ?? MAX_RESULTS;
  if (
    typeof maxResults !== "number" ||
    !Number.isInteger(maxResults) ||
    maxResults < 1 ||
    maxResults > MAX_RESULTS
  ) {
    throw invalid(`Input validation error: MaxResults must be between 1 and ${MAX_RESULTS}`);
  }
  const filters = readFilters(input.Filters);
  const products =
    serviceCode === "AmazonEC2" ? ec2PriceList().filter((p) => filters.every((f) => matches(p, f))) : [];
  const token = input.NextToken;
  const start =
    typeof token === "string" && token !== ""
      ? (decodePagingToken("GetProducts", token, "InvalidNextTokenException", ["start"]).start ?? 0)
      : 0;
  const page = products.slice(start, start + maxResults);
  const next =
    start + maxResults < products.length
      ? encodePagingToken("GetProducts", { start: start + maxResults })
      : undefined;
  return {
    FormatVersion: "aws_v1",
    PriceList: page.map((product) => product.document),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}
