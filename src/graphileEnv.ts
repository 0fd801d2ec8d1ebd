// Grafast reads GRAPHILE_ENV once, when first imported: its development checks
// stay on unless NODE_ENV=production. Import this module before anything else.
process.env.GRAPHILE_ENV ??= process.env.NODE_ENV === "production" ? "production" : "development";
