use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri};

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use oidc_discovery::DiscoveryOptions;
use oidc_http::{BoxFuture, HttpClient, HttpError, HyperClient};
use oidc_registration::{ManagementOptions, RegisterOptions};
use oidc_types::{ClientMetadata, ProviderMetadata};

/// A fresh HTTP client per test, so no pooled connection outlives the runtime that made it.
pub fn http_client() -> Arc<dyn HttpClient> {
    Arc::new(
        HyperClient::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    )
}

pub fn discovery_options() -> DiscoveryOptions {
    DiscoveryOptions::default().with_http_client(http_client())
}

pub fn register_options() -> RegisterOptions {
    RegisterOptions::default().with_http_client(http_client())
}

pub fn management_options() -> ManagementOptions {
    ManagementOptions::default().with_http_client(http_client())
}

/// A web client with one redirect URI: the metadata most tests register.
pub fn web_client() -> ClientMetadata {
    ClientMetadata::new(["https://app.example/callback"])
}

/// The provider metadata the test provider serves, parsed.
pub fn provider_metadata(provider: &oidc_test_provider::TestProvider) -> ProviderMetadata {
    let document = serde_json::to_vec(&provider.discovery_document()).unwrap();
    ProviderMetadata::from_json(&document).unwrap()
}

/// One recorded metric: name, sorted labels, value.
#[derive(Debug, PartialEq)]
pub struct Metric {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: DebugValue,
}

impl Metric {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn counter(&self) -> u64 {
        match self.value {
            DebugValue::Counter(value) => value,
            ref other => panic!("{} is not a counter: {other:?}", self.name),
        }
    }
}

/// Runs `future` on a current-thread runtime with a local debugging recorder installed and
/// returns its output with every metric it emitted. The recorder is thread-local, so the
/// runtime must not move work to other threads.
pub fn with_metrics<F, T>(make: impl FnOnce() -> F) -> (T, Vec<Metric>)
where
    F: Future<Output = T>,
{
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let output = metrics::with_local_recorder(&recorder, || runtime.block_on(make()));
    drop(runtime);
    let metrics = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let mut labels: Vec<(String, String)> = key
                .key()
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect();
            labels.sort();
            Metric {
                name: key.key().name().to_owned(),
                labels,
                value,
            }
        })
        .collect();
    (output, metrics)
}

pub fn named<'a>(metrics: &'a [Metric], name: &str) -> Vec<&'a Metric> {
    metrics
        .iter()
        .filter(|metric| metric.name == name)
        .collect()
}

/// A backend that sends every request to the loopback provider, keeping path and query, and
/// remembers the URLs the library asked for: lets tests use names other than 127.0.0.1 (a
/// provider's documents naming `https://login.example`, a plain-http host off this machine)
/// while every byte goes to the in-process provider.
#[derive(Debug)]
pub struct Reroute {
    inner: Arc<dyn HttpClient>,
    base_url: String,
    asked: Mutex<Vec<String>>,
}

impl Reroute {
    /// Reroutes to `provider`.
    pub fn to(provider: &oidc_test_provider::TestProvider) -> Arc<Self> {
        Arc::new(Self {
            inner: http_client(),
            base_url: provider.base_url(),
            asked: Mutex::default(),
        })
    }

    /// The URLs asked for, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl HttpClient for Reroute {
    fn send(
        &self,
        mut request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        self.asked.lock().unwrap().push(request.uri().to_string());
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |path| path.as_str());
        *request.uri_mut() = format!("{}{path}", self.base_url).parse::<Uri>().unwrap();
        self.inner.send(request)
    }
}
