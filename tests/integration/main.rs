//! Integration tests: the `oidc-*` crates against real HTTP servers on 127.0.0.1.
//!
//! Built as one test binary (`autotests = false`), one module per area.

// Helpers are shared between modules of this one binary, and a failed unwrap is a failed test.
#![allow(unreachable_pub, clippy::unwrap_used)]

// The provider cache in real time against the in-process provider.
mod cache;
// Discovery of the in-process provider: URL joining, issuer checks, content types, expiry.
mod discovery;
// Errors as a chain printer shows them: each cause once, the URL once, the issuer as typed.
mod error_messages;
// The library against panva's oidc-provider: registration, management, errors, telemetry.
mod interop;
// The official MCP TypeScript SDK's authorization server (Node), started per test on 127.0.0.1.
mod mcp_sdk;
// Providers that quote secrets, name foreign URIs or speak plain http.
mod hostile;
// Nothing lost once the provider acted: odd answers keep credentials, updates keep what it stored.
mod lossless;
// RFC 7592 read / update / delete against the in-process provider and its quirks.
mod management;
// panva's oidc-provider (Node), started per test on 127.0.0.1.
mod node_provider;
// Fixtures of real providers served by the in-process provider.
mod fixtures;
// From a protected resource (an MCP server) to a client: RFC 9728, the MCP order, metadata documents.
mod resource;
// `register` end to end: success shapes, every typed error, timeouts and limits.
mod registration;
// Registration stores: FileStore and PostgreSQL, across processes, killed mid-call, database down.
mod store;
// The metrics each operation emits.
mod telemetry;
// Shared helpers: providers, clients, metric capture.
mod util;
