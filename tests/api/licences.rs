//! Every crate the service is built from has a permissive licence (no
//! copyleft without a permissive alternative).

const PERMISSIVE: &[&str] = &[
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "0BSD",
    "ISC",
    "Zlib",
    "Unlicense",
    "BSL-1.0",
    "Unicode-3.0",
    "CDLA-Permissive-2.0",
];

/// Whether an SPDX expression (as crates write them) allows permissive use.
fn permissive(expression: &str) -> bool {
    let normalised = expression.replace('/', " OR ").replace(['(', ')'], "");
    normalised.split(" OR ").any(|alternative| {
        alternative
            .split(" AND ")
            .all(|part| PERMISSIVE.contains(&part.trim()))
    })
}

#[test]
fn the_licence_check_knows_copyleft_from_permissive() {
    assert!(permissive("MIT OR Apache-2.0"));
    assert!(permissive("MIT/Apache-2.0"));
    assert!(permissive("(MIT OR Apache-2.0) AND Unicode-3.0"));
    assert!(permissive("MIT OR Apache-2.0 OR LGPL-2.1-or-later"));
    assert!(!permissive("GPL-3.0-only"));
    assert!(!permissive("MIT AND GPL-2.0"));
    assert!(!permissive("MPL-2.0"));
}

/// Every crate built into the service on this platform. Only this
/// platform's crates: a fresh machine has downloaded no others, and
/// `--offline` must not need the network or a cache an earlier command filled.
#[test]
fn every_dependency_has_a_permissive_licence() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", env!("MELDEPLIKT_BUILD_TARGET")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.len() > 100);
    let refused: Vec<String> = packages
        .iter()
        .filter(|p| !permissive(p["license"].as_str().unwrap_or("")))
        .map(|p| format!("{} {}: {}", p["name"], p["version"], p["license"]))
        .collect();
    assert!(
        refused.is_empty(),
        "not permissively licensed: {refused:#?}"
    );
}
