//! `metav1.Status` errors worded as the real API server words them.

use serde_json::{Value, json};

/// An API error: becomes a `Status` body with the given HTTP code.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.reason)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

/// `group` is empty for the core group; `resource` is the plural (`pods`).
fn qualified(resource: &str, group: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

fn details(resource: &str, group: &str, name: &str) -> Value {
    let mut d = json!({"name": name, "kind": resource});
    if !group.is_empty() {
        d["group"] = json!(group);
    }
    d
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn status(&self) -> Value {
        let mut s = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": self.message, "reason": self.reason, "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        if self.reason.is_empty()
            && let Some(m) = s.as_object_mut()
        {
            m.remove("reason");
        }
        s
    }

    pub fn not_found(resource: &str, group: &str, name: &str) -> ApiError {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", qualified(resource, group)),
            details: Some(details(resource, group, name)),
        }
    }

    pub fn already_exists(resource: &str, group: &str, name: &str) -> ApiError {
        ApiError {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{name}\" already exists", qualified(resource, group)),
            details: Some(details(resource, group, name)),
        }
    }

    pub fn conflict(resource: &str, group: &str, name: &str) -> ApiError {
        ApiError {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(resource, group)
            ),
            details: Some(details(resource, group, name)),
        }
    }

    /// `kind` is the object kind (`Pod`); causes are (field, reason, message) such as
    /// ("spec.containers", "FieldValueRequired", "Required value").
    pub fn invalid(
        kind: &str,
        group: &str,
        name: &str,
        causes: &[(String, &str, String)],
    ) -> ApiError {
        let list: Vec<String> = causes.iter().map(|(f, _, m)| format!("{f}: {m}")).collect();
        // The message names the GroupKind as Go prints it: `StatefulSet.apps`, `Pod`.
        let qualified_kind = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        let message = if list.len() == 1 {
            format!("{qualified_kind} \"{name}\" is invalid: {}", list[0])
        } else {
            format!(
                "{qualified_kind} \"{name}\" is invalid: [{}]",
                list.join(", ")
            )
        };
        let mut d = json!({"name": name, "kind": kind,
            "causes": causes.iter().map(|(f, r, m)| json!({"reason": r, "message": m, "field": f})).collect::<Vec<_>>()});
        if !group.is_empty() {
            d["group"] = json!(group);
        }
        ApiError {
            code: 422,
            reason: "Invalid",
            message,
            details: Some(d),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    pub fn not_found_path() -> ApiError {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: None,
        }
    }

    pub fn unsupported_media_type(ct: &str) -> ApiError {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {ct})"
            ),
        )
    }

    /// Kubernetes' `NewForbidden`: `pods "zk-0" is forbidden: <reason>` (no name: `pods is
    /// forbidden: …`, and no name in the details).
    pub fn forbidden(resource: &str, group: &str, name: &str, reason: &str) -> ApiError {
        let q = qualified(resource, group);
        let mut details = details(resource, group, name);
        if name.is_empty()
            && let Some(d) = details.as_object_mut()
        {
            d.remove("name");
        }
        ApiError {
            code: 403,
            reason: "Forbidden",
            message: if name.is_empty() {
                format!("{q} is forbidden: {reason}")
            } else {
                format!("{q} \"{name}\" is forbidden: {reason}")
            },
            details: Some(details),
        }
    }

    pub fn gone(message: impl Into<String>) -> ApiError {
        ApiError::new(410, "Expired", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(500, "InternalError", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "Unauthorized", "Unauthorized")
    }
}
