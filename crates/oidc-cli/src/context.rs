//! What every subcommand shares for one run: one HTTP client, the timeout, the output format.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oidc_discovery::{DiscoveryOptions, Quirks, WellKnown};
use oidc_http::{HttpClient, HyperClient, HyperClientBuilder, PlainHttp};
use oidc_registration::{ManagementOptions, RegisterOptions, Validation};
use url::Url;

use crate::cli::{CommonArgs, DiscoveryArgs, IssuerPattern, OutputFormat, WellKnownArg};
use crate::CliError;

/// The settings of one run.
#[derive(Debug)]
pub(crate) struct Context {
    /// One client, so one connection pool, for every request of the run.
    pub(crate) http: Arc<dyn HttpClient>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) output: OutputFormat,
    /// `--allow-http`: the one https policy of every request of the run.
    pub(crate) plain_http: PlainHttp,
    pub(crate) allow_foreign_client_uri: bool,
}

impl Context {
    pub(crate) fn new(common: &CommonArgs) -> Result<Self, CliError> {
        let mut builder = HyperClient::builder();
        if let Some(timeout) = common.timeout {
            // The connect limit can never be longer than the whole request's.
            builder = builder
                .timeout(timeout)
                .connect_timeout(timeout.min(oidc_http::DEFAULT_CONNECT_TIMEOUT));
        }
        let builder = tls_options(builder, common)?;
        let http = builder.build().map_err(|error| {
            CliError::new(
                crate::ExitKind::Failed,
                format!("cannot build the http client: {error}"),
            )
        })?;
        Ok(Self {
            http: Arc::new(http),
            timeout: common.timeout,
            output: common.output,
            plain_http: if common.allow_http {
                PlainHttp::Anywhere
            } else {
                PlainHttp::LoopbackOnly
            },
            allow_foreign_client_uri: common.allow_foreign_client_uri,
        })
    }

    /// Refuses a plain-http issuer off the loopback interface before anything is sent, unless
    /// `--allow-http`: the HTTP client would refuse it too, but as a transport failure, while
    /// this is the caller's choice to fix.
    pub(crate) fn check_issuer(&self, issuer: &str) -> Result<(), CliError> {
        self.check_url(issuer, "issuer")
    }

    /// [`check_issuer`](Self::check_issuer) for any URL the user gave, `what` naming it.
    pub(crate) fn check_url(&self, issuer: &str, what: &str) -> Result<(), CliError> {
        let Ok(url) = Url::parse(issuer) else {
            // Left to discovery, which says precisely what is wrong.
            return Ok(());
        };
        if url.scheme() == "http" && !self.plain_http.allows(issuer) {
            return Err(CliError::usage(format!(
                "refusing plain http to {}: the {what} must use https",
                url.host_str().unwrap_or_default()
            ))
            .with_hint("pass --allow-http to allow plain http (test environments only)"));
        }
        Ok(())
    }

    pub(crate) fn discovery_options(&self, args: &DiscoveryArgs) -> DiscoveryOptions {
        self.discovery_options_defaulting(args, WellKnownArg::Openid)
    }

    /// [`discovery_options`](Self::discovery_options) with another `--well-known` default.
    pub(crate) fn discovery_options_defaulting(
        &self,
        args: &DiscoveryArgs,
        default: WellKnownArg,
    ) -> DiscoveryOptions {
        let well_known = match args.well_known.unwrap_or(default) {
            WellKnownArg::Openid => WellKnown::OpenId,
            WellKnownArg::Oauth => WellKnown::OAuth,
            WellKnownArg::Both => WellKnown::OpenIdThenOAuth,
            WellKnownArg::Mcp => WellKnown::McpOrder,
        };
        let mut quirks = Quirks::default();
        match &args.issuer_pattern {
            Some(IssuerPattern::Regex(regex)) => quirks = quirks.with_issuer_regex(regex.clone()),
            Some(IssuerPattern::Template(template)) => {
                quirks = quirks.with_issuer_pattern(template.clone());
            }
            None => {}
        }
        let mut options = DiscoveryOptions::default()
            .with_http_client(Arc::clone(&self.http))
            .with_well_known(well_known)
            .with_quirks(quirks)
            .with_plain_http(self.plain_http);
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        options
    }

    pub(crate) fn register_options(&self, validate: bool) -> RegisterOptions {
        let mut options = RegisterOptions::default()
            .with_http_client(Arc::clone(&self.http))
            .with_validation(validation(validate))
            .with_plain_http(self.plain_http);
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        options
    }

