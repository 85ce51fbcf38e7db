//! Drives the built `oidc-register` binary against the bundled in-process provider and against
//! panva's `oidc-provider` (Node.js), as a script would: arguments, stdin, environment, exit
//! code, stdout, stderr and the registration file.

mod in_process;
mod interop;
mod node_provider;
mod support;
mod tls;
