//! The response headers of the document, on its JSON: what every answer of
//! a kind carries, and which headers are always sent (`required`), so that
//! the test harness can hold the service to them.

use serde_json::{Map, Value, json};

/// Seconds to wait, on every 429 (and 503, declared with the errors).
fn retry_after() -> Value {
    json!({
        "description": "Seconds to wait before trying again",
        "required": true,
        "schema": { "type": "integer", "minimum": 0 }
    })
}

pub fn declare(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            let idempotent = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                let Some(response) = response.as_object_mut() else {
                    continue;
                };
                let headers = response
                    .entry("headers")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(headers) = headers.as_object_mut() else {
                    continue;
                };
                match status.as_str() {
                    "429" => {
                        headers.entry("Retry-After").or_insert_with(retry_after);
                    }
                    "304" => {
                        headers.entry("ETag").or_insert_with(|| {
                            json!({ "description": "The representation's tag, as before", "schema": { "type": "string" } })
                        });
                    }
                    s if idempotent && s.starts_with('2') => {
                        headers.entry("Idempotent-Replayed").or_insert_with(|| {
                            json!({
                                "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
                                "required": false,
                                "schema": { "type": "string", "enum": ["true"] }
                            })
                        });
                    }
                    _ => {}
                }
                // A header the document names is sent every time, unless
                // it says otherwise or is sent only when known.
                for (name, header) in headers.iter_mut() {
                    if let Some(header) = header.as_object_mut() {
                        let always = !SENT_WHEN_KNOWN.contains(&name.as_str());
                        header.entry("required").or_insert(json!(always));
                    }
                }
            }
        }
    }
}

/// Headers sent only when there is something to say: `Last-Modified` of
/// a register that has never changed.
const SENT_WHEN_KNOWN: &[&str] = &["Last-Modified"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_says_when_to_retry_and_a_replay_says_it_is_one() {
        let mut doc = json!({ "paths": { "/x": { "post": {
            "parameters": [ { "name": "Idempotency-Key", "in": "header" } ],
            "responses": {
                "201": { "description": "made", "headers": { "ETag": { "schema": { "type": "string" } } } },
                "429": { "description": "slow down" }
            }
        } } } });
        declare(&mut doc);
        let responses = &doc["paths"]["/x"]["post"]["responses"];
        assert_eq!(responses["429"]["headers"]["Retry-After"]["required"], true);
        assert_eq!(responses["201"]["headers"]["ETag"]["required"], true);
        assert_eq!(
            responses["201"]["headers"]["Idempotent-Replayed"]["required"],
            false
        );
    }
}
