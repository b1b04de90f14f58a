import { z } from "zod";

/**
 * Zod schemas of the CML 2.x responses the client reads. They are lenient on purpose: unknown fields
 * are ignored (CML adds fields within a minor version), and fields the API documents as nullable are.
 */

/** Bytes may be integers (2.9.0) or floats (2.9.1). */
const bytesSchema = z.number().nonnegative();

/** `POST /authenticate` → a bare JSON string (the JWT). */
export const authTokenSchema = z.string().min(1);

/** `GET /system_information` (kept loose so the raw body can be forwarded as-is). */
export const systemInformationSchema = z.looseObject({
  version: z.string(),
  ready: z.boolean(),
  allow_ssh_pubkey_auth: z.boolean().optional(),
  oui: z.string().nullable().optional(),
});
export type SystemInformation = z.infer<typeof systemInformationSchema>;

/** CML error body `{code, description}`. */
export const errorBodySchema = z.object({
  code: z.number().int(),
  description: z.string(),
});
export type CmlErrorBody = z.infer<typeof errorBodySchema>;

/** Lab states; node states such as `BOOTED` are not lab states. */
export const LAB_STATES = ["DEFINED_ON_CORE", "STOPPED", "STARTED"] as const;
export type LabState = (typeof LAB_STATES)[number];

/** `GET /labs?show_all=true` → lab ids. */
export const labIdListSchema = z.array(z.string().min(1));

/** `GET /labs/{id}`. `state` stays a string so an unknown future state does not break the read. */
export const labSchema = z.object({
  id: z.string().optional(),
  lab_title: z.string().optional(),
  state: z.string(),
  node_count: z.number().int().nonnegative().nullable().optional(),
  link_count: z.number().int().nonnegative().nullable().optional(),
  owner_username: z.string().nullable().optional(),
});
export type Lab = z.infer<typeof labSchema>;

/** `GET /labs/{id}/state` → the lab's state as a bare JSON string (kept as received). */
export const labStateSchema = z.string().min(1);

/**
 * `GET /populate_lab_tiles` → `{ lab_tiles: { <labId>: tile } }`. Cisco documents each tile as `LabUi` (no lab
 * state) and marks the endpoint "Do not use", so only the envelope is read here; each tile is checked on its own
 * with {@link labTileWithStateSchema}.
 */
export const labTilesEnvelopeSchema = z.object({
  lab_tiles: z.record(z.string(), z.unknown()),
});

/** A tile the fast path can use: one that carries a lab state, as some controllers add. */
export const labTileWithStateSchema = labSchema.extend({ state: z.enum(LAB_STATES) });

const licensingTimeInfoSchema = z
  .object({
    attempted: z.string().nullable().optional(),
    scheduled: z.string().nullable().optional(),
    succeeded: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
    success: z.string().nullable().optional(),
    failure: z.string().nullable().optional(),
  })
  .nullable()
  .optional();

/** `GET /licensing`. Timestamps are `YYYY-MM-DD HH:MM:SS` (UTC) and kept as strings. */
export const licensingSchema = z.object({
  registration: z
    .object({
      status: z.string().nullable().optional(),
      expires: z.string().nullable().optional(),
      smart_account: z.string().nullable().optional(),
      virtual_account: z.string().nullable().optional(),
      register_time: licensingTimeInfoSchema,
      renew_time: licensingTimeInfoSchema,
    })
    .nullable()
    .optional(),
  authorization: z
    .object({
      status: z.string().nullable().optional(),
      expires: z.string().nullable().optional(),
      renew_time: licensingTimeInfoSchema,
    })
    .nullable()
    .optional(),
  features: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().optional(),
        status: z.string().nullable().optional(),
        in_use: z.number().int().nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
  reservation_mode: z.boolean().nullable().optional(),
  product_license: z
    .object({ active: z.string().nullable().optional(), is_enterprise: z.boolean().nullable().optional() })
    .nullable()
    .optional(),
});
export type Licensing = z.infer<typeof licensingSchema>;

const usageSchema = z.object({ used: bytesSchema, free: bytesSchema, total: bytesSchema });

const domInfoSchema = z
  .object({
    total_nodes: z.number().int().nullable().optional(),
    running_nodes: z.number().int().nullable().optional(),
    total_orphans: z.number().int().nullable().optional(),
    running_orphans: z.number().int().nullable().optional(),
  })
  .nullable()
  .optional();

/** `GET /system_stats`: `computes` is keyed by compute UUID; `all` sums cpu/memory/disk over computes. */
export const systemStatsSchema = z.object({
  computes: z.record(
    z.string(),
    z.object({
      hostname: z.string().optional(),
      is_controller: z.boolean().optional(),
      stats: z
        .object({
          cpu: z.object({ count: z.number().optional(), percent: z.number().optional() }).optional(),
          memory: usageSchema.optional(),
          disk: usageSchema.optional(),
          dominfo: domInfoSchema,
        })
        .optional(),
    }),
  ),
  all: z
    .object({
      cpu: z.object({ count: z.number().optional(), percent: z.number().optional() }).optional(),
      memory: usageSchema.optional(),
      disk: usageSchema.optional(),
    })
    .optional(),
  controller: z.object({ disk: usageSchema.optional() }).nullable().optional(),
});
export type SystemStats = z.infer<typeof systemStatsSchema>;
