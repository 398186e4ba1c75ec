# syntax=docker/dockerfile:1
# Build: install everything and compile TypeScript. The sandbox platforms, the demo, tests and
# benchmarks are not in the build context (.dockerignore) nor in the build (tsconfig.build.json).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies and the compiled output only, as an unprivileged user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/db/migrations ./dist/db/migrations
COPY --from=build /app/config ./dist/config
COPY --from=build /app/services/web/static ./dist/services/web/static
USER node
EXPOSE 3000
# The API; the worker service overrides the command (see docker-compose.yml).
CMD ["node", "--enable-source-maps", "dist/services/api/server.js"]
