//! Shared pieces of the end-to-end tests: the real database, the real PHP, the real sites.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built library; `cargo test` builds the cdylib beside the tests.
pub fn library() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target"));
    let lib = target.join("debug/libaccount_sync.so");
    assert!(
        lib.exists(),
        "{} is missing; run cargo build first",
        lib.display()
    );
    lib
}

/// A name no other test run uses at the same time.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Runs the mysql client against the local server and returns its output.
pub fn mysql(database: Option<&str>, sql: &str) -> String {
    let mut cmd = Command::new("mysql");
    cmd.args([
        "-h",
        "127.0.0.1",
        "-u",
        "root",
        "--batch",
        "--skip-column-names",
        "--default-character-set=utf8mb4",
    ]);
    if let Some(db) = database {
        cmd.arg(db);
    }
    let out = cmd.arg("-e").arg(sql).output().expect("mysql client runs");
    assert!(
        out.status.success(),
        "mysql failed on {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A database built from the real Osclass 5.2.0 schema, dropped when the value goes.
pub struct Database {
    pub name: String,
}

impl Database {
    pub fn from_fixture(prefix: &str) -> Database {
        let name = unique(prefix);
        mysql(
            None,
            &format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb3"),
        );
        let fixture = repo().join("tests/fixtures/osclass-5.2.0-schema.sql");
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "mysql -h 127.0.0.1 -u root {name} < '{}'",
                fixture.display()
            ))
            .status()
            .expect("mysql client runs");
        assert!(status.success(), "loading the fixture failed");
        Database { name }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("mysql")
            .args([
                "-h",
                "127.0.0.1",
                "-u",
                "root",
                "-e",
                &format!("DROP DATABASE IF EXISTS `{}`", self.name),
            ])
            .status();
    }
}

/// A process group killed when the value goes: `php -S` with workers forks children that
/// share the listening socket, so the whole group must go.
pub struct Server {
    pub child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group this test started; no memory is touched.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Waits until something accepts connections on the port.
pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.stderr(Stdio::piped()).output().expect("command runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
pub mod sites;

/// A MariaDB server of the test's own, on its own port and data folder, so that a test can
/// kill and restart it without touching the server the other tests use.
pub struct PrivateDatabaseServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl PrivateDatabaseServer {
    pub fn start() -> PrivateDatabaseServer {
        let dir = std::env::temp_dir().join(unique("as_mariadb"));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        run(Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", dir.join("data").display()))
            .args([
                "--user=root",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ]));
        let mut server = PrivateDatabaseServer {
            port: free_port(),
            dir,
            child: None,
        };
        server.boot();
        server
    }

    fn boot(&mut self) {
        let child = Command::new("/usr/sbin/mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--socket={}", self.dir.join("sock").display()))
            .arg(format!("--port={}", self.port))
            // Its own temporary folder: at start a server removes the `#sql` files it finds
            // there, which in the shared /tmp are the other server's tables in use.
            .arg(format!("--tmpdir={}", self.dir.join("tmp").display()))
            .args([
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-grant-tables",
                "--innodb-buffer-pool-size=64M",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Command::new("mysqladmin")
            .args([
                "-h",
                "127.0.0.1",
                "-P",
                &self.port.to_string(),
                "-u",
                "root",
                "ping",
            ])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            assert!(
                Instant::now() < deadline,
                "the private MariaDB did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the server as a crash would, then starts it again on the same data.
    pub fn crash_and_restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.boot();
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateDatabaseServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
