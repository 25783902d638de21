//! `pods/[SCHEME:]NAME[:PORT]/proxy[/PATH]`: the request (any method, query, headers but the
//! credentials and hop-by-hop ones, body) is sent over HTTP/1.1 to the pod IP and the answer passed
//! back, as the API server's proxy does. Without a port, the first declared container port is
//! used, else 80. `https:` talks TLS without checking the pod's certificate (as the API server's
//! proxy transport does). Errors are worded as the API server words them.

use crate::api::errors::ApiError;
use crate::api::{ApiContext, Body, error_response};
use crate::util;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::HeaderName;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `[scheme:]name[:port]` as the API server's `SplitSchemeNamePort` reads it.
fn split_scheme_name_port(id: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = id.split(':').collect();
    let (scheme, name, port) = match parts.as_slice() {
        [name] => ("", *name, ""),
        [name, port] => ("", *name, *port),
        [scheme, name, port] => (*scheme, *name, *port),
        _ => return None,
    };
    if name.is_empty() || !matches!(scheme, "" | "http" | "https") {
        return None;
    }
    Some((scheme.to_string(), name.to_string(), port.to_string()))
}

/// The path after `…/pods/NAME/proxy`, as sent (trailing slash kept).
fn target_path(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    let at = segs
        .windows(3)
        .position(|w| w[0] == "pods" && w[2] == "proxy");
    match at {
        Some(i) if segs.len() > i + 3 => format!("/{}", segs[i + 3..].join("/")),
        _ => "/".to_string(),
    }
}

/// The port to use: the given one (a number or a container port's name), else the first
/// declared container port.
fn resolve_port(pod: &Value, port: &str) -> Result<u16, String> {
    let declared = || {
        util::arr(pod, &["spec", "containers"])
            .iter()
            .flat_map(|c| util::arr(c, &["ports"]).iter())
    };
    if port.is_empty() {
        return Ok(declared()
            .find_map(|p| p.get("containerPort").and_then(Value::as_u64))
            .map(|p| p as u16)
            .unwrap_or(80));
    }
    if let Ok(n) = port.parse::<u16>() {
        return Ok(n);
    }
    declared()
        .find(|p| util::s(p, &["name"]) == port)
        .and_then(|p| p.get("containerPort").and_then(Value::as_u64))
        .map(|p| p as u16)
        .ok_or_else(|| format!("invalid port {port:?}"))
}

fn unavailable(msg: String) -> Response<Body> {
    error_response(&ApiError::new(
        503,
        "ServiceUnavailable",
        format!("error trying to reach service: {msg}"),
    ))
}

fn dial_error(addr: SocketAddr, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connect: connection refused".to_string(),
        std::io::ErrorKind::TimedOut => "i/o timeout".to_string(),
        std::io::ErrorKind::HostUnreachable => "connect: no route to host".to_string(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    };
    format!("dial tcp {addr}: {why}")
}

pub(super) async fn handle(
    ctx: Arc<ApiContext>,
    req: Request<Incoming>,
    ns: String,
    raw_name: String,
) -> Response<Body> {
    let id = percent_decode(&raw_name);
    let Some((scheme, name, port)) = split_scheme_name_port(&id) else {
        return error_response(&ApiError::bad_request(format!(
            "invalid pod request {id:?}"
        )));
    };
    let pod = match ctx.store.get(crate::api::resources::keys::PODS, &ns, &name) {
        Some(p) => p,
        None => return error_response(&ApiError::not_found("pods", "", &name)),
    };
    let port = match resolve_port(&pod, &port) {
        Ok(p) => p,
        Err(msg) => return error_response(&ApiError::bad_request(msg)),
    };
    let ip = match util::s(&pod, &["status", "podIP"]).parse::<Ipv4Addr>() {
        Ok(ip) if !ip.is_unspecified() && !ip.is_loopback() && !ip.is_broadcast() => ip,
        _ => return error_response(&ApiError::bad_request("address not allowed")),
    };
    let addr = SocketAddr::from((ip, port));
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{}?{q}", target_path(req.uri().path())),
        None => target_path(req.uri().path()),
    };
    let (parts, body) = req.into_parts();
    let mut out = Request::builder()
        .method(parts.method.clone())
        .uri(path_and_query.as_str());
    for (k, v) in parts.headers.iter() {
        let n = k.as_str();
        if HOP_BY_HOP.contains(&n) || n == "authorization" || n == "host" {
            continue;
        }
        out = out.header(k, v);
    }
    out = out.header("host", addr.to_string());
    let upstream = match out.body(body) {
        Ok(r) => r,
        Err(e) => return error_response(&ApiError::bad_request(e.to_string())),
    };
    let tcp =
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => return unavailable(dial_error(addr, &e)),
            Err(_) => return unavailable(format!("dial tcp {addr}: i/o timeout")),
        };
    let resp = if scheme == "https" {
        let config = match insecure_client_config() {
            Ok(c) => c,
            Err(e) => return unavailable(e.to_string()),
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let server_name = rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::V4(ip).into());
        match connector.connect(server_name, tcp).await {
            Ok(tls) => send(TokioIo::new(tls), upstream).await,
            Err(e) => return unavailable(format!("remote error: {e}")),
        }
    } else {
        send(TokioIo::new(tcp), upstream).await
    };
    let resp = match resp {
        Ok(r) => r,
        Err(msg) => return unavailable(msg),
    };
    let (mut parts, body) = resp.into_parts();
    for h in HOP_BY_HOP {
        if let Ok(n) = HeaderName::from_bytes(h.as_bytes()) {
            parts.headers.remove(n);
        }
    }
    Response::from_parts(parts, body.map_err(std::io::Error::other).boxed_unsync())
}

async fn send<T>(io: TokioIo<T>, req: Request<Incoming>) -> Result<Response<Incoming>, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    sender.send_request(req).await.map_err(|e| {
        if e.is_incomplete_message() {
            "EOF".to_string()
        } else {
            e.to_string()
        }
    })
}

/// TLS to a pod without checking its certificate, like the API server's proxy transport.
fn insecure_client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AcceptAny(provider.clone()));
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_paths() {
        assert_eq!(
            split_scheme_name_port("zk-0"),
            Some(("".into(), "zk-0".into(), "".into()))
        );
        assert_eq!(
            split_scheme_name_port("zk-0:8080"),
            Some(("".into(), "zk-0".into(), "8080".into()))
        );
        assert_eq!(
            split_scheme_name_port("https:zk-0:8443"),
            Some(("https".into(), "zk-0".into(), "8443".into()))
        );
        assert_eq!(split_scheme_name_port("ftp:zk-0:21"), None);
        assert_eq!(percent_decode("zk-0%3A8080"), "zk-0:8080");
        assert_eq!(
            target_path("/api/v1/namespaces/d/pods/zk-0:8080/proxy/commands/leader"),
            "/commands/leader"
        );
        assert_eq!(
            target_path("/api/v1/namespaces/d/pods/zk-0/proxy/a/"),
            "/a/"
        );
        assert_eq!(target_path("/api/v1/namespaces/d/pods/zk-0/proxy"), "/");
    }
}
