# blotter as a container sidecar. The embedded PostgreSQL keeps its data under
# /data (mount a volume); set DATABASE_URL to use an external server instead.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY agent ./agent
COPY db ./db
COPY config ./config
COPY docs ./docs
ENV BLOTTER_HOME=/data NODE_ENV=production
RUN mkdir -p /data && chown node:node /data
# Not root: PostgreSQL refuses to run as root, and the agent needs no privileges.
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/blotter.js"]
CMD ["start"]
