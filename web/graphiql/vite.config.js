import { defineConfig } from 'vite';

// The server serves the built page at GET /graphql and the assets under /graphiql/assets/
// (server/graphiql.py). The build is deterministic: the same lockfile gives the same bytes, which
// `scripts/build_graphiql.sh --check` (and tests/server/test_graphiql.py) rely on.
export default defineConfig({
  base: '/graphiql/',
  build: {
    outDir: '../../server/static/graphiql',
    emptyOutDir: true,
    // Monaco and GraphiQL are large by nature; the page is a development tool.
    chunkSizeWarningLimit: 8000,
    // The licenses of every bundled package, shipped beside the code (not served).
    license: { fileName: 'THIRD_PARTY_LICENSES.md' },
    rolldownOptions: {
      onwarn(warning, warn) {
        // Radix's "use client" directives mean nothing outside React Server Components.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
