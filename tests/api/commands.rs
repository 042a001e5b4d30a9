//! `banso migrate` and `banso store info`, and how the binary reports a bad database URL.

use banso_events::Backend;

use crate::helpers::{TestDatabase, both_backends, run_banso};

both_backends!(
    migrate_prepares_the_store_and_names_the_database,
    store_info_prints_the_backend_and_head,
);

async fn migrate_prepares_the_store_and_names_the_database(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };

    let first = run_banso(&["migrate", "--database-url", &database.url]).await;
    let again = run_banso(&["migrate", "--database-url", &database.url]).await;

    for output in [&first, &again] {
        assert!(output.status.success(), "{}", output.stderr);
        assert_eq!(
            output.stdout,
            format!("migrated {} database {}\n", backend.name(), database.url)
        );
    }
    database.remove().await;
}

async fn store_info_prints_the_backend_and_head(backend: Backend) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };

    let output = run_banso(&["store", "info", "--database-url", &database.url]).await;

    assert!(output.status.success(), "{}", output.stderr);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("backend:  {}", backend.name()),
            format!("database: {}", database.url),
            "head:     0".to_owned(),
        ]
    );
    database.remove().await;
}

#[tokio::test]
async fn an_unsupported_url_fails_with_one_clear_line() {
    let output = run_banso(&["migrate", "--database-url", "mysql://x"]).await;

    assert_eq!(output.status.code(), Some(1), "{}", output.stderr);
    let errors: Vec<&str> = output
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", output.stderr);
    assert!(
        errors[0].contains("use sqlite://PATH or postgres://"),
        "{}",
        errors[0]
    );
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
    assert!(output.stdout.is_empty(), "{}", output.stdout);
}

#[tokio::test]
async fn error_messages_hide_the_database_password() {
    let output = run_banso(&["migrate", "--database-url", "mysql://banso:s3cret@db/x"]).await;

    assert!(!output.status.success());
    assert!(!output.stderr.contains("s3cret"), "{}", output.stderr);
    assert!(output.stderr.contains("banso:***@db"), "{}", output.stderr);
}

#[tokio::test]
async fn the_database_url_can_come_from_banso_database_url() {
    let database = TestDatabase::new(Backend::Sqlite).await.unwrap();

    let output = crate::helpers::banso()
        .args(["store", "info"])
        .env("BANSO_DATABASE_URL", &database.url)
        .output()
        .await
        .unwrap();

    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(&format!("database: {}", database.url)),
        "{stdout}"
    );
    database.remove().await;
}
