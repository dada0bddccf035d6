//! Nobody can lock another out of their account: sign-ins are throttled by
//! account and client address together, the address is the peer unless a
//! trusted proxy says otherwise, and guessing stays bounded.

use meldeplikt::auth::client::TrustedProxies;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, problem, spawn_app, spawn_app_with};

const WRONG: &str = "not the password at all";

/// A sign-in, as relayed by a proxy for `from` when given.
async fn sign_in(
    app: &TestApp,
    from: Option<&str>,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": user, "password": password}));
    if let Some(from) = from {
        request = request.header("X-Forwarded-For", from);
    }
    request.send().await.expect("request")
}

async fn behind_local_proxy() -> TestApp {
    spawn_app_with(|s| s.trusted_proxies = TrustedProxies::parse("127.0.0.1").unwrap()).await
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_do_not_lock_out_the_right_one() {
    let app = behind_local_proxy().await;
    let victim = "victim@example.no";
    app.register(victim).await;
    let attacker = Some("198.51.100.66");
    for i in 0..5 {
        let response = sign_in(&app, attacker, victim, WRONG).await;
        assert_eq!(response.status(), 401, "failure {i}");
    }
    for _ in 0..5 {
        problem(sign_in(&app, attacker, victim, WRONG).await, 429).await;
    }
    // The attacker's address is held back, even with the right password.
    let refused = sign_in(&app, attacker, victim, PASSWORD).await;
    assert!(refused.headers().contains_key("retry-after"));
    problem(refused, 429).await;
    // The victim, elsewhere, is not.
    let response = sign_in(&app, Some("203.0.113.7"), victim, PASSWORD).await;
    assert_eq!(response.status(), 200);
    // A client's own prepended entry does not make it someone else: the
    // proxy's entry on the right is the one believed.
    let spoofed = sign_in(&app, Some("203.0.113.7, 198.51.100.66"), victim, PASSWORD).await;
    problem(spoofed, 429).await;
}

/// One user who keeps failing counts once against the address: the others
/// behind it (an office, a proxy) still sign in. Many accounts failing from
/// one address is password spraying, and that address is held back.
#[tokio::test]
async fn many_failures_behind_one_address_do_not_lock_out_another_user_there() {
    // Two free failures an account, eight failing accounts an address.
    let app = spawn_app_with(|s| s.login_free_failures = 2).await;
    let colleague = "colleague@example.no";
    app.register(colleague).await;
    for n in 0..4 {
        let user = format!("forgetful{n}@example.no");
        app.register(&user).await;
        for _ in 0..2 {
            problem(sign_in(&app, None, &user, WRONG).await, 401).await;
        }
        problem(sign_in(&app, None, &user, WRONG).await, 429).await;
    }
    // Eight failures from this address, four accounts: not spraying.
    app.login(colleague, PASSWORD).await;

    // Four more accounts failing from here make eight: spraying.
    for n in 0..4 {
        let user = format!("sprayed{n}@example.no");
        problem(sign_in(&app, None, &user, WRONG).await, 401).await;
    }
    let refused = sign_in(&app, None, colleague, PASSWORD).await;
    assert!(refused.headers().contains_key("retry-after"));
    problem(refused, 429).await;
}

#[tokio::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    // No proxy trusted, or another one: X-Forwarded-For is ignored, and
    // every failure counts against the peer however it names itself.
    for app in [
        spawn_app().await,
        spawn_app_with(|s| s.trusted_proxies = TrustedProxies::parse("10.0.0.0/8").unwrap()).await,
    ] {
        let user = "spoofer@example.no";
        app.register(user).await;
        for i in 0..5 {
            let from = format!("198.51.100.{i}");
            problem(sign_in(&app, Some(&from), user, WRONG).await, 401).await;
        }
        problem(
            sign_in(&app, Some("198.51.100.99"), user, PASSWORD).await,
            429,
        )
        .await;
        problem(sign_in(&app, None, user, PASSWORD).await, 429).await;
    }

    // Behind a trusted proxy, the same failures are each another client's.
    let app = behind_local_proxy().await;
    let user = "roaming@example.no";
    app.register(user).await;
    for i in 0..5 {
        let from = format!("198.51.100.{i}");
        problem(sign_in(&app, Some(&from), user, WRONG).await, 401).await;
    }
    assert_eq!(
        sign_in(&app, Some("198.51.100.99"), user, PASSWORD)
            .await
            .status(),
        200
    );
    // The proxy itself (no header) has not failed either.
    assert_eq!(sign_in(&app, None, user, PASSWORD).await.status(), 200);
}

