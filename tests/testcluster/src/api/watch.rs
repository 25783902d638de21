//! Watch streams: `ADDED`/`MODIFIED`/`DELETED` lines, resumption from a resourceVersion with the
//! 410 `Expired` path, selectors (objects leaving a selector are sent as `DELETED`), tables.

use super::errors::ApiError;
use super::resources::ResourceDef;
use super::select::{FieldSelector, LabelSelector};
use super::store::{EventType, WatchEvent};
use super::{ApiContext, Body, stream_body, tables};
use bytes::Bytes;
use hyper::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

struct Filter {
    key: String,
    ns: Option<String>,
    label: LabelSelector,
    field: FieldSelector,
}

impl Filter {
    fn matches(&self, o: &Value) -> bool {
        self.ns
            .as_deref()
            .is_none_or(|n| n == crate::util::namespace(o))
            && self.label.matches_obj(o)
            && self.field.matches(o)
    }

    /// What a watcher with this filter sees of an event.
    fn translate(&self, ev: &WatchEvent) -> Option<(EventType, Value)> {
        if ev.key != self.key {
            return None;
        }
        let now = self.matches(&ev.object);
        match ev.etype {
            EventType::Modified => {
                let before = ev.old.as_ref().is_some_and(|o| self.matches(o));
                match (before, now) {
                    (true, true) => Some((EventType::Modified, ev.object.clone())),
                    (false, true) => Some((EventType::Added, ev.object.clone())),
                    (true, false) => Some((EventType::Deleted, ev.object.clone())),
                    (false, false) => None,
                }
            }
            t => now.then(|| (t, ev.object.clone())),
        }
    }
}

fn line(etype: &str, object: &Value, kind: &str, table: bool, first: &mut bool) -> Bytes {
    let obj = if table {
        let rv = crate::util::s(object, &["metadata", "resourceVersion"]).to_string();
        let t = tables::table(kind, std::slice::from_ref(object), &rv, "Metadata", *first);
        *first = false;
        t
    } else {
        object.clone()
    };
    let mut v = serde_json::to_vec(&json!({"type": etype, "object": obj})).unwrap_or_default();
    v.push(b'\n');
    Bytes::from(v)
}

pub fn watch(
    ctx: Arc<ApiContext>,
    def: &'static ResourceDef,
    ns: Option<String>,
    label: LabelSelector,
    field: FieldSelector,
    q: &HashMap<String, String>,
    table: bool,
) -> Response<Body> {
    let filter = Filter {
        key: def.key(),
        ns: ns.clone(),
        label,
        field,
    };
    let rv: Option<u64> = q
        .get("resourceVersion")
        .filter(|r| !r.is_empty() && *r != "0")
        .and_then(|r| r.parse().ok());
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs);
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    // Everything to send first, and the live receiver, taken atomically.
    let mut first = true;
    let mut initial: Vec<Bytes> = Vec::new();
    let receiver: Option<broadcast::Receiver<Arc<WatchEvent>>> = match rv {
        None => {
            let (items, _, r) = ctx.store.snapshot_and_subscribe(&filter.key, ns.as_deref());
            for o in items.iter().filter(|o| filter.matches(o)) {
                initial.push(line("ADDED", o, def.kind, table, &mut first));
            }
            Some(r)
        }
        Some(rv) => match ctx.store.watch_from(&filter.key, rv) {
            Ok((past, r)) => {
                for ev in past {
                    if let Some((t, o)) = filter.translate(&ev) {
                        initial.push(line(t.as_str(), &o, def.kind, table, &mut first));
                    }
                }
                Some(r)
            }
            Err(oldest) => {
                let e = ApiError::gone(format!("too old resource version: {rv} ({oldest})"));
                let mut v = serde_json::to_vec(&json!({"type": "ERROR", "object": e.status()}))
                    .unwrap_or_default();
                v.push(b'\n');
                initial.push(Bytes::from(v));
                None
            }
        },
    };
    let last_sent = rv.unwrap_or(0);
    let mut shutdown = ctx.shutdown.clone();
    tokio::spawn(async move {
        for b in initial {
            if tx.send(b).await.is_err() {
                return;
            }
        }
        let Some(mut r) = receiver else { return };
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut last = last_sent;
        loop {
            let ev = tokio::select! {
                ev = r.recv() => ev,
                _ = async { match deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => return,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            };
            match ev {
                Ok(ev) => {
                    if ev.rv <= last {
                        continue;
                    }
                    if let Some((t, o)) = filter.translate(&ev) {
                        last = ev.rv;
                        if tx
                            .send(line(t.as_str(), &o, def.kind, table, &mut first))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                // a slow watcher loses its stream and re-lists, as with a real server
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "no-cache, private")
        .body(stream_body(rx))
        .unwrap_or_else(|_| Response::new(super::full(Bytes::new())))
}
