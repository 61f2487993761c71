# One Herald server: the tRPC API, WebSocket and web app on PORT (SPEC §4).
# Build from the repository root:  docker build -t herald-server .
# Several of these given the same DATABASE_URL and REDIS_URL act as one (docs/multi-server.md).
FROM node:20-slim

ENV TURBO_TELEMETRY_DISABLED=1 \
    CI=1
# pnpm 12.4.2 exactly: newer pnpm 12 wants every platform's @pnpm/exe.* in the lockfile.
RUN npm install --global pnpm@12.4.2 && npm cache clean --force

WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
# The web app and everything the server needs, built into the image; `pnpm start` then finds
# them in turbo's cache instead of building on every start.
RUN pnpm exec turbo run build --filter=@herald/server... --filter=@herald/web --output-logs=errors-only

# With `docker run --init` (compose: `init: true`), SIGTERM reaches the whole process group,
# so the server below pnpm and tsx shuts down gracefully.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    TINI_KILL_PROCESS_GROUP=1
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["pnpm", "start"]
