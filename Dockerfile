# syntax=docker/dockerfile:1
# One image recipe for every service; pick the service with the SERVICE build arg (or env at run time):
#   docker build --build-arg SERVICE=collector-cml -t cml-telemetry/collector-cml .
# Services run their TypeScript sources directly through Node 24's type stripping: there is no build step.

ARG NODE_IMAGE=node:24-slim

# Only the package manifests, so the dependency layer is rebuilt when dependencies change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY libs libs
COPY services services
RUN find libs services -type f ! -name package.json -delete \
 && find libs services -depth -type d -empty -delete

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app/libs libs
COPY --from=manifests /app/services services
# Production dependencies only; no package here needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=""
# MALLOC_*: fewer glibc malloc arenas, freed memory given back (SERVICE_PROCESS_ENV in libs/launcher).
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=1048576
WORKDIR /app
COPY --from=deps /app ./
COPY package.json package-lock.json ./
COPY libs libs
COPY services services
USER node
# /healthz on METRICS_PORT (API_PORT for the api), resolved from the same config schema the service uses.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "libs/config/src/healthcheck.ts"]
# exec: node replaces the shell and receives SIGTERM directly (compose also adds an init process with `init: true`).
CMD ["sh", "-c", "exec node \"services/${SERVICE:?set SERVICE to collector-ec2, collector-cloudwatch, collector-cml, worker-aggregate, worker-lifecycle, metrics-history or api}/src/main.ts\""]
