// GraphiQL for salesgraph: everything it needs (code, styles, fonts, Monaco's workers) is bundled
// into server/static/graphiql by scripts/build_graphiql.sh, so the page works without internet.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

// The page is served at GET /graphql: queries and mutations are POSTed there, subscriptions use
// the same path over graphql-transport-ws (graphql-ws connects only when one is first run).
const url = new URL('/graphql', window.location.href);
const socket = new URL(url);
socket.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({
  url: url.href,
  wsClient: createClient({ url: socket.href }),
});

const defaultQuery = `# salesgraph GraphiQL: Ctrl-Enter runs the operation, Ctrl-Space completes.
{
  setup {
    timeZone
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, { fetcher, defaultQuery }),
);
