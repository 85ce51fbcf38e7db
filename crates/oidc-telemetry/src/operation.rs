use std::fmt;

/// An instrumented operation. Its [`name`](Operation::name) is the `<operation>` part of the
/// metric names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Loading a provider configuration (`oidc-discovery`).
    LoadConfiguration,
    /// Loading a provider's JWK set (`oidc-discovery`).
    LoadJwks,
    /// Registering a client (RFC 7591).
    RegisterClient,
    /// Reading a registered client (RFC 7592).
    ReadClient,
    /// Updating a registered client (RFC 7592).
    UpdateClient,
    /// Deleting a registered client (RFC 7592).
    DeleteClient,
    /// Loading a protected resource's metadata (RFC 9728, `oidc-discovery`).
    LoadResourceMetadata,
    /// Loading a Client ID Metadata Document (`oidc-discovery`).
    LoadClientMetadataDocument,
}

/// The four metric names of one operation. Kept as literals so that recording allocates nothing
/// for the name.
pub(crate) struct MetricNames {
    pub(crate) start: &'static str,
    pub(crate) stop: &'static str,
    pub(crate) exception: &'static str,
    pub(crate) duration: &'static str,
}

macro_rules! names {
    ($op:literal) => {
        MetricNames {
            start: concat!("oidc_", $op, "_start_total"),
            stop: concat!("oidc_", $op, "_stop_total"),
            exception: concat!("oidc_", $op, "_exception_total"),
            duration: concat!("oidc_", $op, "_duration_seconds"),
        }
    };
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 8] = [
        Self::LoadConfiguration,
        Self::LoadJwks,
        Self::RegisterClient,
        Self::ReadClient,
        Self::UpdateClient,
        Self::DeleteClient,
        Self::LoadResourceMetadata,
        Self::LoadClientMetadataDocument,
    ];

    /// The operation's position in [`ALL`](Self::ALL), for tables with one slot per
    /// operation.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The operation's name as used in metric names, e.g. `register_client`.
    pub fn name(self) -> &'static str {
        match self {
            Self::LoadConfiguration => "load_configuration",
            Self::LoadJwks => "load_jwks",
            Self::RegisterClient => "register_client",
            Self::ReadClient => "read_client",
            Self::UpdateClient => "update_client",
            Self::DeleteClient => "delete_client",
            Self::LoadResourceMetadata => "load_resource_metadata",
            Self::LoadClientMetadataDocument => "load_client_metadata_document",
        }
    }

    /// `oidc_<operation>_start_total`.
    pub fn start_metric(self) -> &'static str {
        self.metric_names().start
    }

    /// `oidc_<operation>_stop_total`.
    pub fn stop_metric(self) -> &'static str {
        self.metric_names().stop
    }

    /// `oidc_<operation>_exception_total`.
    pub fn exception_metric(self) -> &'static str {
        self.metric_names().exception
    }

    /// `oidc_<operation>_duration_seconds`.
    pub fn duration_metric(self) -> &'static str {
        self.metric_names().duration
    }

    pub(crate) fn metric_names(self) -> MetricNames {
        match self {
            Self::LoadConfiguration => names!("load_configuration"),
            Self::LoadJwks => names!("load_jwks"),
            Self::RegisterClient => names!("register_client"),
            Self::ReadClient => names!("read_client"),
            Self::UpdateClient => names!("update_client"),
            Self::DeleteClient => names!("delete_client"),
            Self::LoadResourceMetadata => names!("load_resource_metadata"),
            Self::LoadClientMetadataDocument => names!("load_client_metadata_document"),
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_position_in_all() {
        for (position, operation) in Operation::ALL.into_iter().enumerate() {
            assert_eq!(operation.index(), position, "{operation}");
        }
    }

    #[test]
    fn metric_names_follow_the_operation_name() {
        for operation in Operation::ALL {
            let name = operation.name();
            assert_eq!(operation.start_metric(), format!("oidc_{name}_start_total"));
            assert_eq!(operation.stop_metric(), format!("oidc_{name}_stop_total"));
            assert_eq!(
                operation.exception_metric(),
                format!("oidc_{name}_exception_total")
            );
            assert_eq!(
                operation.duration_metric(),
                format!("oidc_{name}_duration_seconds")
            );
        }
    }
}
