# The exoarmur image: the compiled CLI (tsconfig.build.json: no tests, no test support) with production dependencies only.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p schemas fixtures artifacts

FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/fixtures ./fixtures
RUN mkdir -p artifacts && chown node:node artifacts
USER node
ENTRYPOINT ["node", "dist/tools/cli.js"]
