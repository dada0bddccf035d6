//! Rebuilds when a migration changes: they are embedded in the binary.
//! Also tells the tests which platform they were built for, so that the
//! licence check asks cargo about that platform's crates only (a fresh
//! machine has downloaded no others), and embeds the document's examples
//! (`openapi/examples/<operation id>.<request|status>.json`).
use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=openapi/examples");
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=MELDEPLIKT_BUILD_TARGET={target}");

    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("openapi/examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("openapi/examples")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut table = String::from(
        "/// The examples of the document, by file stem.\npub const EXAMPLES: &[(&str, &str)] = &[\n",
    );
    for file in files {
        let stem = file
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        writeln!(table, "    ({stem:?}, include_str!({:?})),", file.display()).expect("a string");
    }
    table.push_str("];\n");
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("examples.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