    pub(crate) fn management_options(&self, validate: bool) -> ManagementOptions {
        let mut options = ManagementOptions::default()
            .with_http_client(Arc::clone(&self.http))
            .with_validation(validation(validate))
            .with_plain_http(self.plain_http)
            .with_foreign_registration_client_uri(self.allow_foreign_client_uri);
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        options
    }
}

/// `--ca-file`, `--client-cert` and `--client-key`: each file is read and handed to the client
/// builder. A file that cannot be read or used is a usage error naming the file and what is
/// wrong with it, never quoting it (a key file is a secret).
fn tls_options(
    mut builder: HyperClientBuilder,
    common: &CommonArgs,
) -> Result<HyperClientBuilder, CliError> {
    for path in &common.ca_files {
        let pem = read_pem("--ca-file", path)?;
        builder = builder
            .add_root_certificates_pem(&pem)
            .map_err(|error| file_error("--ca-file", path, &error))?;
    }
    if let (Some(cert), Some(key)) = (&common.client_cert, &common.client_key) {
        let cert_pem = read_pem("--client-cert", cert)?;
        let key_pem = read_pem("--client-key", key)?;
        builder = builder
            .client_certificate_pem(&cert_pem, &key_pem)
            .map_err(|error| {
                // The message says which of the two is wrong ("client key: ...").
                CliError::usage(format!(
                    "--client-cert {} with --client-key {}: {error}",
                    cert.display(),
                    key.display()
                ))
            })?;
    }
    Ok(builder)
}

fn read_pem(flag: &str, path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|error| {
        CliError::usage(format!("{flag}: cannot read {}: {error}", path.display()))
    })
}

fn file_error(flag: &str, path: &Path, error: &oidc_http::HttpError) -> CliError {
    CliError::usage(format!("{flag} {}: {error}", path.display()))
}

fn validation(validate: bool) -> Validation {
    if validate {
        Validation::Metadata
    } else {
        Validation::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExitKind;

    fn common(allow_http: bool) -> CommonArgs {
        CommonArgs {
            timeout: Some(Duration::from_secs(1)),
            allow_http,
            allow_foreign_client_uri: false,
            ca_files: Vec::new(),
            client_cert: None,
            client_key: None,
            metrics: false,
            output: OutputFormat::Json,
        }
    }

    fn context(allow_http: bool) -> Context {
        Context::new(&common(allow_http)).unwrap()
    }

    #[test]
    fn unusable_tls_files_are_usage_errors_naming_the_file_not_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "hunter2 is not a certificate").unwrap();
        let secret_key = dir.path().join("client.key");
        std::fs::write(
            &secret_key,
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleQ!\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();

        let error = Context::new(&CommonArgs {
            ca_files: vec![missing.clone()],
            ..common(false)
        })
        .unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert!(
            error
                .message()
                .starts_with(&format!("--ca-file: cannot read {}: ", missing.display())),
            "{error:?}"
        );

        let error = Context::new(&CommonArgs {
            ca_files: vec![not_pem.clone()],
            ..common(false)
        })
        .unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert_eq!(
            error.message(),
            format!(
                "--ca-file {}: root certificates: no certificate in PEM",
                not_pem.display()
            )
        );
        assert!(!error.render().contains("hunter2"));

        let cert = dir.path().join("client.pem");
        let ca = oidc_integration_tests::pki::TestCa::new("test ca");
        std::fs::write(&cert, ca.client("rp.example").cert_chain_pem).unwrap();
        let error = Context::new(&CommonArgs {
            client_cert: Some(cert),
            client_key: Some(secret_key.clone()),
            ..common(false)
        })
        .unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert!(error.message().contains(&secret_key.display().to_string()));
        assert!(
            error
                .message()
                .ends_with("client key: invalid PEM: a section is not valid base64"),
            "{error:?}"
        );
        assert!(!format!("{error:?}").contains("c2VjcmV0"), "{error:?}");
    }

    #[test]
    fn plain_http_is_refused_off_loopback_unless_allowed() {
        let strict = context(false);
        let error = strict.check_issuer("http://op.example").unwrap_err();
        assert_eq!(error.kind(), ExitKind::Usage);
        assert!(error.hint().unwrap().contains("--allow-http"));
        for fine in [
            "https://op.example",
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:1",
            "not a url",
        ] {
            strict.check_issuer(fine).unwrap();
        }
        context(true).check_issuer("http://op.example").unwrap();
    }
}
