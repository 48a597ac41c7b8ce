#!/usr/bin/env python3
"""The account_sync admin pages in a real browser, end to end.

Two simulated sites are made with tests/harness/site.php: A with users, B empty.
Both are served by `php -d ffi.enable=1 -S 127.0.0.1:PORT`. Headless Chromium logs
into B's back office, lists A as an account, tests the connection, runs
"Feed now" to 100 %, reads the logs, and tries every refused form input, checking
each time that the page says why and that nothing changed. Screenshots of every
page go to tests/artifacts/. Everything runs on 127.0.0.1 and is removed at the end
(--keep leaves the sites and servers for a look).

    python3 tests/browser/admin_test.py [--keep] [--users=N]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CdpError  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(REPO, "tests", "artifacts")
SITE_PHP = os.path.join(REPO, "tests", "harness", "site.php")
RUN_ID = "%d_%d" % (os.getpid(), int(time.time()))

# B asks for this many users per batch, and each "Feed now" call runs one batch
# (a budget of 1 ms), so that the page has to call again and again, and can be stopped.
FEED_LIMIT = 5
FEED_BUDGET_MS = 1


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def harness(*arguments):
    """Runs a site.php command and returns the JSON it printed."""
    done = subprocess.run(["php", SITE_PHP] + list(arguments), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("site.php %s failed: %s %s" % (arguments[0], done.stdout, done.stderr))
    return json.loads(done.stdout)


class Site:
    def __init__(self, name, users):
        self.name = name
        self.port = free_port()
        self.dir = "/tmp/as_browser_%s_%s" % (RUN_ID, name)
        self.db = "as_test_browser_%s_%s" % (RUN_ID, name)
        self.summary = harness("create", "--name=" + name, "--fork=ms52", "--port=%d" % self.port,
                               "--dir=" + self.dir, "--db=" + self.db, "--bcrypt-cost=4")
        self.url = self.summary["url"]
        self.seeded = harness("seed", "--dir=" + self.dir, "--users=%d" % users) if users else None
        self.server = None

    def sql(self, statement):
        return harness("sql", "--dir=" + self.dir, statement)

    def count(self, where="1"):
        return int(self.sql("SELECT COUNT(*) AS n FROM oc_t_user WHERE " + where)[0]["n"])

    def preferences(self):
        rows = self.sql("SELECT s_name, s_value FROM oc_t_preference"
                        " WHERE s_section = 'plugin-account_sync' ORDER BY s_name")
        return {row["s_name"]: row["s_value"] for row in rows}

    def library(self, call):
        """The JSON answer of one Library call, run in this site's folder with the CLI."""
        code = ('require "oc-load.php"; echo json_encode(\\AccountSync\\Library::instance()->%s);' % call)
        done = subprocess.run(["php", "-d", "ffi.enable=1", "-r", code], cwd=self.dir,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("Library %s failed: %s %s" % (call, done.stdout, done.stderr))
        return json.loads(done.stdout)

    def serve(self, ffi=True, port=None):
        """Starts php -S for this site; returns (process, base URL)."""
        port = port or self.port
        settings = ["-d", "ffi.enable=1"] if ffi else ["-d", "ffi.enable=0"]
        log = open(os.path.join(ARTIFACTS, "server-%s-%d.log" % (self.name, port)), "w")
        process = subprocess.Popen(["php"] + settings + ["-S", "127.0.0.1:%d" % port, "-t", self.dir],
                                   cwd=self.dir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process, "http://127.0.0.1:%d" % port
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("php -S did not start on port %d" % port)

    def drop(self):
        harness("drop", "--dir=" + self.dir)


class Report:
    def __init__(self):
        self.results = []

    def check(self, label, condition, detail=""):
        self.results.append((label, bool(condition), detail))
        mark = "ok  " if condition else "FAIL"
        print("%s %s%s" % (mark, label, "" if condition else "\n     " + str(detail)), flush=True)
        return bool(condition)

    def failures(self):
        return [r for r in self.results if not r[1]]


class Admin:
    """B's back office as seen through the browser."""

    def __init__(self, browser, base):
        self.browser = browser
        self.base = base

    def url(self, route, **args):
        query = "".join("&%s=%s" % (k, v) for k, v in args.items())
        return "%s/oc-admin/index.php?page=plugins&action=renderplugin&route=account_sync_%s%s" % (
            self.base, route, query)

    def open(self, route, **args):
        self.browser.goto(self.url(route, **args))

    def log_in(self, password):
        self.browser.goto(self.base + "/oc-admin/index.php?page=login")
        self.browser.submit("#login-form", {"user": "admin", "password": password})

    def shot(self, name):
        self.browser.screenshot(os.path.join(ARTIFACTS, name + ".png"))

    def flash(self, kind):
        return self.browser.run(
            "Array.from(document.querySelectorAll('.flashmessage-%s')).map(e => e.innerText).join(' | ')" % kind)

    def submit(self, form, fields=None, button=None, validate=False):
        """Submits a form; the browser's own checks are off unless asked, so that the
        server's refusals are what is tested."""
        if not validate:
            self.browser.run("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        self.browser.submit(form, fields, button)


def admin_password():
    with open(os.path.join(REPO, "tests", "fixtures", "password-hashes.json")) as handle:
        return json.load(handle)["hashes"][0]["password"]


def test_configure(admin, site_b, report):
    admin.open("configure")
    admin.shot("01-configure")
    text = admin.browser.text("#content")
    key = site_b.preferences().get("api_key", "")
    report.check("configure: the key is shown masked", key[:4] + "…" + key[-4:] in text and key not in text,
                 text[:400])
    admin.browser.run("document.getElementById('as-key-reveal').click()")
    shown = admin.browser.text("#as-key-full")
    report.check("configure: Reveal shows the whole key", shown == key, shown)
    for expected in ["php " + site_b.dir + "/oc-content/plugins/account_sync/cron.php",
                     "cd " + site_b.dir + " && php index.php -p cron -t hourly", "Cron last ran",
                     "Changes are captured by: database triggers"]:
        report.check("configure: shows %r" % expected, expected in text, text[-600:])

    before = site_b.preferences()
    admin.submit("#as-settings form", {"custom_columns": "s_name_typo", "feed_limit": "250"})
    error = admin.flash("error")
    report.check("configure: an unknown column is refused with the library's message",
                 "s_name_typo" in error, error)
    report.check("configure: the refused form changed nothing", site_b.preferences() == before,
                 (before, site_b.preferences()))
    report.check("configure: the refused values are shown again",
                 admin.browser.run("document.getElementById('as-custom-columns').value") == "s_name_typo")
    admin.shot("02-configure-refused-column")

    admin.open("configure")
    admin.submit("#as-settings form", {"custom_columns": "", "feed_limit": "0"})
    error = admin.flash("error")
    report.check("configure: a feed limit of 0 is refused", "feed limit" in error.lower(), error)
    report.check("configure: ... and changed nothing", site_b.preferences() == before)

    admin.open("configure")
    admin.submit("#as-settings form", {"custom_columns": "", "feed_limit": "%d" % FEED_LIMIT,
                                       "allow_plain_http": ["1"]})
    after = site_b.preferences()
    report.check("configure: settings are saved", admin.flash("ok") != ""
                 and after.get("feed_limit") == str(FEED_LIMIT)
                 and after.get("allow_plain_http") == "1", (admin.flash("error"), after))

    admin.open("configure")
    admin.submit("#as-api-key form")
    new_key = site_b.preferences().get("api_key", "")
    ok = admin.flash("ok")
    report.check("configure: Regenerate makes a new key of 20 characters or more",
                 new_key != key and len(new_key) >= 20, new_key)
    report.check("configure: ... and warns that other sites must be updated", "must be given the new key" in ok, ok)
    admin.shot("03-configure-saved")


def link_a_to_b(browser, site_a, site_b, password, report):
    """A must list B, with B's key, to answer B: B signs its calls with its own key."""
    admin_a = Admin(browser, site_a.url)
    admin_a.log_in(password)
    admin_a.open("configure")
    admin_a.submit("#as-settings form", {"allow_plain_http": ["1"]})
    admin_a.open("account_edit")
    admin_a.submit("#as-account-form", {"name": "Site B", "url": site_b.url,
                                        "api_key": site_b.preferences()["api_key"], "last_user_id": "0"})
    report.check("site A: B is listed with B's key", "saved" in admin_a.flash("ok"), admin_a.flash("error"))
    admin_a.shot("00-site-a-accounts")


def account_snapshot(site):
    return site.library("accounts()")


def test_refused_accounts(admin, site_a, site_b, report):
    good = {"name": "Site A", "url": site_a.url, "api_key": site_a.summary["api_key"], "last_user_id": "0"}
    cases = [
        ("an empty URL", dict(good, url=""), "The URL is required."),
        ("a URL that is not http or https", dict(good, url="ftp://127.0.0.1:21"), "http:// or https://"),
        ("a key shorter than 20 characters", dict(good, api_key="short-key-1234"), "at least 20 characters"),
    ]
    before = account_snapshot(site_b)
    for label, fields, expected in cases:
        admin.open("account_edit")
        admin.submit("#as-account-form", fields)
        error = admin.flash("error")
        report.check("accounts: %s is refused" % label, expected in error, error)
        report.check("accounts: ... and nothing changed", account_snapshot(site_b) == before)
    admin.shot("04-account-refused")

    admin.open("account_edit")
    admin.browser.run("""(function () {
        var box = document.createElement('input');
        box.type = 'checkbox'; box.name = 'columns[]'; box.value = 's_secret'; box.checked = true;
        document.getElementById('as-columns').appendChild(box);
    })()""")
    admin.submit("#as-account-form", good)
    error = admin.flash("error")
    report.check("accounts: a column that is not offered is refused", "s_secret" in error, error)
    report.check("accounts: ... and nothing changed", account_snapshot(site_b) == before)

    admin.open("account_edit")
    admin.browser.run("document.querySelectorAll('#as-account-form input[name^=CSRF]').forEach(e => e.remove())")
    admin.submit("#as-account-form", good)
    error = admin.flash("error")
    report.check("accounts: a form without its CSRF token is refused", "CSRF" in error, error)
    report.check("accounts: ... and nothing changed", account_snapshot(site_b) == before)


def test_account_flow(admin, site_a, site_b, report):
    admin.open("accounts")
    admin.shot("05-accounts-empty")
    report.check("accounts: the empty list says so", "No account yet" in admin.browser.text("#content"))

    admin.open("account_edit")
    admin.shot("06-account-add")
    admin.submit("#as-account-form", {"name": "Site A", "url": site_a.url,
                                      "api_key": site_a.summary["api_key"], "last_user_id": "0"})
    report.check("accounts: the account is saved", "saved" in admin.flash("ok"), admin.flash("error"))
    accounts = account_snapshot(site_b)["accounts"]
    if not report.check("accounts: the library holds one account", len(accounts) == 1, accounts):
        raise RuntimeError("no account to go on with")
    account = accounts[0]
    table = admin.browser.text("#as-accounts")
    report.check("accounts: the list shows the name and URL", "Site A" in table and site_a.url in table, table)

    admin.submit("tr[data-account-id='%d'] form:has(.as-test)" % account["id"])
    ok, error = admin.flash("ok"), admin.flash("error")
    report.check("accounts: Test connection answers OK", ok.startswith("Connection OK"), (ok, error))
    admin.shot("07-accounts-tested")

    return account["id"]


FEED_ENDED = ("document.getElementById('as-feed-close').offsetParent !== null")


def test_feed(admin, site_a, site_b, account_id, report):
    expected = site_a.count("b_active = 1 AND b_enabled = 1")
    start = "document.querySelector(\".as-feed-start[data-account-id='%d']\").click()" % account_id

    admin.open("accounts")
    admin.browser.run(start + "; document.getElementById('as-feed-stop').click()")
    admin.browser.wait_for(FEED_ENDED, timeout=120)
    state = admin.browser.text("#as-feed-state")
    percent = admin.browser.text("#as-feed-percent")
    time.sleep(0.6)  # the bar's width is animated
    admin.shot("08a-feed-stopped")
    report.check("feed: Stop ends the feed after the current batch", "Stopped" in state, state)
    report.check("feed: ... part of the way (%s, %d of %d users)" % (percent, site_b.count(), expected),
                 percent != "100.00%" and 0 < site_b.count() < expected)

    admin.browser.run(start)
    admin.browser.wait_for(FEED_ENDED, timeout=600)
    message = admin.browser.text("#as-feed-message")
    state = admin.browser.text("#as-feed-state")
    time.sleep(0.6)  # the bar's width is animated
    admin.shot("08-feed-done")
    report.check("feed: Stop is gone and Close is offered once done", admin.browser.run(
        "document.getElementById('as-feed-stop').offsetParent === null"
        " && document.getElementById('as-feed-close').offsetParent !== null"))
    report.check("feed: the panel ends done", "Feed finished" in state, (state, message))
    report.check("feed: the message says Progress: 100.00%", "Progress: 100.00%" in message, message)
    report.check("feed: the bar reads 100.00%", admin.browser.text("#as-feed-percent") == "100.00%")
    report.check("feed: B has as many users as A has active and enabled (%d)" % expected,
                 site_b.count() == expected, site_b.count())

    admin.browser.events = [e for e in admin.browser.events if e["method"] != "Page.loadEventFired"]
    admin.browser.run("document.getElementById('as-feed-close').click()")
    admin.browser.wait_event("Page.loadEventFired")
    row = admin.browser.text("tr[data-account-id='%d']" % account_id)
    report.check("feed: after Close the list shows the account synced (OK, %d from A)" % expected,
                 "OK" in row and "\t%d\t" % expected in row, row)
    admin.shot("08b-accounts-after-feed")

    calls = 0
    log_file = os.path.join(ARTIFACTS, "server-b-%d.log" % site_b.port)
    with open(log_file) as handle:
        calls = sum(1 for line in handle if "POST /oc-admin/index.php?page=ajax&action=runhook&hook=account_sync_feed" in line)
    batches = -(-expected // FEED_LIMIT)
    report.check("feed: the page called the endpoint once a batch (%d calls for %d batches)" % (calls, batches),
                 calls == batches, calls)

    admin.open("account", id=account_id)
    admin.shot("09-account-details")
    last_id = str(site_a.sql("SELECT MAX(pk_i_id) AS m FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1")[0]["m"])
    shown = admin.browser.text("#as-account-last-user-id")
    report.check("details: the last user ID is A's last feedable user (%s)" % last_id, shown == last_id, shown)
    status = admin.browser.text("#as-account-status")
    report.check("details: the status is shown", status not in ("", "Never synced"), status)
    report.check("details: the account's logs are listed", admin.browser.run(
        "document.querySelectorAll('#as-log-table tbody tr').length") > 0)


def test_logs(admin, site_b, account_id, report):
    admin.open("logs")
    admin.shot("10-logs")
    total = site_b.library("logs([])")["total"]
    rows = admin.browser.run("document.querySelectorAll('#as-log-table tbody tr').length")
    report.check("logs: the page lists the entries (%d)" % total, rows == min(total, 25) and total > 0, rows)

    admin.submit("#as-log-filter", {"type": "FEED", "account_id": str(account_id)})
    types = admin.browser.run(
        "Array.from(document.querySelectorAll('#as-log-table .as-type')).map(e => e.innerText)")
    feed_total = site_b.library("logs(['type' => 'FEED', 'account_id' => %d])" % account_id)["total"]
    report.check("logs: the type filter keeps FEED entries only (%d)" % feed_total,
                 types and set(types) == {"FEED"} and len(types) == min(feed_total, 25), types)
    admin.shot("11-logs-filtered")

    admin.submit("#as-log-filter", {"type": "", "account_id": "", "from": "2000-01-01", "to": "2000-12-31"})
    report.check("logs: a date range with no entries shows none",
                 "No log entry matches" in admin.browser.text("#content"))

    admin.open("logs")
    href = admin.browser.run("document.querySelector('#as-log-table .as-log-link').href")
    admin.browser.goto(href)
    admin.shot("12-log-entry")
    content = admin.browser.text("#as-log-content")
    try:
        json.loads(content)
        parsed = True
    except ValueError:
        parsed = False
    report.check("log: the content is pretty-printed JSON", parsed and "\n    " in content, content[:300])

    before = site_b.library("logs([])")["total"]
    admin.open("logs")
    admin.submit("#as-retention form", {"keep": "days", "keep_days": "0"})
    error = admin.flash("error")
    report.check("retention: keeping 0 days is refused", "1 or more" in error, error)
    report.check("retention: ... and nothing was deleted", site_b.library("logs([])")["total"] == before)

    admin.open("logs")
    admin.submit("#as-retention form", {"keep": "last", "keep_last": "2"})
    ok = admin.flash("ok")
    after = site_b.library("logs([])")["total"]
    report.check("retention: keeping the last 2 entries deletes the rest", after <= 3 and "deleted" in ok,
                 (ok, after))
    admin.shot("13-logs-pruned")


def test_edit_refused(admin, site_b, account_id, report):
    before = account_snapshot(site_b)
    admin.open("account_edit", id=account_id)
    admin.submit("#as-account-form", {"url": "javascript:alert(1)"})
    error = admin.flash("error")
    report.check("edit: a bad URL is refused", "http:// or https://" in error, error)
    report.check("edit: ... and the account is unchanged", account_snapshot(site_b) == before)
    admin.shot("14-account-edit-refused")


def http_status(url, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_guards(admin, site_b, account_id, report):
    key = site_b.preferences()["api_key"]
    for page in ["configure.php", "accounts.php", "logs.php", "parts/header.php"]:
        status, body = http_status("%s/oc-content/plugins/account_sync/admin/%s" % (site_b.url, page))
        report.check("guard: admin/%s requested directly is refused (%d)" % (page, status),
                     status == 403 and key not in body, body[:200])

    feed = site_b.url + "/oc-admin/index.php?page=ajax&action=runhook&hook=account_sync_feed"
    status, body = http_status(feed, data=("account_id=%d" % account_id).encode())
    report.check("guard: the feed endpoint refuses a visitor who is not logged in (%d)" % status,
                 status in (401, 403) and "progress" not in body, body[:200])

    answer = admin.browser.run("""fetch(%s, {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'account_id=%d'})
        .then(r => r.text())""" % (json.dumps(feed), account_id))
    report.check("guard: the feed endpoint refuses a call without the CSRF token",
                 '"progress"' not in answer, answer[:200])


def test_without_ffi(site_b, browser, password, report):
    process, base = site_b.serve(ffi=False, port=free_port())
    try:
        admin = Admin(browser, base)
        admin.log_in(password)
        for route in ["accounts", "configure", "logs"]:
            admin.open(route)
            text = admin.browser.text("#content")
            report.check("no FFI: %s explains that the library cannot be used" % route,
                         "cannot be used" in text and "ffi.enable" in text, text[:300])
        admin.shot("15-no-ffi")
    finally:
        process.terminate()
        process.wait(10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="leave sites and servers running")
    parser.add_argument("--users", type=int, default=40)
    options = parser.parse_args()

    os.makedirs(ARTIFACTS, exist_ok=True)
    for old in os.listdir(ARTIFACTS):
        if old.startswith("server-") and old.endswith(".log"):
            os.remove(os.path.join(ARTIFACTS, old))
    report = Report()
    sites, processes, browser = [], [], None
    try:
        site_a = Site("a", options.users)
        sites.append(site_a)
        site_b = Site("b", 0)
        sites.append(site_b)
        with open(os.path.join(site_b.dir, "config.php"), "a") as config:
            config.write("define('ACCOUNT_SYNC_FEED_BUDGET_MS', %d);\n" % FEED_BUDGET_MS)
        for site in sites:
            process, _ = site.serve()
            processes.append(process)

        browser = Browser()
        password = admin_password()
        admin = Admin(browser, site_b.url)
        admin.log_in(password)
        report.check("login: B's back office opens", "Dashboard" in browser.text("body"))

        test_configure(admin, site_b, report)
        link_a_to_b(browser, site_a, site_b, password, report)
        test_refused_accounts(admin, site_a, site_b, report)
        account_id = test_account_flow(admin, site_a, site_b, report)
        test_feed(admin, site_a, site_b, account_id, report)
        test_logs(admin, site_b, account_id, report)
        test_edit_refused(admin, site_b, account_id, report)
        test_guards(admin, site_b, account_id, report)
        test_without_ffi(site_b, browser, password, report)

        admin.open("accounts")
        admin.submit("tr[data-account-id='%d'] form:has(.as-delete)" % account_id)
        report.check("accounts: Delete removes the account",
                     account_snapshot(site_b)["accounts"] == [] and "deleted" in admin.flash("ok"))
    except (CdpError, RuntimeError, OSError) as error:
        report.check("the test ran to its end", False, repr(error))
    finally:
        if browser is not None:
            browser.close()
        if options.keep:
            print("kept: " + ", ".join("%s %s (pid %d)" % (s.name, s.url, p.pid) for s, p in zip(sites, processes)))
        else:
            for process in processes:
                process.terminate()
                process.wait(10)
            for site in sites:
                site.drop()

    failures = report.failures()
    print("\n%d checks, %d failed; screenshots in %s" % (len(report.results), len(failures), ARTIFACTS))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
