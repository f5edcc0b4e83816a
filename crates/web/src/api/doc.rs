//! The OpenAPI document of `/api/v1`, exact about what the server accepts and answers: what
//! utoipa derives from the handlers, then what holds for every operation (each error status
//! with its `application/problem+json` body, the 400 of a malformed URL, the 401 of a missing
//! token, the 500 of a failure) and the codes the database accepts now (categories, agencies).

use super::{actions, auth, cases, dispositions, lapor, tickets, workflow};
use crate::error::{FieldProblem, Problem};
use crate::state::Catalog;
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Balai API", version = "1", description = "Pengaduan masyarakat: intake, tracking and handling. Every error is an RFC 9457 problem (`application/problem+json`); a path under `/api/v1` that does not exist answers 404, a method a path does not take answers 405 with `Allow`. U+0000 is removed from every string of a JSON body (PostgreSQL cannot store it)."),
    servers((url = "/api/v1")),
    paths(
        auth::issue_token, auth::revoke_token,
        tickets::create, tickets::list, tickets::detail, tickets::track,
        actions::forward, actions::note, actions::assign, actions::answer, actions::decline, actions::close, actions::reopen, actions::ask,
        lapor::export, lapor::record,
        dispositions::mine, dispositions::dispose, dispositions::read, dispositions::report,
        cases::list, cases::detail,
        workflow::templates, workflow::ticket_workflow, workflow::draft, workflow::approve,
        workflow::return_draft, workflow::send,
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// A string that passes the URL guard: no control character but tab, CR and LF.
pub const NO_CONTROL: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";

/// A date `YYYY-MM-DD` (region time zone) or an RFC 3339 instant, or blank (no bound).
const WHEN: &str = concat!(
    "^( *|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",
    "(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)$"
);

/// A page cursor as the previous page's `next_cursor` gave it, or blank.
const CURSOR: &str = "^( *|-?[0-9]{1,18}\\.-?[0-9]{1,18})$";

/// An Indonesian number (`0812…`, `62812…`, `+62812…`, 7–12 national digits) or another
/// country's with `+` (8–15 digits); spaces, dashes, dots and brackets between digits are
/// ignored; blank means none.
const PHONE: &str = concat!(
    "^( *|[ ().-]*(0|6[ ().-]*2)[ ().-]*[1-9]([ ().-]*[0-9]){6,11}[ ().-]*",
    "| *\\+[ ().-]*(6[ ().-]*2[ ().-]*[1-9]([ ().-]*[0-9]){6,11}",
    "|6[ ().-]*[013-9]([ ().-]*[0-9]){6,13}|[1-57-9]([ ().-]*[0-9]){7,14})[ ().-]*)$"
);

/// One `@`, a local part of 1–64 characters, a dotted domain, no spaces; blank means none.
const EMAIL: &str = "^( *|[!-?A-~]{1,64}@[!-\\-/-?A-~][!-?A-~]*\\.[!-?A-~]*[!-\\-/-?A-~])$";

/// Text with at least one character that is neither white space nor U+0000 (removed).
const NOT_BLANK: &str = "[^\\u0000\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// The document as served: the codes that the database accepts now are enums.
pub fn document(catalog: &Catalog) -> Value {
    let mut doc = base();
    let categories: Vec<Value> = catalog
        .categories
        .iter()
        .filter(|c| c.active)
        .map(|c| json!(c.code))
        .collect();
    let mut agencies: Vec<Value> = vec![json!("")];
    agencies.extend(catalog.intake_agencies().map(|a| json!(a.code)));
    let input = &mut doc["components"]["schemas"]["TicketInput"]["properties"];
    input["category"]["enum"] = json!(categories);
    input["agency_code"]["enum"] = json!(
        agencies
            .iter()
            .cloned()
            .chain([Value::Null])
            .collect::<Vec<_>>()
    );
    doc
}

/// The document without the database's codes (what the unit tests read).
pub fn base() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    constrain_schemas(&mut doc["components"]["schemas"]);
    constrain_parameters(&mut doc);
    complete_responses(&mut doc);
    doc
}

