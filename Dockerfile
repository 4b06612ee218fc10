FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY projections ./projections
COPY tsconfig.json ./
ENV NODE_ENV=production PORT=8000
EXPOSE 8000
USER node
CMD ["npx", "tsx", "src/main.ts"]
