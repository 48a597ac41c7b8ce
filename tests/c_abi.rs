//! The committed header compiles in C, and a C program calling the library through it gets
//! the documented answers, including in a forked child.

mod support;

use std::process::Command;

use support::*;

#[test]
fn header_compiles_and_a_c_program_gets_documented_answers() {
    let db = Database::from_fixture("as_test_c");
    let lib = library();
    let lib_dir = lib.parent().unwrap();
    let binary = std::env::temp_dir().join(unique("abi_check"));

    run(Command::new("cc")
        .args([
            "-std=c11",
            "-D_DEFAULT_SOURCE",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
        ])
        .arg(repo().join("include"))
        .arg(repo().join("tests/c/abi_check.c"))
        .arg("-o")
        .arg(&binary)
        .arg("-L")
        .arg(lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-laccount_sync"));

    let config = serde_json::json!({
        "db": {"host": "127.0.0.1", "port": 3306, "user": "root", "password": "", "name": db.name},
        "table_prefix": "oc_",
        "api_key": "this-site-key-0123456789",
    });
    let output = Command::new(&binary)
        .arg(config.to_string())
        .arg("the-other-site-key-0123456789")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&binary);
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "abi_check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("0 checks failed"));
    assert!(stdout.contains("ok child uses its own connection"));
}
