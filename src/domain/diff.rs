//! The difference between two versions of a notification, field by field,
//! each change named by its JSON pointer.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Change {
    /// JSON pointer to the field.
    #[schema(example = "/controller/address/street")]
    pub pointer: String,
    pub op: ChangeOp,
    /// The value before; absent when added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// The value after; absent when removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Added,
    Removed,
    Changed,
}

/// Every leaf that differs between `from` and `to`, in pointer order.
/// A null and an absent field are the same.
pub fn diff(from: &Value, to: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("", from, to, &mut changes);
    changes
}

fn walk(pointer: &str, from: &Value, to: &Value, changes: &mut Vec<Change>) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                walk(
                    &child,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    changes,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                walk(
                    &format!("{pointer}/{i}"),
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                    changes,
                );
            }
        }
        (a, b) if a == b => {}
        (Value::Null, b) => changes.push(Change {
            pointer: pointer.to_owned(),
            op: ChangeOp::Added,
            from: None,
            to: Some(b.clone()),
        }),
        (a, Value::Null) => changes.push(Change {
            pointer: pointer.to_owned(),
            op: ChangeOp::Removed,
            from: Some(a.clone()),
            to: None,
        }),
        (a, b) => changes.push(Change {
            pointer: pointer.to_owned(),
            op: ChangeOp::Changed,
            from: Some(a.clone()),
            to: Some(b.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_changed_leaf_by_pointer() {
        let a = json!({
            "purpose": "cctv",
            "controller": {"address": {"street": "Gate 1", "town": "Bergen"}},
            "processors": [{"name": "A"}],
            "description": null,
            "a/b": 1
        });
        let b = json!({
            "purpose": "research",
            "controller": {"address": {"street": "Gate 2", "town": "Bergen"}},
            "processors": [{"name": "A"}, {"name": "B"}],
            "description": "ny",
            "a/b": 1
        });
        let changes = diff(&a, &b);
        let summary: Vec<_> = changes.iter().map(|c| (c.pointer.as_str(), c.op)).collect();
        assert_eq!(
            summary,
            [
                ("/controller/address/street", ChangeOp::Changed),
                ("/description", ChangeOp::Added),
                ("/processors/1", ChangeOp::Added),
                ("/purpose", ChangeOp::Changed),
            ]
        );
        assert_eq!(changes[0].from, Some(json!("Gate 1")));
        assert_eq!(changes[0].to, Some(json!("Gate 2")));
        assert!(diff(&a, &a).is_empty());
        let back = diff(&b, &a);
        assert_eq!(back[2].op, ChangeOp::Removed);
        assert_eq!(back[2].pointer, "/processors/1");
        assert_eq!(back[2].from, Some(json!({"name": "B"})));
    }
}
