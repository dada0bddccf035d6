//! The last steps of the document, on its JSON: what the derive cannot
//! say about input. A required input field is never `null` (the service
//! answers 422 `required`); header, query and path parameters never are;
//! input text and query parameters refuse control characters (a
//! description may break lines), as the service does.

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// Text of one line: no control character at all.
const ONE_LINE: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// Text of several lines: line breaks and tabs, no other control character.
const MULTI_LINE: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// Fields whose text may have several lines.
const MULTI_LINE_FIELDS: &[&str] = &["description"];

pub fn refine(doc: &mut Value) {
    // A schema that is input somewhere is refined everywhere: where an
    // answer holds one (a stored version's content), it held the checks.
    let inputs = reachable(doc, "requestBody");
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for name in &inputs {
            if let Some(schema) = schemas.get_mut(name) {
                refine_input(schema);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                for parameter in op
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    // The query is refused on a control character; a header
                    // the service reads is checked by its own rule, and one
                    // it merely prefers (Accept-Language) never refused.
                    let in_query = parameter["in"] == "query";
                    if let Some(schema) = parameter.get_mut("schema") {
                        drop_null(schema);
                        if in_query {
                            text_pattern(schema, false);
                        }
                    }
                }
            }
        }
    }
}

/// The component schemas reachable from every operation's `key`
/// (`requestBody` or `responses`), through references.
fn reachable(doc: &Value, key: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut todo: Vec<&Value> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|o| o.values()))
        .filter_map(|op| op.get(key))
        .collect();
    while let Some(value) = todo.pop() {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    && found.insert(name.to_owned())
                {
                    todo.push(&doc["components"]["schemas"][name]);
                }
                todo.extend(map.values());
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    found
}

fn refine_input(schema: &mut Value) {
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            drop_null(property);
        }
        text_pattern(property, MULTI_LINE_FIELDS.contains(&name.as_str()));
        if let Some(items) = property.get_mut("items") {
            text_pattern(items, false);
        }
    }
}

/// `type: [T, "null"]` → `type: T`; `oneOf: [{type: null}, X]` → X.
fn drop_null(schema: &mut Value) {
    if let Some(types) = schema.get("type").and_then(Value::as_array) {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        schema["type"] = match kept.as_slice() {
            [one] => one.clone(),
            _ => Value::Array(kept),
        };
    }
    for key in ["oneOf", "anyOf"] {
        let Some(options) = schema.get(key).and_then(Value::as_array) else {
            continue;
        };
        let kept: Vec<Value> = options
            .iter()
            .filter(|o| o.get("type") != Some(&json!("null")))
            .cloned()
            .collect();
        if let [one] = kept.as_slice() {
            let one = one.clone();
            let map = schema.as_object_mut().expect("an object with oneOf");
            map.remove(key);
            if let Some(inner) = one.as_object() {
                for (k, v) in inner {
                    map.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
}

/// A free text refuses control characters, as the service does.
fn text_pattern(schema: &mut Value, multi_line: bool) {
    let is_text = schema.get("type") == Some(&json!("string"))
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("string")));
    let constrained = ["pattern", "enum", "const", "format", "$ref"]
        .iter()
        .any(|k| schema.get(*k).is_some());
    if is_text && !constrained {
        schema["pattern"] = json!(if multi_line { MULTI_LINE } else { ONE_LINE });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_input_is_not_nullable_and_text_refuses_control_characters() {
        let mut doc = json!({
            "paths": {
                "/x": { "post": {
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/In" } } } },
                    "parameters": [ { "in": "header", "name": "H", "schema": { "type": ["string", "null"] } } ],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Out" } } } } }
                } }
            },
            "components": { "schemas": {
                "In": {
                    "type": "object",
                    "required": ["name", "law"],
                    "properties": {
                        "name": { "type": ["string", "null"] },
                        "law": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Law" } ] },
                        "description": { "type": ["string", "null"] }
                    }
                },
                "Law": { "type": "string", "enum": ["a"] },
                "Out": { "type": "object", "required": ["n"], "properties": { "n": { "type": ["integer", "null"] } } }
            } }
        });
        refine(&mut doc);
        let input = &doc["components"]["schemas"]["In"]["properties"];
        assert_eq!(input["name"]["type"], "string");
        assert_eq!(input["name"]["pattern"], ONE_LINE);
        assert_eq!(input["law"], json!({ "$ref": "#/components/schemas/Law" }));
        assert_eq!(
            input["description"]["type"],
            json!(["string", "null"]),
            "optional stays"
        );
        assert_eq!(input["description"]["pattern"], MULTI_LINE);
        assert_eq!(
            doc["components"]["schemas"]["Out"]["properties"]["n"]["type"],
            json!(["integer", "null"]),
            "answers that are not input say what they send"
        );
        let header = &doc["paths"]["/x"]["post"]["parameters"][0]["schema"];
        assert_eq!(header["type"], "string");
    }
}
