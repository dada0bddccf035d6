//! Rebuilds when a migration changes: they are embedded in the binary.
//! Also tells the tests which platform they were built for, so that the
//! licence check asks cargo about that platform's crates only (a fresh
//! machine has downloaded no others).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=MELDEPLIKT_BUILD_TARGET={target}");
}
