//! The command line, as clap derive types.
//!
//! Subcommand, flag and value names are a contract that scripts depend on: rename nothing.
//! Flags may be added; none may change meaning.

// The doc comments below are also the `--help` text, read in a terminal, where a bare URL is
// what the reader wants to see.
#![allow(rustdoc::bare_urls)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use oidc_discovery::IssuerRegex;
use serde_json::Value;

/// `oidc-register`: OpenID Connect discovery and dynamic client registration (RFC 7591/7592).
#[derive(Debug, Parser)]
#[command(
    name = "oidc-register",
    version,
    about = "Discover OpenID Providers and register and manage OAuth clients",
    long_about = "Discover OpenID Providers and register and manage OAuth clients (OpenID Connect \
                  Dynamic Client Registration, RFC 7591 and RFC 7592).\n\n\
                  stdout carries exactly one JSON document; progress, warnings, errors and \
                  --metrics go to stderr.\n\n\
                  Exit codes: 0 success, 2 usage error, 3 client metadata invalid (nothing \
                  sent), 4 the provider refused, 5 transport or protocol failure, 1 a local \
                  failure after the provider acted (the credentials are still printed)."
)]
pub struct Cli {
    /// Options every subcommand accepts, before or after its name.
    #[command(flatten)]
    pub common: CommonArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Common options")]
pub struct CommonArgs {
    /// Limit for each request to the provider, in seconds (fractions allowed) [default: 30].
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
    /// Allow plain http:// to hosts other than loopback (test environments only).
    #[arg(long, global = true)]
    pub allow_http: bool,
    /// Send the registration access token to a registration_client_uri on another origin than
    /// the registration endpoint's or the issuer's (RFC 7592 allows another host).
    #[arg(long, global = true)]
    pub allow_foreign_client_uri: bool,
    /// Also trust the CA certificates in this PEM file, e.g. a private provider's CA
    /// (repeatable). The built-in roots (Mozilla's and the system's; SSL_CERT_FILE and
    /// SSL_CERT_DIR replace the system's) stay trusted.
    #[arg(long = "ca-file", global = true, value_name = "FILE")]
    pub ca_files: Vec<PathBuf>,
    /// Present this client certificate for mutual TLS: a PEM file, the client's certificate
    /// first, then any intermediates. Needs --client-key.
    #[arg(long, global = true, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The private key of --client-cert, as PEM (PKCS#8, PKCS#1 or SEC1). Read, never shown.
    #[arg(long, global = true, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Print the metrics this run emitted, in Prometheus text format, to stderr.
    #[arg(long, global = true)]
    pub metrics: bool,
    /// How to print the JSON document on stdout.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Json)]
    pub output: OutputFormat,
}

/// How the JSON document on stdout is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// One line.
    #[default]
    Json,
    /// Indented.
    Pretty,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the provider's configuration and print it.
    Discover {
        /// The issuer, e.g. https://op.example.
        #[arg(value_name = "ISSUER")]
        issuer: String,
        /// How to find the configuration.
        #[command(flatten)]
        discovery: DiscoveryArgs,
    },
    /// Load the provider's configuration, then its key set (jwks_uri), and print the key set.
    Jwks {
        /// The issuer, e.g. https://op.example.
        #[arg(value_name = "ISSUER")]
        issuer: String,
        /// How to find the configuration.
        #[command(flatten)]
        discovery: DiscoveryArgs,
    },
    /// Register a client and print it with its credentials.
    Register(RegisterArgs),
    /// Read a registration (RFC 7592) and print it; rewrites the file when the provider
    /// rotated a credential.
    Read(ManageArgs),
    /// Update a registration (RFC 7592): change the --set members, or replace it with
    /// --metadata; print the result and rewrite the file.
    Update(UpdateArgs),
    /// Delete a registration (RFC 7592); removes the file once the provider confirmed.
    Delete(ManageArgs),
    /// Probe a protected resource (e.g. an MCP server), follow its WWW-Authenticate challenge
    /// or its well-known location (RFC 9728), and print its metadata with each authorization
    /// server's metadata.
    Resource(ResourceArgs),
    /// Walk discover, register, read, update and delete against a bundled in-process provider
    /// on 127.0.0.1 (no network needed).
    #[cfg(feature = "demo")]
    Demo,
}

/// How the provider configuration is found.
#[derive(Debug, Clone, Args)]
pub struct DiscoveryArgs {
    /// Which well-known document to load: OpenID Connect's, RFC 8414's, OpenID Connect's then
    /// RFC 8414's when the first is not there, or the order MCP clients use (RFC 8414, then
    /// OpenID Connect with the issuer path inserted, then appended).
    /// [default: openid; mcp for `resource` and `register --via-resource`]
    #[arg(long, value_enum, value_name = "KIND")]
    pub well_known: Option<WellKnownArg>,
    /// Accept a configuration whose issuer differs from ISSUER when both match this regular
    /// expression entirely (e.g. 'https://login\.microsoftonline\.com/[^/]+/v2\.0' for
    /// Microsoft Entra's literal {tenantid} issuer). A template with {name} placeholders, such as
    /// https://login.microsoftonline.com/{tenantid}/v2.0, is accepted too.
    #[arg(long, value_name = "REGEX", value_parser = parse_issuer_pattern)]
    pub issuer_pattern: Option<IssuerPattern>,
}

