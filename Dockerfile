# One image for every role (api, worker, the CLI). Node 24 LTS, the version `engines` ships on.

# Build: all dependencies, to turn src/ and projections/ into dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts ./scripts
COPY src ./src
COPY projections ./projections
RUN npm run build

# Production dependencies only: no tsx, no esbuild, no embedded PostgreSQL (DATABASE_URL is required).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=8000 DAYBOOK_DATA_DIR=/var/lib/daybook
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# `daybook …` on the PATH (docker compose exec api daybook projections status); a data folder the
# unprivileged user may write.
RUN ln -s /app/bin/daybook.js /usr/local/bin/daybook \
  && mkdir -p /var/lib/daybook && chown node:node /var/lib/daybook
USER node
EXPOSE 8000
# Liveness only (the process answers): readiness (dependencies) is /health/ready, for load balancers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 (exec form, no npm or shell in between): it receives SIGTERM and stops cleanly (README,
# "Stopping"); it starts no child processes, so it has no zombies to reap.
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
