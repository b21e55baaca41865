# blotter as a container sidecar. The embedded PostgreSQL keeps its data under
# /data (mount a volume); set DATABASE_URL to use an external server instead.
# docs/deploy.md has a compose file (bot, blotter, IB Gateway, PostgreSQL) and says
# which environment the sidecar needs.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY agent ./agent
COPY db ./db
COPY config ./config
COPY docs ./docs
ENV BLOTTER_HOME=/data NODE_ENV=production NODE_COMPILE_CACHE=/app/.node-compile-cache
# Node's compile cache, filled at build time: every start of the image (not only the second
# one in a container's life) skips compiling and type-stripping the agent's modules, which
# leaves the agent ~30 MB smaller and quicker to start. Read-only at run time: fine.
RUN node --input-type=module -e "await import('/app/agent/db/pg-hotfix.ts'); await import('/app/agent/cli.ts'); await import('/app/agent/agent.ts'); await import('/app/agent/ib/relay.ts'); await import('/app/agent/console/server.ts'); await import('pino-roll')"
RUN mkdir -p /data && chown node:node /data
# Not root: PostgreSQL refuses to run as root, and the agent needs no privileges.
USER node
VOLUME ["/data"]
EXPOSE 7600
# Liveness: 0 while the agent answers GET /v1/health with 200 (ok or degraded: a database
# that is away is no reason to restart it), 1 when it does not answer within 3 s or is
# stopping. It reads the agent's own config, so it uses the same port and token (ingest.token
# or $BLOTTER_HOME/ingest-token). Readiness is `node bin/healthcheck.js --ready`.
# The start period covers a first start that creates and migrates the embedded database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "bin/healthcheck.js", "--timeout-ms=3000"]
ENTRYPOINT ["node", "bin/blotter.js"]
CMD ["start"]
