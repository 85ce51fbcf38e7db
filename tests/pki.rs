//! Certificates made at test time for the TLS tests: a CA, and server and client certificates
//! it signs (expired ones too), so no private key is ever checked in.

use std::fmt;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A certificate authority whose certificate tests add as a trust anchor.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl fmt::Debug for TestCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

/// A certificate and its private key, as PEM. `Debug` leaves the key out.
pub struct Identity {
    /// The certificate, then the CA's, as PEM.
    pub cert_chain_pem: String,
    /// The private key, as PKCS#8 PEM.
    pub key_pem: String,
    /// The certificate alone, DER-encoded, to compare with what a peer saw.
    pub der: Vec<u8>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("cert_chain_pem", &self.cert_chain_pem)
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA (ECDSA P-256) named `name`.
    ///
    /// # Panics
    ///
    /// Only if rcgen cannot make a key or certificate.
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("ca key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("ca certificate");
        Self { issuer }
    }

    /// The CA's certificate as PEM: what a client trusts.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A TLS server certificate for `names` (DNS names or IP addresses), valid now.
    pub fn server(&self, names: &[&str]) -> Identity {
        self.issue(
            names,
            names.first().copied().unwrap_or("server"),
            |params| {
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            },
        )
    }

    /// A TLS server certificate for `names` that expired in 2001.
    pub fn expired_server(&self, names: &[&str]) -> Identity {
        self.issue(names, "expired", |params| {
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        })
    }

    /// A TLS client certificate whose subject is `CN=<common_name>`.
    pub fn client(&self, common_name: &str) -> Identity {
        self.issue(&[], common_name, |params| {
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        })
    }

    fn issue(
        &self,
        names: &[&str],
        common_name: &str,
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> Identity {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("certificate params");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        adjust(&mut params);
        let key = KeyPair::generate().expect("key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signed certificate");
        Identity {
            cert_chain_pem: format!("{}{}", cert.pem(), self.issuer.pem()),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        }
    }
}