/// An `--issuer-pattern`: a regular expression, or (when the text is not a valid expression
/// but has `{name}` placeholders) the template form the library also understands.
#[derive(Debug, Clone)]
pub enum IssuerPattern {
    /// A regular expression both issuers must match entirely.
    Regex(IssuerRegex),
    /// The provider's template issuer, `{name}` standing for one path segment.
    Template(String),
}

fn parse_issuer_pattern(text: &str) -> Result<IssuerPattern, String> {
    match IssuerRegex::new(text) {
        Ok(regex) => Ok(IssuerPattern::Regex(regex)),
        // `{tenantid}` is not valid regex syntax, so a template never compiles as one.
        Err(_) if text.contains('{') && text.contains('}') => {
            Ok(IssuerPattern::Template(text.to_owned()))
        }
        Err(error) => Err(error.to_string()),
    }
}

/// The `--well-known` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum WellKnownArg {
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery).
    #[default]
    Openid,
    /// `/.well-known/oauth-authorization-server` (RFC 8414).
    Oauth,
    /// The OpenID Connect document, then RFC 8414's when the first is not there.
    Both,
    /// The MCP order: RFC 8414, then OpenID Connect with the issuer path inserted, then with
    /// it appended, each only when the one before is not there.
    Mcp,
}

/// `resource`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ResourceArgs {
    /// The protected resource, e.g. https://mcp.example/mcp.
    #[arg(value_name = "URL")]
    pub resource: String,
    /// How to find each authorization server's configuration.
    #[command(flatten)]
    pub discovery: DiscoveryArgs,
}

/// `register`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct RegisterArgs {
    /// The issuer, e.g. https://op.example (not with --via-resource).
    #[arg(value_name = "ISSUER", required_unless_present = "via_resource")]
    pub issuer: Option<String>,
    /// Register with the (first) authorization server of this protected resource, e.g. an
    /// MCP server: probe it, load its RFC 9728 metadata, then discover and register there.
    #[arg(long, value_name = "URL", conflicts_with = "issuer")]
    pub via_resource: Option<String>,
    /// A redirect URI to register (repeatable); added to the metadata's redirect_uris.
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Client metadata as a JSON object, from FILE or from stdin with `-`.
    #[arg(long, value_name = "FILE|-")]
    pub metadata: Option<PathBuf>,
    /// Set one metadata field; the value is parsed as JSON when it parses, else taken as a
    /// string (repeatable, applied last).
    #[arg(long = "set", value_name = "KEY=JSON", value_parser = parse_set)]
    pub set: Vec<SetField>,
    /// Read the initial access token from this environment variable.
    #[arg(long, value_name = "VAR", group = "initial_access_token")]
    pub initial_access_token_env: Option<String>,
    /// Read the initial access token from this file (surrounding whitespace is trimmed).
    #[arg(long, value_name = "FILE", group = "initial_access_token")]
    pub initial_access_token_file: Option<PathBuf>,
    /// Write the registered client, credentials included, to FILE (mode 0600); refuses to
    /// overwrite an existing file.
    #[arg(long, value_name = "FILE", conflicts_with = "store")]
    pub save: Option<PathBuf>,
    /// Where to keep the registration instead of a --save file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Do not check the metadata before sending it; let the provider decide.
    #[arg(long)]
    pub no_validate: bool,
    /// How to find the configuration.
    #[command(flatten)]
    pub discovery: DiscoveryArgs,
}

/// A registration store: the alternative to one registration file.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Keep the registration in a store instead of a single file: a directory (one 0600 file
    /// per registration, created if missing) or a postgres:// URL (for several machines; the
    /// tables are created on first use). Registrations there are named by issuer and --name.
    #[arg(long, value_name = "DIR|postgres://...")]
    pub store: Option<String>,
    /// The registration's name in the --store [default: default].
    #[arg(long, value_name = "NAME", requires = "store")]
    pub name: Option<String>,
}

impl StoreArgs {
    /// The name of the registration in the store.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("default")
    }
}

/// Which registration a management subcommand works on: a file, or an entry of a store.
#[derive(Debug, Clone, Args)]
pub struct RegistrationArgs {
    /// The registration file written by `register --save`.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    pub registration: Option<PathBuf>,
    /// The store that `register --store` kept it in.
    #[command(flatten)]
    pub store: StoreArgs,
    /// With --store: the issuer the registration was made with.
    #[arg(long, value_name = "ISSUER", requires = "store")]
    pub issuer: Option<String>,
}

/// `read`'s and `delete`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct ManageArgs {
    /// Which registration.
    #[command(flatten)]
    pub target: RegistrationArgs,
}

