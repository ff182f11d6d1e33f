//! The browser test: headless Chromium (Debian's package) driven by playwright-core from npm
//! registers an organisation through the pages, logs in and sees its account page.

use std::process::Command;

use crate::common::{TestApp, credit_code};
use crate::on_both_databases;

async fn an_organisation_registers_and_logs_in_in_a_real_browser(app: TestApp) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/register_org.mjs");
    let phone = app.phone();
    let code = credit_code(777);
    let url = app.url.clone();
    let backend = format!("{:?}", app.backend).to_lowercase();
    // The browser runs in another process; this runtime must keep serving while we wait.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .args([&url, &phone, &code, &backend])
            .current_dir(&root)
            .output()
    })
    .await
    .unwrap()
    .expect("node must be installed (scripts/test.sh installs what the browser test needs)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("account page shows the organisation"),
        "{stdout}"
    );
    assert_eq!(app.count("organizations").await, 1);
}

on_both_databases!(an_organisation_registers_and_logs_in_in_a_real_browser);