/// Guessing one account from many addresses is slowed: beyond twenty times
/// the free failures in the hour, an address that fails is held back for
/// the account's growing back-off. The right password still works.
#[tokio::test]
async fn guessing_from_many_addresses_is_slowed_not_locked() {
    let app = spawn_app_with(|s| {
        s.login_free_failures = 1;
        s.trusted_proxies = TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await;
    let user = "popular@example.no";
    app.register(user).await;
    // One failure each from 23 addresses; the account's ceiling is 20.
    for i in 0..23 {
        let from = format!("198.51.100.{i}");
        problem(sign_in(&app, Some(&from), user, WRONG).await, 401).await;
    }
    let refused = sign_in(&app, Some("198.51.100.22"), user, WRONG).await;
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        wait > 5,
        "held back longer than one free failure's 5 s: {wait}"
    );
    problem(refused, 429).await;
    assert_eq!(
        sign_in(&app, Some("203.0.113.7"), user, PASSWORD)
            .await
            .status(),
        200
    );
}

/// With the password known, wrong second-factor codes from many addresses
/// count against the account: after the free ones its second factor is
/// locked (the right code too is held back), and the account is told by
/// mail, once.
#[tokio::test]
async fn wrong_second_factors_lock_the_account_wherever_they_come_from() {
    let app = behind_local_proxy().await;
    let email = "tilsyn-laas@datatilsynet.no";
    let (_, created) = crate::fixtures::regulator(&app, email).await;
    // The fixture signed in with this step's code: the next is a later one.
    let right = created
        .enrolment
        .code_at(app.clock.now() + chrono::Duration::seconds(30));
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    let with_code = |from: String, code: &str| {
        app.client
            .post(app.url("/v1/auth/token"))
            .header("X-Forwarded-For", from)
            .json(&json!({"grant_type": "password", "username": email,
                          "password": PASSWORD, "totp": code}))
            .send()
    };
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for i in 0..160 {
        let from = format!("203.0.{}.{}", 113 + i / 100, 1 + i % 100);
        let response = with_code(from, wrong).await.unwrap();
        *statuses.entry(response.status().as_u16()).or_default() += 1;
    }
    assert_eq!(
        statuses,
        [(401, 5), (429, 155)].into_iter().collect(),
        "five wrong codes are checked, then none"
    );
    let held = with_code("192.0.2.200".to_owned(), &right).await.unwrap();
    let wait: u64 = held.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "locked for a minute: {wait}");
    problem(held, 429).await;

    app.work().await;
    let told: Vec<_> = app
        .mails()
        .into_iter()
        .filter(|m| m.subject.contains("Tofaktorkoden er sperret"))
        .collect();
    assert_eq!(told.len(), 1, "the account is told once");
    assert_eq!(told[0].to, email);
    assert!(
        told[0].body.contains("feil engangskode 5 ganger"),
        "{}",
        told[0].body
    );

    // Once the lock is over (moved back by hand), the right code works.
    use diesel_async::RunQueryDsl;
    let mut conn = app.connection().await;
    diesel::sql_query(
        "UPDATE throttle SET blocked_until = now() - interval '1 second' WHERE key LIKE 'mfa:%'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let response = with_code("192.0.2.201".to_owned(), &right).await.unwrap();
    assert_eq!(response.status(), 200);
}
