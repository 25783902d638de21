//! The cluster's certificates and credentials, made fresh for each cluster with rcgen: one CA that
//! signs the API server's serving certificate, the client certificates of the controller manager,
//! the scheduler, the API server toward kubelets and every node (`system:node:<name>` in
//! `system:nodes`, as the Node authorizer expects), and each node agent's serving certificate; the
//! service-account signing key; and bearer tokens for the users `admin` (`system:masters`),
//! `developer` (no group beyond `system:authenticated`) and the cluster DNS.

use anyhow::{Context, Result};
use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;

/// A certificate and its key, PEM.
#[derive(Clone)]
pub struct CertKey {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Who a client is: a bearer token or a client certificate.
#[derive(Clone, Copy)]
pub enum Identity<'a> {
    Token { user: &'a str, token: &'a str },
    Cert { user: &'a str, cert: &'a CertKey },
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

impl Identity<'_> {
    /// A kubeconfig with this identity as its only user and context.
    pub fn kubeconfig(&self, server: &str, ca_pem: &str) -> String {
        let (user, creds) = match self {
            Identity::Token { user, token } => (*user, format!("    token: {token}\n")),
            Identity::Cert { user, cert } => (
                *user,
                format!(
                    "    client-certificate-data: {}\n    client-key-data: {}\n",
                    b64(&cert.cert_pem),
                    b64(&cert.key_pem)
                ),
            ),
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: testcluster\n  cluster:\n    server: {server}\n    certificate-authority-data: {}\nusers:\n- name: {user}\n  user:\n{creds}contexts:\n- name: testcluster\n  context:\n    cluster: testcluster\n    user: {user}\ncurrent-context: testcluster\npreferences: {{}}\n",
            b64(ca_pem)
        )
    }
}

/// Everything secret about one cluster.
pub struct Pki {
    pub ca_pem: String,
    ca_key_pem: String,
    issuer: Issuer<'static, KeyPair>,
    apiserver: CertKey,
    kubelet_client: CertKey,
    controller_manager: CertKey,
    scheduler: CertKey,
    /// The service-account signing key (ECDSA P-256, PKCS#8) and its public key.
    sa_key_pem: String,
    sa_pub_pem: String,
    pub admin_token: String,
    pub developer_token: String,
    pub dns_token: String,
}

/// User names of the token users.
pub const ADMIN: &str = "admin";
pub const DEVELOPER: &str = "developer";
pub const DNS: &str = "system:testcluster:dns";

fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Pki {
    /// A new CA and every certificate the control plane needs; `advertise` (the bridge address) is
    /// in the API server's certificate beside 127.0.0.1 and the `kubernetes` Service's names.
    pub fn generate(advertise: Ipv4Addr) -> Result<Pki> {
        let (ca_pem, ca_key_pem, issuer) = new_ca()?;
        let sa_key = KeyPair::generate().context("generating the service-account key")?;
        let mut pki = Pki {
            ca_pem,
            ca_key_pem,
            issuer,
            apiserver: empty(),
            kubelet_client: empty(),
            controller_manager: empty(),
            scheduler: empty(),
            sa_key_pem: sa_key.serialize_pem(),
            sa_pub_pem: sa_key.public_key_pem(),
            admin_token: new_token(),
            developer_token: new_token(),
            dns_token: new_token(),
        };
        pki.apiserver = pki.serving(
            "kube-apiserver",
            &[
                "127.0.0.1",
                &advertise.to_string(),
                super::FIRST_SERVICE_IP,
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
            ],
        )?;
        pki.kubelet_client = pki.client("kube-apiserver-kubelet-client", &["system:masters"])?;
        pki.controller_manager = pki.client("system:kube-controller-manager", &[])?;
        pki.scheduler = pki.client("system:kube-scheduler", &[])?;
        Ok(pki)
    }

    fn sign(&self, params: CertificateParams) -> Result<CertKey> {
        sign(&self.issuer, params)
    }

    /// A client certificate: CN = user, O = groups.
    pub fn client(&self, user: &str, groups: &[&str]) -> Result<CertKey> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, user);
        for g in groups {
            params.distinguished_name.push(DnType::OrganizationName, *g);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    /// A serving certificate for these names and addresses.
    pub fn serving(&self, cn: &str, sans: &[&str]) -> Result<CertKey> {
        serving(&self.issuer, cn, sans)
    }

    /// A node's client certificate (`system:node:<name>`, group `system:nodes`).
    pub fn node(&self, name: &str) -> Result<CertKey> {
        self.client(&format!("system:node:{name}"), &["system:nodes"])
    }

    /// A rustls server configuration for a node agent's kubelet API on `ip`.
    pub fn kubelet_serving(&self, name: &str, ip: Ipv4Addr) -> Result<Arc<rustls::ServerConfig>> {
        let ck = self.serving(name, &[&ip.to_string(), name])?;
        server_config(&ck, &self.ca_pem)
    }

    pub fn admin(&self) -> Identity<'_> {
        Identity::Token {
            user: ADMIN,
            token: &self.admin_token,
        }
    }

    pub fn dns(&self) -> Identity<'_> {
        Identity::Token {
            user: DNS,
            token: &self.dns_token,
        }
    }

    pub fn controller_manager(&self) -> Identity<'_> {
        Identity::Cert {
            user: "system:kube-controller-manager",
            cert: &self.controller_manager,
        }
    }

    pub fn scheduler(&self) -> Identity<'_> {
        Identity::Cert {
            user: "system:kube-scheduler",
            cert: &self.scheduler,
        }
    }

    /// Writes what the components read: `ca.crt`/`ca.key`, `apiserver.crt`/`.key`,
    /// `apiserver-kubelet-client.crt`/`.key`, `sa.key`/`sa.pub` and `tokens.csv`, readable by root only.
    pub fn write(&self, dir: &Path) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let files = [
            ("ca.crt", self.ca_pem.as_str()),
            ("ca.key", &self.ca_key_pem),
            ("apiserver.crt", &self.apiserver.cert_pem),
            ("apiserver.key", &self.apiserver.key_pem),
            (
                "apiserver-kubelet-client.crt",
                &self.kubelet_client.cert_pem,
            ),
            ("apiserver-kubelet-client.key", &self.kubelet_client.key_pem),
            ("sa.key", &self.sa_key_pem),
            ("sa.pub", &self.sa_pub_pem),
        ];
        let tokens = format!(
            "{},{ADMIN},{ADMIN},\"system:masters\"\n{},{DEVELOPER},{DEVELOPER}\n{},{DNS},{DNS}\n",
            self.admin_token, self.developer_token, self.dns_token
        );
        for (name, text) in files.into_iter().chain([("tokens.csv", tokens.as_str())]) {
            let path = dir.join(name);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .with_context(|| format!("writing {}", path.display()))?;
            std::io::Write::write_all(&mut f, text.as_bytes())?;
        }
        Ok(())
    }
}

/// A new CA (`testcluster-ca`): its certificate and key in PEM, and the issuer that signs with
/// it.
pub fn new_ca() -> Result<(String, String, Issuer<'static, KeyPair>)> {
    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "testcluster-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("self-signing the CA")?;
    let key_pem = ca_key.serialize_pem();
    Ok((ca_cert.pem(), key_pem, Issuer::new(ca_params, ca_key)))
}

/// A certificate with a new key, signed by `issuer`.
fn sign(issuer: &Issuer<'static, KeyPair>, mut params: CertificateParams) -> Result<CertKey> {
    let key = KeyPair::generate().context("generating a key")?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let cert = params
        .signed_by(&key, issuer)
        .context("signing a certificate")?;
    Ok(CertKey {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// A serving certificate for these names and addresses, signed by `issuer`.
pub fn serving(issuer: &Issuer<'static, KeyPair>, cn: &str, sans: &[&str]) -> Result<CertKey> {
    let mut params =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sign(issuer, params)
}

fn empty() -> CertKey {
    CertKey {
        cert_pem: String::new(),
        key_pem: String::new(),
    }
}

/// A rustls server configuration serving `ck` (with the CA in the chain).
pub fn server_config(ck: &CertKey, ca_pem: &str) -> Result<Arc<rustls::ServerConfig>> {
    let mut certs = Vec::new();
    for pem in [ck.cert_pem.as_bytes(), ca_pem.as_bytes()] {
        for c in rustls::pki_types::CertificateDer::pem_slice_iter(pem) {
            certs.push(c.map_err(|e| anyhow::anyhow!("certificate: {e}"))?);
        }
    }
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(ck.key_pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("server key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
