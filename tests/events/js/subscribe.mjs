// The standard graphql-ws client, as a browser app would use it (with `ws` standing in for the
// browser's WebSocket): node subscribe.mjs <ws url> <api key> <count> [after]
// Prints "ready" once acknowledged, then each event as one JSON line; exits 0 after <count>.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, key, count, after] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${key}` },
  on: { connected: () => console.log("ready") },
  retryAttempts: 0,
});
const query = `subscription($after: String) {
  opportunityEvents(after: $after) { id type opportunityNo opportunity { no description } }
}`;
let seen = 0;
for await (const result of client.iterate({ query, variables: { after: after ?? null } })) {
  if (result.errors) {
    console.error(JSON.stringify(result.errors));
    process.exit(1);
  }
  console.log(JSON.stringify(result.data.opportunityEvents));
  if (++seen >= Number(count)) break;
}
await client.dispose();
process.exit(0);
