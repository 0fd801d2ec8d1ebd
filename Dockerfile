# One image for the app and the worker services of docker-compose.yml.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
USER node
EXPOSE 5678
CMD ["npm", "start"]
