//! [`PostgresStore`]: registrations in PostgreSQL, for replicas on several machines.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row};

use crate::store::{
    LeaseHolder, RegistrationStore, StoreError, StoreErrorKind, StoreFuture, StoreKey,
    StoreOperation, StoredRegistration, Version, Versioned,
};

/// The schema [`PostgresStore::migrate`] creates: run it yourself (a migration tool, a DBA) or
/// let the store run it. Records are kept as `text`, not `jsonb`: `text` gives back exactly the
/// JSON the store wrote, while `jsonb` refuses a string holding `\u0000` (which a provider may
/// echo, so the write would fail) and rewrites numbers (`-0.0` becomes `0.0`, `1.5e-5`
/// `0.000015`). The store only looks records up by issuer and name, so `jsonb`'s queries inside
/// the document would buy nothing. (That `jsonb` also sorts members does not matter: JSON gives
/// their order no meaning, RFC 8259 §4.)
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS oidc_registrations (
    issuer     text        NOT NULL,
    name       text        NOT NULL,
    version    bigint      NOT NULL,
    record     text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, name)
);
CREATE TABLE IF NOT EXISTS oidc_registration_leases (
    issuer     text        NOT NULL,
    name       text        NOT NULL,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, name)
);
";

/// How long one statement may take before the store reports itself unavailable.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`RegistrationStore`] in PostgreSQL (feature `postgres`).
///
/// One row per key in `oidc_registrations` (a `version` column for compare-and-swap, each
/// write one `UPDATE … WHERE version = $expected`), and one row per held lease in
/// `oidc_registration_leases`, whose expiry is compared with the database's own clock, so
/// replicas need not agree on theirs. Every operation is a single statement: there are no
/// transactions to leave open, and one connection serves all callers (tokio-postgres
/// pipelines concurrent statements). A connection that broke is opened again on the next
/// operation, so a database that went away and came back is used again without a restart.
///
/// The driver is `tokio-postgres`, the asynchronous PostgreSQL client of the tokio ecosystem
/// (sqlx and the pools build on the same protocol crates). This store connects without TLS:
/// use it on a trusted network or a Unix socket.
///
/// ```no_run
/// # async fn run() -> Result<(), oidc_store::StoreError> {
/// let store = oidc_store::PostgresStore::connect("postgres://app@db.internal/app").await?;
/// store.migrate().await?; // CREATE TABLE IF NOT EXISTS …, see SCHEMA
/// # Ok(()) }
/// ```
pub struct PostgresStore {
    config: tokio_postgres::Config,
    client: Mutex<Option<Arc<Client>>>,
    statement_timeout: Duration,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // tokio-postgres's Config redacts the password in its Debug.
        f.debug_struct("PostgresStore")
            .field("config", &self.config)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`, or the
    /// `key=value` form libpq takes).
    ///
    /// # Errors
    ///
    /// [`StoreErrorKind::Refused`] for a URL that cannot be read, [`StoreErrorKind::Unavailable`]
    /// when the database cannot be reached. Neither shows the password.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|_| {
            // The parser's message may quote the URL, password included: not kept.
            StoreError::new(StoreOperation::Open, None, StoreErrorKind::Refused)
        })?;
        let store = Self::from_config(config);
        store.client(StoreOperation::Open, None).await?;
        Ok(store)
    }

    /// A store for `config`; it connects on first use.
    pub fn from_config(mut config: tokio_postgres::Config) -> Self {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_STATEMENT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("oidc-store");
        }
        Self {
            config,
            client: Mutex::new(None),
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        }
    }

    /// Limits each statement to `timeout` ([`DEFAULT_STATEMENT_TIMEOUT`] by default).
    pub fn with_statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// Creates the tables of [`SCHEMA`] if they do not exist. Safe to run from several
    /// replicas at once (it takes a transaction-scoped advisory lock).
    ///
    /// # Errors
    ///
    /// The store error.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let client = self.client(StoreOperation::Open, None).await?;
        let script = format!("BEGIN; SELECT pg_advisory_xact_lock(7591759200); {SCHEMA} COMMIT;");
        self.timed(StoreOperation::Open, None, client.batch_execute(&script))
            .await
            .map(|_| ())
    }

    /// The open connection, or a new one.
    async fn client(
        &self,
        operation: StoreOperation,
        key: Option<&StoreKey>,
    ) -> Result<Arc<Client>, StoreError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|client| !client.is_closed()) {
            return Ok(client.clone());
        }
        *slot = None;
        // Not through `timed`: that forgets the connection on failure, which takes this lock.
        let unavailable = || StoreError::new(operation, key, StoreErrorKind::Unavailable);
        let (client, connection) =
            match tokio::time::timeout(self.statement_timeout, self.config.connect(NoTls)).await {
                Ok(Ok(connected)) => connected,
                Ok(Err(error)) => return Err(database_error(operation, key, error)),
                Err(elapsed) => return Err(unavailable().with_source(elapsed)),
            };
        // The connection task ends when the connection breaks or the client is dropped.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let client = Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Runs `statement` with the timeout, mapping its error.
    async fn timed<T>(
        &self,
        operation: StoreOperation,
        key: Option<&StoreKey>,
        statement: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.statement_timeout, statement).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                if error.is_closed() || error.as_db_error().is_none() {
                    self.forget_connection().await;
                }
                Err(database_error(operation, key, error))
            }
            Err(elapsed) => {
                // A statement that hangs may have a connection that does too.
                self.forget_connection().await;
                Err(StoreError::new(operation, key, StoreErrorKind::Unavailable)
                    .with_source(elapsed))
            }
        }
    }

    async fn forget_connection(&self) {
        *self.client.lock().await = None;
    }

    /// Runs one statement about `key` that returns at most one row.
    async fn query_opt(
        &self,
        operation: StoreOperation,
        key: &StoreKey,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        let client = self.client(operation, Some(key)).await?;
        self.timed(operation, Some(key), client.query_opt(sql, params))
            .await
    }

    /// Runs one statement about `key`; the number of rows it changed.
    async fn execute(
        &self,
        operation: StoreOperation,
        key: &StoreKey,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let client = self.client(operation, Some(key)).await?;
        self.timed(operation, Some(key), client.execute(sql, params))
            .await
    }

    /// A write that returns the record's new version, or no row when it did not apply.
    async fn query_version(
        &self,
        key: &StoreKey,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Version>, StoreError> {
        let operation = StoreOperation::Write;
        let row = self.query_opt(operation, key, sql, params).await?;
        row.map(|row| version_of(row.try_get::<_, i64>(0), operation, key))
            .transpose()
    }
}

fn record_text(key: &StoreKey, record: &StoredRegistration) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|error| {
        StoreError::new(StoreOperation::Write, Some(key), StoreErrorKind::Corrupt)
            .with_source(error)
    })
}

fn version_of(
    value: Result<i64, tokio_postgres::Error>,
    operation: StoreOperation,
    key: &StoreKey,
) -> Result<Version, StoreError> {
    let corrupt = || StoreError::new(operation, Some(key), StoreErrorKind::Corrupt);
    let value = value.map_err(|error| corrupt().with_source(error))?;
    u64::try_from(value).map(Version).map_err(|_| corrupt())
}

fn as_column(version: Version) -> i64 {
    i64::try_from(version.0).unwrap_or(i64::MAX)
}

impl RegistrationStore for PostgresStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> StoreFuture<'a, Option<Versioned>> {
        Box::pin(async move {
            let operation = StoreOperation::Load;
            let row = self
                .query_opt(
                    operation,
                    key,
                    "SELECT version, record FROM oidc_registrations WHERE issuer = $1 AND name = $2",
                    &[&key.issuer, &key.name],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let version = version_of(row.try_get(0), operation, key)?;
            let corrupt = || StoreError::new(operation, Some(key), StoreErrorKind::Corrupt);
            let text: String = row
                .try_get(1)
                .map_err(|error| corrupt().with_source(error))?;
            let record =
                serde_json::from_str(&text).map_err(|error| corrupt().with_source(error))?;
            Ok(Some(Versioned { record, version }))
        })
    }

    fn insert_if_absent<'a>(
        &'a self,
        key: &'a StoreKey,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        Box::pin(async move {
            let text = record_text(key, record)?;
            self.query_version(
                key,
                "INSERT INTO oidc_registrations (issuer, name, version, record) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (issuer, name) DO NOTHING RETURNING version",
                &[&key.issuer, &key.name, &as_column(Version::FIRST), &text],
            )
            .await
        })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a StoreKey,
        expected: Version,
        record: &'a StoredRegistration,
    ) -> StoreFuture<'a, Option<Version>> {
        Box::pin(async move {
            let text = record_text(key, record)?;
            self.query_version(
                key,
                "UPDATE oidc_registrations SET version = version + 1, record = $4, updated_at = now() \
                 WHERE issuer = $1 AND name = $2 AND version = $3 RETURNING version",
                &[&key.issuer, &key.name, &as_column(expected), &text],
            )
            .await
        })
    }

    fn remove<'a>(&'a self, key: &'a StoreKey, expected: Version) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let removed = self
                .execute(
                    StoreOperation::Write,
                    key,
                    "DELETE FROM oidc_registrations WHERE issuer = $1 AND name = $2 AND version = $3",
                    &[&key.issuer, &key.name, &as_column(expected)],
                )
                .await?;
            Ok(removed == 1)
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        holder: &'a LeaseHolder,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
            let granted = self
                .query_opt(
                    StoreOperation::Lease,
                    key,
                    "INSERT INTO oidc_registration_leases AS lease (issuer, name, holder, expires_at) \
                         VALUES ($1, $2, $3, now() + $4::bigint * interval '1 millisecond') \
                         ON CONFLICT (issuer, name) DO UPDATE \
                         SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at \
                         WHERE lease.expires_at <= now() OR lease.holder = EXCLUDED.holder \
                         RETURNING holder",
                    &[&key.issuer, &key.name, &holder.as_str(), &ttl_ms],
                )
                .await?;
            Ok(granted.is_some())
        })
    }

    fn release<'a>(&'a self, key: &'a StoreKey, holder: &'a LeaseHolder) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.execute(
                StoreOperation::Lease,
                key,
                "DELETE FROM oidc_registration_leases WHERE issuer = $1 AND name = $2 AND holder = $3",
                &[&key.issuer, &key.name, &holder.as_str()],
            )
            .await?;
            Ok(())
        })
    }
}

/// A driver error as a store error: the SQLSTATE class decides the kind. The driver's message
/// names the server's complaint and, for constraint errors, the key columns (issuer and name),
/// never a record: safe to keep as the source.
fn database_error(
    operation: StoreOperation,
    key: Option<&StoreKey>,
    error: tokio_postgres::Error,
) -> StoreError {
    let kind = match error.code().map(|code| code.code()) {
        // 42501 insufficient_privilege, 25006 read_only_sql_transaction, 53xxx insufficient
        // resources (disk full, too many connections is 53300: retryable, so Unavailable).
        Some("42501" | "25006") => StoreErrorKind::Refused,
        Some(code) if code.starts_with("53") && code != "53300" => StoreErrorKind::Refused,
        // 42P01 undefined_table, 42703 undefined_column: the schema is missing or foreign.
        Some("42P01" | "42703") => StoreErrorKind::Corrupt,
        // 22xxx data exceptions: a key the database cannot store (a NUL character).
        Some(code) if code.starts_with("22") => StoreErrorKind::InvalidKey,
        _ => StoreErrorKind::Unavailable,
    };
    StoreError::new(operation, key, kind).with_source(error)
}
