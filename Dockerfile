# The bot's container image: compiled in a build stage, run on plain node with production dependencies only, as a non-root user.
# Nobody publishes this image: build it yourself (README, "Run with Docker"): docker build -t nano-imagine .
# Debian (glibc), not Alpine: better-sqlite3 and sharp ship and build for glibc.

FROM node:24-bookworm-slim AS build
# A C++ toolchain for better-sqlite3, which compiles from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused until package.json or the lock file changes.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build
# Drops TypeScript, tsx and the test tools; the compiled native modules stay as they are.
RUN npm prune --omit=dev

FROM node:24-bookworm-slim
# HEALTH_HOST=0.0.0.0: loopback inside a container is reachable from that container only, so a
# Prometheus in another container or a published port (compose.yaml) could never scrape /metrics.
# Nothing outside reaches the port unless it is published or shares the container's network.
ENV NODE_ENV=production \
    DATABASE_PATH=/app/data/bot.db \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=9090
WORKDIR /app
# Owned by root and read-only for the bot: only /app/data is its to write.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
# `node` (uid 1000) comes with the official image.
USER node
VOLUME ["/app/data"]
EXPOSE 9090
# Ready, not merely alive: platforms connected and the database answering (GET /readyz), asked with Node itself (no curl in the image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 9090) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.status === 200 ? 0 : 1), () => process.exit(1))"]
# Exec form: node itself receives SIGTERM from `docker stop`, stops claiming work and leaves unfinished jobs for the next start.
CMD ["node", "dist/src/main.js"]