fn property<'a>(schemas: &'a mut Value, schema: &str, field: &str) -> &'a mut Value {
    &mut schemas[schema]["properties"][field]
}

/// A property the server requires although its Rust type is an `Option`.
fn require(schemas: &mut Value, schema: &str, field: &str) {
    let prop = property(schemas, schema, field);
    if let Some(types) = prop["type"].as_array() {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        prop["type"] = if kept.len() == 1 {
            kept[0].clone()
        } else {
            json!(kept)
        };
    }
    let required = schemas[schema]["required"].as_array_mut();
    match required {
        Some(list) => list.push(json!(field)),
        None => schemas[schema]["required"] = json!([field]),
    }
}

fn constrain_schemas(schemas: &mut Value) {
    require(schemas, "TicketInput", "category");
    require(schemas, "TicketInput", "text");
    let text = property(schemas, "TicketInput", "text");
    text["pattern"] = json!(NOT_BLANK);
    text["maxLength"] = json!(domain::intake::MAX_TEXT_CHARS);
    property(schemas, "TicketInput", "reporter_name")["maxLength"] =
        json!(domain::intake::MAX_NAME_CHARS);
    property(schemas, "TicketInput", "address")["maxLength"] =
        json!(domain::intake::MAX_ADDRESS_CHARS);
    property(schemas, "TicketInput", "reporter_phone")["pattern"] = json!(PHONE);
    let email = property(schemas, "TicketInput", "reporter_email");
    email["pattern"] = json!(EMAIL);
    email["maxLength"] = json!(254);
    for (field, bound) in [("lat", 90), ("long", 180)] {
        let prop = property(schemas, "TicketInput", field);
        prop["minimum"] = json!(-bound);
        prop["maximum"] = json!(bound);
    }
    // A location is both coordinates or neither.
    schemas["TicketInput"]["anyOf"] = json!([
        { "properties": { "lat": { "type": "number" }, "long": { "type": "number" } }, "required": ["lat", "long"] },
        { "properties": { "lat": { "type": "null" }, "long": { "type": "null" } } },
    ]);
    property(schemas, "DeclineInput", "reason")["enum"] = json!(
        domain::DeclineReason::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
    );
    for (schema, field) in [
        ("BodyInput", "body"),
        ("DraftInput", "body"),
        ("ApproveInput", "body"),
        ("ReturnInput", "comment"),
        ("AskInput", "question"),
        ("ReportInput", "report"),
    ] {
        property(schemas, schema, field)["pattern"] = json!(NOT_BLANK);
    }
    // `other` needs a detail; `duplicate` needs the original, looked up in the database.
    schemas["DeclineInput"]["if"] =
        json!({ "properties": { "reason": { "const": "other" } }, "required": ["reason"] });
    schemas["DeclineInput"]["then"] = json!({ "properties": { "detail": { "type": "string", "pattern": NOT_BLANK } }, "required": ["detail"] });
    let lapor = property(schemas, "LaporNumberInput", "lapor_number");
    lapor["pattern"] = json!("^ *[A-Za-z0-9/-]{1,40} *$");
    // Never null: absent when there is nothing to say.
    property(schemas, "Problem", "errors")["type"] = json!("array");
}

/// The schema of a parameter of an operation.
fn parameter<'a>(
    doc: &'a mut Value,
    path: &str,
    method: &str,
    name: &str,
) -> Option<&'a mut Value> {
    doc.get_mut("paths")?
        .get_mut(path)?
        .get_mut(method)?
        .get_mut("parameters")?
        .as_array_mut()?
        .iter_mut()
        .find(|p| p["name"] == name)
        .map(|p| &mut p["schema"])
}

