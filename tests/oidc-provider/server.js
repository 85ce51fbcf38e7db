// panva/oidc-provider (OpenID Certified) for the Rust interop tests in
// tests/integration/node_provider.rs, which start this script and own its lifetime.
//
// Protocol with the parent process:
// - stdout carries exactly one line, `READY http://127.0.0.1:<port>`, printed once the server
//   listens. Everything else (including oidc-provider's own notices) goes to stderr.
// - The server exits on SIGTERM/SIGINT and when stdin reaches end of file, so it dies with the
//   test process even if that process is killed before it can kill us.
//
// Configuration from the environment:
// - OIDC_INITIAL_ACCESS_TOKEN: when set (and non-empty), registration requires this value as a
//   Bearer initial access token; otherwise registration is open.
//
// Test-only endpoint (not part of oidc-provider): `GET /_test/registrations` answers
// `{"count": N}`, the number of successful registrations (201) so far, so that the store tests
// can check that racing replicas registered exactly one client.

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';

// oidc-provider logs its notices with console.info, i.e. to stdout. stdout is the READY channel,
// and a pipe nobody drains would eventually block this process, so all console output that
// would go to stdout is sent to stderr instead. Only `announce` below writes to stdout.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

// Imported after the console redirection: the module prints a runtime notice when loaded
// (9.x prefers Node 22 and warns on 20).
const { default: Provider, errors } = await import('oidc-provider');

// Declared so that these RFC 7591 / deployment-specific fields are stored and echoed instead of
// silently dropped. oidc-provider has no software statement support at all (it neither verifies
// nor rejects `software_statement`), so declaring it here makes it a plain string that is
// echoed back as sent.
// oidc-provider drops metadata it does not know, language-tagged names included, unless
// declared here; the interop suite round-trips each of these.
const EXTRA_CLIENT_METADATA = [
  'tenant_hint',
  'software_id',
  'software_version',
  'software_statement',
  'client_name#ja-Jpan-JP',
];

function validateExtraMetadata(ctx, key, value) {
  if (value !== undefined && typeof value !== 'string') {
    throw new errors.InvalidClientMetadata(`${key} must be a string`);
  }
}

// A fresh signing key per run: without `jwks` oidc-provider falls back to a well-known
// development key and warns about it on every start.
function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'interop-rs256', use: 'sig', alg: 'RS256' }] };
}

function configuration() {
  const initialAccessToken = process.env.OIDC_INITIAL_ACCESS_TOKEN || false;
  return {
    jwks: signingKeys(),
    // Random per run, only so that oidc-provider does not warn about missing cookie keys.
    cookies: { keys: [Math.random().toString(36).slice(2)] },
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ],
    responseTypes: ['code', 'id_token', 'code id_token', 'id_token token', 'code token', 'code id_token token', 'none'],
    // offline_access turns on the refresh_token grant.
    scopes: ['openid', 'offline_access'],
    clientDefaults: {
      application_type: 'web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: {
      properties: EXTRA_CLIENT_METADATA,
      validator: validateExtraMetadata,
    },
    features: {
      // The interactive login pages are irrelevant here; disabling them also silences the
      // "development-only feature devInteractions" warning.
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      registration: {
        enabled: true,
        initialAccessToken,
      },
      registrationManagement: {
        enabled: true,
        rotateRegistrationAccessToken: true,
      },
    },
  };
}

function announce(line) {
  process.stdout.write(`${line}\n`);
}

// The issuer must contain the port, which is only known after listen; so the server starts with
// a placeholder handler and the provider is built afterwards. Nobody knows the port before the
// READY line, so the placeholder is never expected to answer.
let handler = (req, res) => {
  res.statusCode = 503;
  res.end('starting');
};
const server = createServer((req, res) => handler(req, res));
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, configuration());
provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));
const callback = provider.callback();
let registrations = 0;
handler = (req, res) => {
  if (req.method === 'GET' && req.url === '/_test/registrations') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ count: registrations }));
    return;
  }
  if (req.method === 'POST' && req.url.split('?')[0] === '/reg') {
    res.on('finish', () => {
      if (res.statusCode === 201) registrations += 1;
    });
  }
  callback(req, res);
};

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

// End of stdin means the parent closed it or died. Nobody is left to report to and all state is
// in memory, so the process ends at once without Node's teardown, which cannot hang this way.
function orphaned() {
  process.kill(process.pid, 'SIGKILL');
}
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();

announce(`READY ${issuer}`);
