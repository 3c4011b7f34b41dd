# Lanterne in a container: the same `serve` command as `npm start`, without the demo simulator,
# configured by LANTERNE_* variables (see systemd/lanterne.env.example for the list).
# Built by docker-compose.yml with the repository as context:
#   docker build -f infra/lanterne.Dockerfile -t lanterne .
FROM node:20-bookworm-slim

WORKDIR /opt/lanterne

# Dependencies first, so that a code change does not reinstall them. DuckDB comes prebuilt for
# linux-x64 and linux-arm64 (glibc): no compiler needed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY cli ./cli
COPY gateway ./gateway
COPY services ./services
COPY simulator ./simulator
COPY territory ./territory
COPY protos ./protos

# The embedded state store (quarantine, audit) and the spool live here: a volume in compose.
RUN mkdir -p /var/lib/lanterne && chown node:node /var/lib/lanterne

ENV NODE_ENV=production \
    LANTERNE_HOST=0.0.0.0 \
    LANTERNE_DATA_DIR=/var/lib/lanterne

# 1883 MQTT, 8083 MQTT over WebSocket (/mqtt), 8080 API.
EXPOSE 1883 8083 8080

# The image's unprivileged user; every port is above 1024.
USER node

CMD ["npx", "tsx", "cli/lanterne.ts", "serve"]