fn constrain_parameters(doc: &mut Value) {
    let statuses: Vec<&str> = std::iter::once("")
        .chain(domain::TicketStatus::ALL.iter().map(|s| s.as_str()))
        .collect();
    let channels: Vec<&str> = std::iter::once("")
        .chain(domain::Channel::ALL.iter().map(|c| c.as_str()))
        .collect();
    let enums: [(&str, &str, &str, Value); 4] = [
        ("/tickets", "get", "status", json!(statuses)),
        ("/tickets", "get", "channel", json!(channels)),
        (
            "/tickets",
            "get",
            "sort",
            json!(["", "newest", "oldest", "due"]),
        ),
        (
            "/dispositions",
            "get",
            "status",
            json!([
                "",
                "all",
                "semua",
                "open",
                "belum",
                "unread",
                "baru",
                "reported",
                "dilaporkan"
            ]),
        ),
    ];
    for (path, method, name, values) in enums {
        if let Some(schema) = parameter(doc, path, method, name) {
            *schema = json!({ "type": "string", "enum": values });
        }
    }
    let patterns = [
        ("/tickets", "from", WHEN),
        ("/tickets", "to", WHEN),
        ("/tickets", "cursor", CURSOR),
        ("/lapor", "from", WHEN),
        ("/lapor", "to", WHEN),
        ("/lapor", "cursor", CURSOR),
        (
            "/dispositions",
            "cursor",
            "^(|-?[0-9]{1,18}\\.-?[0-9]{1,18})$",
        ),
        ("/cases", "month", "^ *([0-9]{4}-(0[1-9]|1[0-2]))? *$"),
        (
            "/cases",
            "page",
            "^ *(\\+?0*([1-9][0-9]?|[1-4][0-9]{2}|500))? *$",
        ),
    ];
    for (path, name, pattern) in patterns {
        if let Some(schema) = parameter(doc, path, "get", name) {
            *schema = json!({ "type": "string", "pattern": pattern });
        }
    }
    for (path, name, max) in [
        ("/tickets", "limit", 200),
        ("/lapor", "limit", 1000),
        ("/dispositions", "limit", 200),
    ] {
        if let Some(schema) = parameter(doc, path, "get", name) {
            *schema = json!({ "type": "integer", "format": "int64", "minimum": 1, "maximum": max });
        }
    }
    // Every other string in a URL: anything the URL guard lets through.
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        for method in METHODS {
            let Some(params) = doc["paths"][&path]
                .get_mut(method)
                .and_then(|op| op.get_mut("parameters"))
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for p in params {
                let in_url = p["in"] == "query" || p["in"] == "path";
                let schema = &mut p["schema"];
                if schema["type"] == json!(["string", "null"]) {
                    schema["type"] = json!("string");
                }
                if in_url
                    && schema["type"] == "string"
                    && schema.get("enum").is_none()
                    && schema.get("pattern").is_none()
                {
                    schema["pattern"] = json!(NO_CONTROL);
                }
                if schema["type"] == json!(["boolean", "null"]) {
                    schema["type"] = json!("boolean");
                }
                if schema["type"] == json!(["integer", "null"]) {
                    schema["type"] = json!("integer");
                }
            }
        }
    }
    // A body that may be left out (an empty note, approval as drafted).
    for path in [
        "/tickets/{id}/close",
        "/tickets/{id}/reopen",
        "/tickets/{id}/answer-drafts/approve",
    ] {
        if let Some(body) = doc["paths"][path]
            .get_mut("post")
            .and_then(|op| op.get_mut("requestBody"))
        {
            body["required"] = json!(false);
        }
    }
    if let Some(q) = parameter(doc, "/cases", "get", "q") {
        q["maxLength"] = json!(200);
    }
    if let Some(code) = parameter(doc, "/track/{code}", "get", "code") {
        code["pattern"] = json!("^[ -]*([2-9A-HJKMNP-TV-Za-hjkmnp-tv-z][ -]*){10}$");
    }
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    })
}

fn usual_meaning(status: &str) -> &'static str {
    match status {
        "400" => "a control character in the URL, a path parameter or body that does not parse",
        "401" => "no token, or a wrong or expired one",
        "403" => "not allowed for the caller's role or agency",
        "404" => "no such resource, or not in the caller's scope",
        "409" => "the resource's state does not allow this now",
        "422" => "the body does not match its schema, or the database refuses a value it names",
        "429" => "too many requests from this client; try again shortly",
        _ => "the server failed; try again",
    }
}

