/** Every schema whose objects our migrations create (graphile-worker's and graphile-migrate's are theirs). */
export const OUR_SCHEMAS = ["app_public", "app_private", "app_hidden", "app_jobs", "app_ops"] as const;
