//! Simulated Osclass sites for end-to-end tests, made by tests/harness/site.php and served
//! by `php -S` with FFI enabled, each with its own database.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value as Json;

use super::*;

pub struct Site {
    pub name: String,
    pub dir: PathBuf,
    pub url: String,
    pub port: u16,
    pub api_key: String,
    pub db: String,
    server: Option<Server>,
}

fn harness(args: &[&str]) -> Json {
    let out = run(Command::new("php")
        .arg(repo().join("tests/harness/site.php"))
        .args(args));
    serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("site.php printed no JSON ({e}): {out}"))
}

impl Site {
    /// Creates the database and folder of a site; `fork` is ms52 or op84.
    pub fn create(name: &str, fork: &str, locales: &str) -> Site {
        Site::create_on(name, fork, locales, "127.0.0.1")
    }

    /// A site whose database lives on the server at `db_host` (`host:port`).
    pub fn create_on(name: &str, fork: &str, locales: &str, db_host: &str) -> Site {
        Site::create_full(name, fork, locales, db_host, "Europe/Madrid")
    }

    /// A site whose dates are written in the time zone `zone`.
    pub fn create_in_zone(name: &str, fork: &str, zone: &str) -> Site {
        Site::create_full(name, fork, "en_US", "127.0.0.1", zone)
    }

    fn create_full(name: &str, fork: &str, locales: &str, db_host: &str, zone: &str) -> Site {
        let port = free_port();
        let dir = std::env::temp_dir().join(unique(&format!("as_site_{name}")));
        let db = unique(&format!("as_test_{name}"));
        let lib = library();
        let summary = harness(&[
            "create",
            &format!("--name={name}"),
            &format!("--fork={fork}"),
            &format!("--port={port}"),
            &format!("--dir={}", dir.display()),
            &format!("--db={db}"),
            &format!("--locales={locales}"),
            &format!("--lib={}", lib.display()),
            &format!("--db-host={db_host}"),
            &format!("--timezone={zone}"),
            &format!(
                "--header={}",
                repo().join("include/account_sync.h").display()
            ),
        ]);
        Site {
            name: name.to_string(),
            dir,
            url: summary["url"].as_str().unwrap().to_string(),
            port,
            api_key: summary["api_key"].as_str().unwrap().to_string(),
            db: summary["db"].as_str().unwrap().to_string(),
            server: None,
        }
    }

    pub fn serve(&mut self) {
        let child = Command::new("php")
            .args([
                "-d",
                "ffi.enable=1",
                "-d",
                "display_errors=stderr",
                "-S",
                &format!("127.0.0.1:{}", self.port),
                "-t",
            ])
            .arg(&self.dir)
            .env("PHP_CLI_SERVER_WORKERS", "2")
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("php -S starts");
        self.server = Some(Server { child });
        wait_for_port(self.port);
    }

    pub fn stop(&mut self) {
        self.server = None;
    }

    pub fn seed(&self, users: u32, seed: u32) -> Json {
        harness(&[
            "seed",
            &format!("--dir={}", self.dir.display()),
            &format!("--users={users}"),
            &format!("--seed={seed}"),
        ])
    }

    pub fn sql(&self, query: &str) -> Json {
        harness(&["sql", &format!("--dir={}", self.dir.display()), query])
    }

    /// Runs PHP with the site's Osclass stand-in loaded and the plugin's classes available;
    /// `code` ends by echoing JSON.
    pub fn php(&self, code: &str) -> Json {
        let script = format!("require '{}/oc-load.php'; {code}", self.dir.display());
        let out = run(Command::new("php").arg("-r").arg(script));
        serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("PHP printed no JSON ({e}): {out}"))
    }

    /// Adds an account for `other` on this site and returns its id.
    pub fn add_account(&self, other: &Site, columns: Option<Vec<String>>) -> i64 {
        let columns = match columns {
            Some(c) => c,
            None => self.php("echo json_encode(AccountSync\\Library::instance()->userColumns());")
                ["synced"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
        };
        let account = serde_json::json!({"name": format!("Site {}", other.name.to_uppercase()), "url": other.url,
                                         "api_key": other.api_key, "columns": columns});
        let saved = self.php(&format!(
            "echo json_encode(AccountSync\\Library::instance()->saveAccount(json_decode('{}', true)));",
            account.to_string().replace('\'', "\\'")
        ));
        saved["account"]["id"].as_i64().expect("account id")
    }

    pub fn set_preference(&self, name: &str, value: &str) {
        self.php(&format!(
            "osc_set_preference('{name}', '{value}', 'plugin-account_sync'); echo '{{}}';"
        ));
    }

    /// Runs the command-line feed; returns its stdout lines.
    pub fn feed(&self, account_id: i64) -> Vec<String> {
        let out = run(Command::new("php")
            .arg(self.dir.join("oc-content/plugins/account_sync/cli.php"))
            .args(["feed", &account_id.to_string()]));
        out.lines().map(str::to_string).collect()
    }

    pub fn account(&self, id: i64) -> Json {
        self.php(&format!(
            "echo json_encode(AccountSync\\Library::instance()->account({id}));"
        ))["account"]
            .clone()
    }

    pub fn logs(&self, filter: &str) -> Json {
        self.php(&format!("echo json_encode(AccountSync\\Library::instance()->logs(json_decode('{filter}', true)));"))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.server = None;
        if std::env::var("AS_KEEP_SITES").is_err() {
            let _ = Command::new("php")
                .arg(repo().join("tests/harness/site.php"))
                .args(["drop", &format!("--dir={}", self.dir.display())])
                .output();
        }
    }
}

impl Site {
    /// One cron run of the stream; returns what cron.php printed.
    pub fn cron(&self, force: bool) -> Json {
        let mut cmd = Command::new("php");
        cmd.arg(self.dir.join("oc-content/plugins/account_sync/cron.php"));
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().expect("php runs");
        let text = if out.status.success() {
            out.stdout
        } else {
            out.stderr
        };
        serde_json::from_slice(&text).unwrap_or_else(|e| {
            panic!(
                "cron.php printed no JSON ({e}): {}",
                String::from_utf8_lossy(&text)
            )
        })
    }

    /// A single value of a query's first row.
    pub fn value(&self, query: &str) -> Json {
        let rows = self.sql(query);
        rows.get(0)
            .and_then(|r| r.as_object())
            .and_then(|o| o.values().next().cloned())
            .unwrap_or(Json::Null)
    }
}

impl Site {
    /// Removes a user as Osclass does at the database level: its descriptions, then the row.
    pub fn remove_user(&self, id: &Json) {
        self.sql(&format!(
            "DELETE FROM oc_t_user_description WHERE fk_i_user_id = {id}"
        ));
        self.sql(&format!("DELETE FROM oc_t_user WHERE pk_i_id = {id}"));
    }

    /// Sets an account's Last User ID back to 0, as its form does: the next feed starts over.
    pub fn restart_feed(&self, account_id: i64) {
        self.php(&format!(
            "$l = AccountSync\\Library::instance(); $a = $l->account({account_id})['account'];
             $l->saveAccount(['id' => $a['id'], 'name' => $a['name'], 'url' => $a['url'], 'columns' => $a['columns'], 'last_user_id' => 0]);
             echo '{{}}';"
        ));
    }
}
