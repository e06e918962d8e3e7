# Two images from one file (docker-compose.yml builds both):
#   --target api       the api: compiled JavaScript, production dependencies only, user `node`, tini as PID 1
#   --target executor  the executor: the same code plus the function sandbox's tools; runs as root (see below)
# Written without a Docker engine at hand to build it: `docker build --target api .` is its first check.

FROM node:20-bookworm-slim AS build
# A C compiler for the executor's answer clock (executor/native, built by `npm run build` into dist;
# Node's headers come with the image). The images that run carry only the built addon.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency's install script: the build runs its own native step (scripts/build.mjs), esbuild and vite find their
# binaries in optional packages, and aws-lambda-ric (a dev dependency, for a test) would compile curl from source and
# stop here for want of cmake.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY executor ./executor
COPY migrations ./migrations
COPY console ./console
RUN npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS base
# tini: a real init as PID 1, so SIGTERM reaches node and exited children are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ENTRYPOINT ["/usr/bin/tini", "--"]

# The executor starts function instances in a sandbox of their own: it creates users (uids), mount,
# pid, ipc, uts and network namespaces (bubblewrap, nsenter), cgroups (memory, pids, cpu, freezer),
# a loop-mounted /tmp disk per instance (mkfs.ext4, mount) and a user-mode network (pasta). All of
# that needs root in the container and a privileged container (docker-compose.yml says so for the
# executor services only). Functions themselves never run as root: each gets its own unprivileged uid.
FROM base AS executor
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      bubblewrap passt util-linux iproute2 e2fsprogs mount python3 curl ca-certificates \
      ruby openjdk-17-jdk-headless libjackson2-databind-java umoci \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /data /keys
ENV HOST=0.0.0.0 PORT=3100 TALLY_EXECUTOR_DIR=/data/executor
EXPOSE 3100
USER root
CMD ["node", "dist/executor/main.js"]

# Last, so that a plain `docker build .` makes the api image.
FROM base AS api
RUN mkdir -p /data && chown node:node /data
ENV HOST=0.0.0.0 PORT=3000 TALLY_DATA_DIR=/data TALLY_EXECUTOR=off
EXPOSE 3000
USER node
CMD ["node", "dist/src/server.js"]
