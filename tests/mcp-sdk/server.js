// The official MCP TypeScript SDK's authorization server and protected resource, for the Rust
// interop tests in tests/integration/mcp_sdk.rs, which start this script and own its lifetime.
//
// Everything that validates or answers is the SDK's: `mcpAuthRouter` (RFC 8414 metadata,
// RFC 9728 metadata, RFC 7591 registration, authorize, token) over the SDK's own demo provider
// and its in-memory clients store, and `requireBearerAuth` guarding `/mcp` (401 with a
// `resource_metadata` challenge). This file only wires them to a loopback port.
//
// Protocol with the parent process: stdout carries exactly one line,
// `READY http://127.0.0.1:<port>`, once the server listens; the server exits when stdin
// reaches end of file or on SIGTERM/SIGINT.

import { createServer } from 'node:http';
import { once } from 'node:events';
import express from 'express';

console.log = console.error;
console.info = console.error;
console.warn = console.error;

const { mcpAuthRouter } = await import('@modelcontextprotocol/sdk/server/auth/router.js');
const { requireBearerAuth } = await import('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
const { DemoInMemoryAuthProvider } = await import('@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js');

const app = express();
const server = createServer(app);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;

const provider = new DemoInMemoryAuthProvider();
const resource = new URL(`${base}/mcp`);
app.use(mcpAuthRouter({
  provider,
  issuerUrl: new URL(base),
  resourceServerUrl: resource,
  scopesSupported: ['mcp:tools'],
  resourceName: 'MCP SDK interop server',
  // The tests send bursts of requests from one address.
  clientRegistrationOptions: { rateLimit: false },
  authorizationOptions: { rateLimit: false },
  tokenOptions: { rateLimit: false },
}));
app.all('/mcp', requireBearerAuth({
  verifier: provider,
  resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource/mcp`,
}), (_req, res) => res.json({ ok: true }));

process.stdout.write(`READY ${base}\n`);
const stop = () => { server.close(); process.exit(0); };
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