/// Every operation: each error status has a problem body; 400 (a URL the guard refuses, or a
/// path parameter or body that does not parse) and 500 are possible everywhere, 401 wherever a
/// token is required.
fn complete_responses(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            let secured = op.get("security").is_some();
            let has_body = op.get("requestBody").is_some();
            let responses = &mut op["responses"];
            if responses.get("400").is_none() {
                responses["400"] = json!({
                    "description": "a control character in the URL, a path parameter or body that does not parse"
                });
            }
            if has_body && responses.get("422").is_none() {
                responses["422"] = json!({ "description": "the body does not match its schema" });
            }
            if secured && responses.get("401").is_none() {
                responses["401"] = json!({ "description": "no token, or a wrong or expired one" });
            }
            responses["500"] = json!({ "description": "the server failed; try again" });
            let Some(map) = responses.as_object_mut() else {
                continue;
            };
            for (status, response) in map.iter_mut() {
                if status.as_str() < "400" {
                    continue;
                }
                let description = match response["description"].as_str() {
                    Some(d) if !d.is_empty() => d.to_string(),
                    _ => usual_meaning(status).to_string(),
                };
                let mut with_body = problem(&description);
                if status == "401" {
                    with_body["headers"] = json!({
                        "WWW-Authenticate": { "description": "`Bearer`", "required": true, "schema": { "type": "string" } }
                    });
                }
                *response = with_body;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_a_problem_body() {
        let doc = base();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                operations += 1;
                assert!(
                    op.get("parameters").is_none_or(Value::is_array),
                    "{method} {path}"
                );
                assert!(
                    op["operationId"].is_string(),
                    "{method} {path} is not an operation"
                );
                let responses = op["responses"].as_object().unwrap();
                let errors: Vec<&String> =
                    responses.keys().filter(|s| s.as_str() >= "400").collect();
                for must in ["400", "500"] {
                    assert!(responses.contains_key(must), "{method} {path} lacks {must}");
                }
                if op.get("security").is_some() {
                    assert!(responses.contains_key("401"), "{method} {path} lacks 401");
                    assert!(responses["401"]["headers"]["WWW-Authenticate"].is_object());
                }
                for status in errors {
                    let schema =
                        &responses[status]["content"]["application/problem+json"]["schema"];
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status} has no problem body"
                    );
                    assert!(
                        responses[status]["content"].as_object().unwrap().len() == 1,
                        "{method} {path} {status}: problem+json only"
                    );
                }
                for success in responses.keys().filter(|s| s.as_str() < "400") {
                    assert!(success.starts_with('2'), "{method} {path}: {success}");
                }
            }
        }
        assert!(operations >= 28, "{operations} operations");
        let problem = &doc["components"]["schemas"]["Problem"];
        for field in ["type", "title", "status", "detail"] {
            assert!(
                problem["required"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(field))
            );
        }
    }

    #[test]
    fn patterns_say_what_the_server_accepts() {
        let phone = regex_lite(PHONE);
        for ok in [
            "081234567890",
            "+6281234567890",
            "(0812) 3456-7890",
            "62 812 3456 7890",
            "+60 12 345 6789",
            "",
        ] {
            assert!(phone(ok), "{ok}");
            assert!(
                ok.trim().is_empty()
                    || domain::PhoneNumber::parse(ok).is_ok_and(|p| !p.is_short_code()),
                "{ok}"
            );
        }
        for bad in ["08", "1708", "+0812345678", "abc", "0812abc"] {
            assert!(!phone(bad), "{bad}");
        }
        let email = regex_lite(EMAIL);
        for ok in ["warga@contoh.id", "a.b+c@x.y.z", ""] {
            assert!(email(ok), "{ok}");
        }
        for bad in ["warga", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b@c.d"] {
            assert!(
                !email(bad) && !domain::intake::is_plausible_email(bad),
                "{bad}"
            );
        }
    }

    /// Whether `text` matches the document's pattern (ECMA and Rust syntax agree on these).
    fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool + use<> {
        let re = regex::Regex::new(pattern).unwrap();
        move |text| re.is_match(text)
    }
}
