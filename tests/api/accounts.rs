//! Registration, users, API clients, and tenant isolation.

use serde_json::json;

use crate::helpers::{PASSWORD, new_orgnr, problem, registration, spawn_app};

#[tokio::test]
async fn registration_problems_name_their_field() {
    let app = spawn_app().await;
    let orgnr = new_orgnr();

    // A number whose check digit is wrong.
    let mut bad_number = registration(&orgnr, "a@example.no");
    bad_number["identifier"]["value"] = json!("123456789");
    let body = problem(app.post_json("/v1/organisations", &bad_number).await, 422).await;
    assert_eq!(body["errors"][0]["pointer"], "/identifier/value");
    assert_eq!(body["errors"][0]["code"], "orgnr_checksum");
    assert_eq!(
        body["errors"][0]["message"],
        "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke)."
    );

    // A weak password, and one that is the e-mail address.
    let mut weak = registration(&orgnr, "a@example.no");
    weak["admin"]["password"] = json!("hunter2");
    let body = problem(app.post_json("/v1/organisations", &weak).await, 422).await;
    assert_eq!(body["errors"][0]["pointer"], "/admin/password");
    assert_eq!(body["errors"][0]["code"], "password_too_short");
    let mut same = registration(&orgnr, "long.address@example.no");
    same["admin"]["password"] = json!("long.address@example.no");
    let body = problem(app.post_json("/v1/organisations", &same).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "password_is_email");

    // Bad JSON.
    let response = app
        .client
        .post(app.url("/v1/organisations"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let body = problem(response, 400).await;
    assert_eq!(body["errors"][0]["code"], "malformed_json");

    // An unknown field.
    let mut extra = registration(&orgnr, "a@example.no");
    extra["admin"]["is_regulator"] = json!(true);
    let body = problem(app.post_json("/v1/organisations", &extra).await, 422).await;
    assert_eq!(body["errors"][0]["pointer"], "/admin/is_regulator");
    assert_eq!(body["errors"][0]["code"], "unknown_field");

    // Nothing above was stored: the number is still free.
    let first = app
        .post_json("/v1/organisations", &registration(&orgnr, "a@example.no"))
        .await;
    assert_eq!(first.status(), 201);
    let created: serde_json::Value = first.json().await.unwrap();
    assert_eq!(created["organisation"]["identifier"]["value"], orgnr);
    assert_eq!(created["admin"]["role"], "admin");
    assert!(created["admin"].get("password").is_none());
    assert!(!created.to_string().contains("argon2"));

    // One account per organisation number.
    let body = problem(
        app.post_json("/v1/organisations", &registration(&orgnr, "b@example.no"))
            .await,
        409,
    )
    .await;
    assert_eq!(body["code"], "organisation_exists");
}

#[tokio::test]
async fn validation_messages_follow_accept_language() {
    let app = spawn_app().await;
    let mut bad = registration(&new_orgnr(), "a@example.no");
    bad["identifier"]["value"] = json!("123456789");
    for (language, expected) in [
        (
            "nn",
            "Organisasjonsnummeret er ikkje gyldig (kontrollsifferet stemmer ikkje).",
        ),
        (
            "en-GB,en;q=0.8",
            "The organisation number is not valid (the check digit does not match).",
        ),
        (
            "nb",
            "Organisasjonsnummeret er ikke gyldig (kontrollsifferet stemmer ikke).",
        ),
    ] {
        let response = app
            .client
            .post(app.url("/v1/organisations"))
            .header("Accept-Language", language)
            .json(&bad)
            .send()
            .await
            .unwrap();
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["message"], expected, "{language}");
    }
}

#[tokio::test]
async fn me_tells_who_the_token_belongs_to() {
    let app = spawn_app().await;
    let (token, registered) = app.admin().await;
    let me: serde_json::Value = app.get_with("/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["kind"], "user");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["id"], registered["admin"]["id"]);
    assert_eq!(me["organisation"]["id"], registered["organisation"]["id"]);
}

#[tokio::test]
async fn admins_manage_users_and_members_cannot() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let created = app
        .post_with(
            "/v1/organisation/users",
            &admin,
            &json!({"email": "Member@Example.no", "password": PASSWORD, "role": "member"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let member_view: serde_json::Value = created.json().await.unwrap();
    assert_eq!(member_view["email"], "member@example.no");
    assert_eq!(member_view["role"], "member");

    // A role that is not ours to give.
    let body = problem(
        app.post_with(
            "/v1/organisation/users",
            &admin,
            &json!({"email": "r@example.no", "password": PASSWORD, "role": "regulator"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/role");

    let member = app.login("member@example.no", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for response in [
        app.get_with("/v1/organisation/users", &member).await,
        app.get_with("/v1/organisation/api-clients", &member).await,
        app.post_with(
            "/v1/organisation/api-clients",
            &member,
            &json!({"name": "x"}),
        )
        .await,
        app.post_with(
            "/v1/organisation/users",
            &member,
            &json!({"email": "x@example.no", "password": PASSWORD, "role": "admin"}),
        )
        .await,
        app.delete_with(
            &format!(
                "/v1/organisation/users/{}",
                member_view["id"].as_str().unwrap()
            ),
            &member,
        )
        .await,
    ] {
        problem(response, 403).await;
    }

    // The admin sees both, and removes the member.
    let list: serde_json::Value = app
        .get_with("/v1/organisation/users", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains("argon2"));
    let path = format!(
        "/v1/organisation/users/{}",
        member_view["id"].as_str().unwrap()
    );
    assert_eq!(app.delete_with(&path, &admin).await.status(), 204);
    problem(app.delete_with(&path, &admin).await, 404).await;
}

#[tokio::test]
async fn an_admin_cannot_remove_themself() {
    let app = spawn_app().await;
    let (admin, registered) = app.admin().await;
    let path = format!(
        "/v1/organisation/users/{}",
        registered["admin"]["id"].as_str().unwrap()
    );
    let body = problem(app.delete_with(&path, &admin).await, 409).await;
    assert_eq!(body["code"], "cannot_delete_self");
}

#[tokio::test]
async fn user_lists_page_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    for i in 0..4 {
        let response = app
            .post_with(
                "/v1/organisation/users",
                &admin,
                &json!({"email": format!("u{i}@example.no"), "password": PASSWORD, "role": "member"}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/organisation/users?limit=2&cursor={c}"),
            None => "/v1/organisation/users?limit=2".to_owned(),
        };
        let page: serde_json::Value = app.get_with(&path, &admin).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["email"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(unique.len(), 5, "no repeats: {seen:?}");

    let body = problem(
        app.get_with("/v1/organisation/users?limit=1000", &admin)
            .await,
        400,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "limit");
    let body = problem(
        app.get_with("/v1/organisation/users?cursor=garbage", &admin)
            .await,
        400,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "cursor");
}

#[tokio::test]
async fn api_client_secrets_are_shown_once_and_work_until_revoked() {
    let app = spawn_app().await;
    let (admin, registered) = app.admin().await;
    let created = app
        .post_with(
            "/v1/organisation/api-clients",
            &admin,
            &json!({"name": "Sak og arkiv"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let client: serde_json::Value = created.json().await.unwrap();
    let secret = client["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 43, "at least 256 bits");

    let list: serde_json::Value = app
        .get_with("/v1/organisation/api-clients", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["client_id"], client["client_id"]);
    assert!(list["items"][0].get("client_secret").is_none());
    assert!(!list.to_string().contains(&secret));

    // The secret is stored only as a hash.
    let mut conn = app.connection().await;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Found = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT count(*) AS n FROM api_clients WHERE encode(secret_hash, 'escape') LIKE '%' || $1 || '%'",
        )
        .bind::<diesel::sql_types::Text, _>(&secret),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(found.n, 0);

    let grant = |secret: String| json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": secret});
    let token: serde_json::Value = app
        .post_json("/v1/auth/token", &grant(secret.clone()))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        token.get("refresh_token").is_none(),
        "clients sign in again instead"
    );
    let me: serde_json::Value = app
        .get_with("/v1/me", token["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["kind"], "client");
    assert_eq!(me["role"], "member");
    assert_eq!(me["name"], "Sak og arkiv");
    assert_eq!(me["organisation"]["id"], registered["organisation"]["id"]);

    let body = problem(
        app.post_json("/v1/auth/token", &grant("wrong".into()))
            .await,
        401,
    )
    .await;
    assert_eq!(body["code"], "invalid_grant");

    let path = format!(
        "/v1/organisation/api-clients/{}",
        client["id"].as_str().unwrap()
    );
    assert_eq!(app.delete_with(&path, &admin).await.status(), 204);
    problem(app.post_json("/v1/auth/token", &grant(secret)).await, 401).await;
    problem(app.delete_with(&path, &admin).await, 404).await;
}

#[tokio::test]
async fn organisations_never_see_each_others_users_or_clients() {
    let app = spawn_app().await;
    let (a, _) = app.admin().await;
    let (b, b_registered) = app.admin().await;
    let b_client: serde_json::Value = app
        .post_with("/v1/organisation/api-clients", &b, &json!({"name": "B's"}))
        .await
        .json()
        .await
        .unwrap();
    let b_admin = b_registered["admin"]["id"].as_str().unwrap();

    // A cannot delete B's user or client: it reads as if they did not exist.
    let body = problem(
        app.delete_with(&format!("/v1/organisation/users/{b_admin}"), &a)
            .await,
        404,
    )
    .await;
    assert_eq!(body["title"], "Ikke funnet");
    problem(
        app.delete_with(
            &format!(
                "/v1/organisation/api-clients/{}",
                b_client["id"].as_str().unwrap()
            ),
            &a,
        )
        .await,
        404,
    )
    .await;

    // A's lists hold only A's.
    let users: serde_json::Value = app
        .get_with("/v1/organisation/users", &a)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    assert!(!users.to_string().contains(b_admin));
    let clients: serde_json::Value = app
        .get_with("/v1/organisation/api-clients", &a)
        .await
        .json()
        .await
        .unwrap();
    assert!(clients["items"].as_array().unwrap().is_empty());

    // B's things are untouched.
    let b_users: serde_json::Value = app
        .get_with("/v1/organisation/users", &b)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(b_users["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn changes_to_accounts_are_audited() {
    let app = spawn_app().await;
    let (admin, registered) = app.admin().await;
    app.post_with(
        "/v1/organisation/api-clients",
        &admin,
        &json!({"name": "x"}),
    )
    .await;
    #[derive(diesel::QueryableByName, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        request_id: Option<String>,
    }
    let mut conn = app.connection().await;
    let rows: Vec<Row> = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT action, request_id FROM audit_log WHERE organisation_id = $1 ORDER BY id",
        )
        .bind::<diesel::sql_types::Uuid, _>(
            registered["organisation"]["id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap(),
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["organisation.registered", "api_client.created"]);
    assert!(rows.iter().all(|r| r.request_id.is_some()));
}
