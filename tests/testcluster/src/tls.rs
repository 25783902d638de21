//! The built-in API server's certificate authority and serving certificate (127.0.0.1,
//! localhost), made as the upstream control plane's are ([`crate::controlplane::pki`]).

use crate::controlplane::pki;
use anyhow::Result;
use std::sync::Arc;

/// PEM of the CA certificate plus a rustls server configuration using a certificate it signed.
pub struct Tls {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

/// Makes a fresh CA and a server certificate for `127.0.0.1` and `localhost`.
pub fn generate() -> Result<Tls> {
    let (ca_pem, _, issuer) = pki::new_ca()?;
    let cert = pki::serving(
        &issuer,
        "kube-apiserver",
        &["127.0.0.1", "localhost", "kubernetes.default.svc"],
    )?;
    Ok(Tls {
        server_config: pki::server_config(&cert, &ca_pem)?,
        ca_pem,
    })
}