/// `update`'s arguments.
#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// Which registration.
    #[command(flatten)]
    pub target: RegistrationArgs,
    /// Replacement client metadata as a JSON object, from FILE or from stdin with `-`
    /// (default: the metadata in the registration file).
    #[arg(long, value_name = "FILE|-")]
    pub metadata: Option<PathBuf>,
    /// Set one metadata field; the value is parsed as JSON when it parses, else taken as a
    /// string (repeatable, applied last).
    #[arg(long = "set", value_name = "KEY=JSON", value_parser = parse_set)]
    pub set: Vec<SetField>,
    /// Do not check the metadata before sending it; let the provider decide.
    #[arg(long)]
    pub no_validate: bool,
}

/// One `--set KEY=JSON`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetField {
    /// The member name, language tag included (`client_name#ja-Jpan-JP`).
    pub key: String,
    /// The value: the JSON it parsed as, or the text as a string.
    pub value: Value,
}

/// Parses `KEY=VALUE`: the value is JSON when it parses as JSON, else a string, so
/// `require_auth_time=true` is a boolean and `client_name=Example App` a string. To send a
/// string that looks like JSON (`"true"`, `"42"`), quote it: `client_name='"42"'`.
///
/// # Errors
///
/// A message for clap when there is no `=` or the key is empty.
pub fn parse_set(raw: &str) -> Result<SetField, String> {
    let Some((key, value)) = raw.split_once('=') else {
        return Err("expected KEY=JSON, e.g. require_auth_time=true".to_owned());
    };
    let key = key.trim();
    if key.is_empty() {
        return Err("the key before '=' is empty".to_owned());
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok(SetField {
        key: key.to_owned(),
        value,
    })
}

/// Parses `--timeout`: positive seconds, fractions allowed.
///
/// # Errors
///
/// A message for clap when the value is not a positive, finite number of seconds.
pub fn parse_timeout(raw: &str) -> Result<Duration, String> {
    let seconds: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, got {raw:?}"))?;
    // NaN is neither more nor less than zero, so it is refused here too.
    if seconds.is_nan() || seconds <= 0.0 {
        return Err("the timeout must be more than 0 seconds".to_owned());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("timeout {raw:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn set_values_are_json_when_they_parse_and_strings_otherwise() {
        let cases = [
            ("require_auth_time=true", "require_auth_time", json!(true)),
            ("default_max_age=3600", "default_max_age", json!(3600)),
            (
                "contacts=[\"a@example.com\"]",
                "contacts",
                json!(["a@example.com"]),
            ),
            (
                "client_name#ja-Jpan-JP=デモ",
                "client_name#ja-Jpan-JP",
                json!("デモ"),
            ),
            (
                "client_name=Example App",
                "client_name",
                json!("Example App"),
            ),
            ("client_name=\"42\"", "client_name", json!("42")),
            (
                "tos_uri=https://a.example/?x=1",
                "tos_uri",
                json!("https://a.example/?x=1"),
            ),
            ("client_name=", "client_name", json!("")),
            ("logo_uri=null", "logo_uri", json!(null)),
        ];
        for (raw, key, value) in cases {
            assert_eq!(
                parse_set(raw).unwrap(),
                SetField {
                    key: key.to_owned(),
                    value
                },
                "{raw}"
            );
        }
        assert!(parse_set("no-equals").is_err());
        assert!(parse_set("=1").is_err());
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_timeout("0.25").unwrap(), Duration::from_millis(250));
        for bad in ["0", "-1", "nan", "inf", "1e400", "soon", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn common_options_go_before_or_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "oidc-register",
            "--output",
            "pretty",
            "discover",
            "https://op.example",
            "--timeout",
            "3",
            "--allow-http",
            "--well-known",
            "both",
        ])
        .unwrap();
        assert_eq!(cli.common.output, OutputFormat::Pretty);
        assert_eq!(cli.common.timeout, Some(Duration::from_secs(3)));
        assert!(cli.common.allow_http && !cli.common.metrics);
        let Command::Discover { discovery, .. } = cli.command else {
            panic!("not discover");
        };
        assert_eq!(discovery.well_known, Some(WellKnownArg::Both));
    }

    #[test]
    fn register_takes_an_issuer_or_a_resource_not_both() {
        let cli = Cli::try_parse_from([
            "oidc-register",
            "register",
            "--via-resource",
            "https://mcp.example/mcp",
        ])
        .unwrap();
        let Command::Register(args) = cli.command else {
            panic!("not register");
        };
        assert_eq!(args.issuer, None);
        for argv in [
            &["oidc-register", "register"][..],
            &[
                "oidc-register",
                "register",
                "https://op.example",
                "--via-resource",
                "https://mcp.example/mcp",
            ],
        ] {
            assert_eq!(Cli::try_parse_from(argv).unwrap_err().exit_code(), 2);
        }
    }

    #[test]
    fn one_initial_access_token_source_at_most() {
        let error = Cli::try_parse_from([
            "oidc-register",
            "register",
            "https://op.example",
            "--initial-access-token-env",
            "A",
            "--initial-access-token-file",
            "f",
        ])
        .unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }
}
