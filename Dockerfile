# The exoarmur image, for production and the reality harness alike: the compiled CLI (tsconfig.build.json: no tests,
# no test support), production dependencies only, the evidence viewer, and a state dir the `node` user can write.
# BASE is the official Node image where a registry answers; `make images` passes exoarmur/base:bookworm-node20
# (Debian's minbase + Node from the npm registry, built with no image registry) for air-gapped machines.
ARG BASE=node:20.19-bookworm-slim
FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm can exit 0 having installed nothing ("Exit handler never called!"): check what it left, not its exit code.
RUN npm ci --no-audit --no-fund && test -f node_modules/.package-lock.json && test -d node_modules/kafkajs
COPY . .
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && test -d node_modules/kafkajs && test ! -e node_modules/typescript \
 && mkdir -p schemas fixtures artifacts

FROM ${BASE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/fixtures ./fixtures
COPY --from=build /app/evidence-viewer ./evidence-viewer
RUN mkdir -p artifacts .exoarmur && chown node:node artifacts .exoarmur
USER node
ENTRYPOINT ["node", "dist/tools/cli.js"]
