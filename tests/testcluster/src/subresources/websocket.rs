//! The server side of a WebSocket upgrade with the channel subprotocols (`v5.channel.k8s.io`,
//! `v4.channel.k8s.io`): every frame is binary, its first byte the channel.

use crate::mirror::errors::ApiError;
use crate::mirror::{Body, full};
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

pub const V5: &str = "v5.channel.k8s.io";
pub const V4: &str = "v4.channel.k8s.io";

/// The WebSocket of an accepted upgrade.
pub type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// An accepted upgrade: answer with the 101 response returned beside it, then `open` the socket.
pub struct Accepted {
    pub protocol: &'static str,
    on_upgrade: OnUpgrade,
}

impl Accepted {
    /// The socket, once the client has the 101 (None if the connection went away).
    pub async fn open(self) -> Option<Ws> {
        let upgraded = self.on_upgrade.await.ok()?;
        Some(WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await)
    }
}

fn header_tokens(req: &Request<Incoming>, name: &str) -> Vec<String> {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether the request asks for a WebSocket.
pub fn is_websocket(req: &Request<Incoming>) -> bool {
    header_tokens(req, "connection")
        .iter()
        .any(|t| t.eq_ignore_ascii_case("upgrade"))
        && header_tokens(req, "upgrade")
            .iter()
            .any(|t| t.eq_ignore_ascii_case("websocket"))
}

/// Accepts a WebSocket upgrade speaking the first of the client's subprotocols that is in
/// `supported`; `default` is used when the client offers none (None: refuse). Anything else
/// (SPDY, a plain request, no common subprotocol) gets 400.
pub fn accept(
    req: &mut Request<Incoming>,
    supported: &[&'static str],
    default: Option<&'static str>,
) -> Result<(Accepted, Response<Body>), ApiError> {
    if !is_websocket(req) {
        let asked = header_tokens(req, "upgrade").join(", ");
        let msg = if asked.is_empty() {
            "Upgrade request required".to_string()
        } else {
            format!(
                "unable to upgrade: the test cluster serves this subresource over WebSocket only ({}); upgrade {asked:?} (SPDY) is not supported",
                supported.join(", ")
            )
        };
        return Err(ApiError::bad_request(msg));
    }
    let Some(key) = req
        .headers()
        .get("sec-websocket-key")
        .map(|k| k.as_bytes().to_vec())
    else {
        return Err(ApiError::bad_request(
            "unable to upgrade: missing Sec-WebSocket-Key",
        ));
    };
    let offered = header_tokens(req, "sec-websocket-protocol");
    let chosen = if offered.is_empty() {
        default
    } else {
        offered
            .iter()
            .find_map(|o| supported.iter().copied().find(|s| s == o))
    };
    let Some(protocol) = chosen else {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade: unable to negotiate protocol: client supports {offered:?}, server supports {supported:?}"
        )));
    };
    let on_upgrade = hyper::upgrade::on(req);
    let mut b = Response::builder()
        .status(101)
        .header("upgrade", "websocket")
        .header("connection", "Upgrade")
        .header("sec-websocket-accept", derive_accept_key(&key));
    if !offered.is_empty() {
        b = b.header("sec-websocket-protocol", protocol);
    }
    let response = b
        .body(full(""))
        .map_err(|e| ApiError::new(500, "InternalError", e.to_string()))?;
    Ok((
        Accepted {
            protocol,
            on_upgrade,
        },
        response,
    ))
}

/// A Close frame with status 1000: client-go treats a close without a status (1005) as an error.
pub fn normal_close() -> tokio_tungstenite::tungstenite::Message {
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    tokio_tungstenite::tungstenite::Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
}

/// Splits a session's WebSocket: a queue for outgoing messages, drained by a writer task that
/// ends with a normal closure (1000) as the API server's websocket library closes, and the
/// incoming stream.
pub fn spawn_writer(
    ws: Ws,
) -> (
    tokio::sync::mpsc::Sender<tokio_tungstenite::tungstenite::Message>,
    tokio::task::JoinHandle<()>,
    futures::stream::SplitStream<Ws>,
) {
    use futures::{SinkExt, StreamExt};
    let (mut sink, stream) = ws.split();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if sink.send(m).await.is_err() {
                return;
            }
        }
        let _ = sink.send(normal_close()).await;
        let _ = sink.close().await;
    });
    (tx, writer, stream)
}
