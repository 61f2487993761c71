# One Herald server: the tRPC API, WebSocket and web app on PORT (docs/protocol.md §4).
# Build from the repository root:  docker build -t herald-server .
# Run alone (embedded database in the /data volume):
#   docker run --init -p 3000:3000 -e AUTH_SECRET=$(openssl rand -base64 32) -v herald-data:/data herald-server
# Several of these given the same DATABASE_URL and REDIS_URL act as one (docs/multi-server.md).
#
# Stages: prune (only the workspace packages the server and the web app need) → build (every
# dependency; the web app and the server bundle) → deps (production dependencies of the server
# alone) → runtime (compiled JavaScript and those dependencies, run as the unprivileged `node`).

FROM node:20-slim AS base
ENV TURBO_TELEMETRY_DISABLED=1 \
    CI=1
# pnpm 12.4.2 exactly: newer pnpm 12 wants every platform's @pnpm/exe.* in the lockfile.
RUN npm install --global pnpm@12.4.2 && npm cache clean --force
WORKDIR /app

FROM base AS prune
# The version in pnpm-workspace.yaml's catalog.
RUN npm install --global turbo@2.11.11 && npm cache clean --force
COPY . .
# Each prune writes json/ (manifests), pnpm-lock.yaml trimmed to them, and full/ (their sources).
# build: the server and the web app it serves; server: what runs, and nothing else.
RUN turbo prune @herald/server @herald/web --docker --out-dir /prune/build \
 && turbo prune @herald/server --docker --out-dir /prune/server

FROM base AS build
# Manifests first: this layer is rebuilt only when a package.json or the lockfile changes.
COPY --from=prune /prune/build/json/ ./
RUN pnpm install --frozen-lockfile
COPY --from=prune /prune/build/full/ ./
# apps/web/dist, and apps/server/dist: main.js (src/main.ts with the @herald/* packages bundled
# in, npm packages left as imports) and the database migrations (apps/server/build.mjs).
RUN pnpm exec turbo run build --filter=@herald/server --filter=@herald/web --output-logs=errors-only

FROM base AS deps
COPY --from=prune /prune/server/json/ ./
# @herald/server's own production dependencies, nothing else: no tsx, esbuild, Vite or Vitest.
# The @herald/* packages are in the bundle, so theirs are not needed (and the filter has no
# `...`: that would follow devDependencies into tooling/, whose vitest-config needs Vitest).
# TypeScript does come along, as a peer dependency of @trpc/server.
RUN pnpm install --prod --frozen-lockfile --filter=@herald/server

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the server; only DATA_DIR is its to write.
COPY --from=deps /app/ ./
COPY --from=build /app/apps/server/dist/ ./apps/server/dist/
COPY --from=build /app/apps/web/dist/ ./apps/web/dist/
# With no DATABASE_URL, the embedded database (and, without AUTH_SECRET, the generated secret)
# live here; NODE_ENV=production requires AUTH_SECRET anyway.
RUN install --directory --owner=node --group=node --mode=0700 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node is the only process: SIGTERM (docker stop) reaches it directly and it shuts down
# gracefully (last seen recorded, clients told to reconnect). Run with `docker run --init`
# (compose: `init: true`) so that tini is PID 1 and reaps; without it node, as PID 1, still
# handles SIGTERM and SIGINT itself.
# V8 flags: apps/server/src/node-flags.ts says why.
CMD ["node", "--no-concurrent-marking", "--enable-source-maps", "apps/server/dist/main.js"]
