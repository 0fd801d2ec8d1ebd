// GraphiQL (ruru, served by grafserv outside production) set up for logging in once: the
// `Authorization` header pasted from `npm run dev:tokens` survives reloads and reaches the schema
// request too. Ruru's assets come from grafserv's /ruru-static/, not a CDN: it works offline.
import type { RuruClientConfig, RuruConfig } from "postgraphile/grafserv/ruru/server";

/**
 * GraphiQL keeps the Headers tab in localStorage (`graphiql:headers`), so a reload keeps the login:
 * GraphiQL's own `shouldPersistHeaders`, which ruru hands on to GraphiQL with its other client
 * settings. Ruru's type leaves this one out (and, built from GraphiQL's props, reads every key as
 * required), hence the cast. Its settings dialog can still turn it off.
 */
const CLIENT_CONFIG = { shouldPersistHeaders: true } as unknown as RuruClientConfig;

/**
 * GraphiQL asks for the schema (the Docs panel) as the page opens, before its Headers editor
 * exists, so that request goes without the stored header, gets 401, and the Docs say "Error fetching
 * schema" for good. This adds the stored headers to that request only (operation
 * `IntrospectionQuery`, no Authorization of its own); every other request sends what the editor has.
 */
const SEND_STORED_HEADERS_WITH_INTROSPECTION = `
<script>
  {
    const originalFetch = window.fetch;
    window.fetch = (input, init) => {
      const stored = localStorage.getItem("graphiql:headers");
      const headers = new Headers(init?.headers);
      let operationName;
      try { operationName = JSON.parse(init?.body).operationName; } catch {}
      if (stored && operationName === "IntrospectionQuery" && !headers.has("authorization")) {
        try {
          for (const [name, value] of Object.entries(JSON.parse(stored))) if (!headers.has(name)) headers.set(name, value);
          return originalFetch(input, { ...init, headers });
        } catch {}
      }
      return originalFetch(input, init);
    };
  }
</script>`;

/** The preset's `ruru` setting. */
export const GRAPHIQL_CONFIG: RuruConfig = {
  clientConfig: CLIENT_CONFIG,
  htmlParts: { headerScripts: (original) => original + SEND_STORED_HEADERS_WITH_INTROSPECTION },
};
