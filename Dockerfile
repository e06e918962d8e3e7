FROM node:20-bookworm-slim
# The executor runs Python functions and shell custom runtimes that use curl; prlimit is in util-linux.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY executor ./executor
# Data (an executor's spool and code cache) and the executor key live in volumes owned by node.
RUN mkdir -p /data /keys && chown node:node /data /keys
ENV HOST=0.0.0.0 PORT=3000 NODE_ENV=production TALLY_DATA_DIR=/data
EXPOSE 3000
USER node
CMD ["npx", "tsx", "src/server.ts"]
