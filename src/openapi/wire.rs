//! The last steps of the document, on its JSON: what the derive cannot
//! say about input. A required input field is never `null` (the service
//! answers 422 `required`); header, query and path parameters never are;
//! input text and query parameters refuse control characters (a
//! description may break lines), as the service does.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::domain::notification::limits;

/// Text of one line: no control character at all.
const ONE_LINE: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// Text of several lines: line breaks and tabs, no other control character.
const MULTI_LINE: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// A required text of one line: something besides spaces, no control
/// character (the service answers `required` for blank text).
const ONE_LINE_NOT_BLANK: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// Fields whose text may have several lines.
const MULTI_LINE_FIELDS: &[&str] = &["description", "text"];

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
        for (path, item) in paths.iter_mut() {
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
                    let rules = parameter["name"]
                        .as_str()
                        .and_then(|name| query_rules(path, name));
                    if let Some(schema) = parameter.get_mut("schema") {
                        drop_null(schema);
                        if let (true, Some(rules)) = (in_query, rules) {
                            for (k, v) in rules.as_object().into_iter().flatten() {
                                schema[k] = v.clone();
                            }
                        }
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
    for key in ["oneOf", "anyOf", "allOf"] {
        for option in schema
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            refine_input(option);
        }
    }
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
        let required = required.contains(name);
        if required {
            drop_null(property);
        }
        if let (Some(rules), Some(map)) = (field_rules(name), property.as_object_mut()) {
            for (k, v) in rules.as_object().into_iter().flatten() {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let password = property.get("format") == Some(&json!("password"));
        if required
            && !password
            && !MULTI_LINE_FIELDS.contains(&name.as_str())
            && is_free_text(property)
        {
            property["pattern"] = json!(ONE_LINE_NOT_BLANK);
            property["minLength"] = json!(1);
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

/// What the domain's rules say of a field's form, where a schema can say
/// it too, by the field's name (the same name has the same rule in every
/// input that has it).
fn field_rules(name: &str) -> Option<Value> {
    Some(match name {
        "name" => json!({ "maxLength": limits::NAME }),
        "street" => json!({ "maxLength": limits::STREET }),
        "postal_code" => json!({ "maxLength": limits::POSTAL_CODE }),
        "town" => json!({ "maxLength": limits::TOWN }),
        "responsible_title" => json!({ "maxLength": limits::TITLE }),
        "value" => json!({ "maxLength": limits::IDENTIFIER }),
        "description" => json!({ "maxLength": limits::DESCRIPTION }),
        "project_title" => json!({ "maxLength": limits::PROJECT_TITLE }),
        "exception" => json!({ "maxLength": limits::EXCEPTION }),
        // `+` and then 5 to 15 digits, spaces between them allowed.
        "phone" => json!({ "maxLength": limits::PHONE, "pattern": "^\\+?( *[0-9]){5,15} *$" }),
        // Empty is none.
        "previous_number" => json!({ "pattern": "^([0-9]{4}-[0-9]{6,8})?$" }),
        "processors" => json!({ "maxItems": limits::PROCESSORS }),
        "transfers_abroad" => json!({ "maxItems": limits::TRANSFERS }),
        "sensitive_categories" => json!({ "maxItems": limits::SENSITIVE, "uniqueItems": true }),
        _ => return None,
    })
}

/// What the service checks of a query parameter, by its name (the
/// register's and the audit log's cursors have forms of their own).
fn query_rules(path: &str, name: &str) -> Option<Value> {
    let register = path.starts_with("/v1/register") || path == "/register";
    Some(match name {
        "cursor" if register => json!({ "pattern": crate::register::CURSOR_PATTERN }),
        "cursor" if path == "/v1/admin/audit" => {
            json!({ "pattern": crate::admin::AUDIT_CURSOR_PATTERN })
        }
        "q" if register => json!({ "maxLength": crate::register::Q_MAX }),
        // Empty or blank is refused, as every empty filter is.
        "identifier" if register => json!({ "minLength": 1, "pattern": ONE_LINE_NOT_BLANK }),
        "organisation" | "action" if path.starts_with("/v1/admin") => {
            json!({ "minLength": 1, "pattern": ONE_LINE_NOT_BLANK })
        }
        "types" if path == "/v1/events" => json!({ "pattern": crate::events::TYPES_PATTERN }),
        "organisation" if path == "/v1/events" => {
            json!({ "minLength": 1, "pattern": ONE_LINE_NOT_BLANK })
        }
        "cursor" => json!({ "pattern": crate::api::CURSOR_PATTERN }),
        "q" => json!({ "maxLength": crate::notifications::Q_MAX }),
        _ => return None,
    })
}

/// A string with no rule of its form yet (a password is free text too).
fn is_free_text(schema: &Value) -> bool {
    let is_text = schema.get("type") == Some(&json!("string"))
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("string")));
    let constrained = ["pattern", "enum", "const", "$ref"]
        .iter()
        .any(|k| schema.get(*k).is_some())
        || schema.get("format").is_some_and(|f| f != "password");
    is_text && !constrained
}

/// A free text refuses control characters, as the service does; a
/// password, which no rule reads as lines, keeps line breaks and tabs.
fn text_pattern(schema: &mut Value, multi_line: bool) {
    if is_free_text(schema) {
        let multi_line = multi_line || schema.get("format") == Some(&json!("password"));
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
                    "parameters": [
                        { "in": "header", "name": "H", "schema": { "type": ["string", "null"] } },
                        { "in": "query", "name": "cursor", "schema": { "type": ["string", "null"] } }
                    ],
                    "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Out" } } } } }
                } }
            },
            "components": { "schemas": {
                "In": {
                    "type": "object",
                    "required": ["name", "law", "password"],
                    "properties": {
                        "name": { "type": ["string", "null"] },
                        "password": { "type": "string", "format": "password" },
                        "phone": { "type": ["string", "null"] },
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
        assert_eq!(
            input["name"]["pattern"], ONE_LINE_NOT_BLANK,
            "required text is not blank"
        );
        assert_eq!(input["name"]["minLength"], 1);
        assert_eq!(
            input["name"]["maxLength"],
            limits::NAME,
            "the domain's limit"
        );
        assert_eq!(
            input["password"]["pattern"], MULTI_LINE,
            "a password may hold anything printable"
        );
        assert_eq!(input["phone"]["pattern"], "^\\+?( *[0-9]){5,15} *$");
        let cursor = &doc["paths"]["/x"]["post"]["parameters"][1]["schema"];
        assert_eq!(cursor["pattern"], crate::api::CURSOR_PATTERN);
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
