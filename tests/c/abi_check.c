/* Calls the library through its committed header, as a C program would, and checks the
   answers. Usage: abi_check '<config json>' '<another site key>'. Prints one line per check
   and exits non-zero at the first wrong answer. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account_sync.h"

static int failures = 0;

static void expect(int ok, const char *what, const char *detail) {
    printf("%s %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "", detail ? detail : "");
    if (!ok) failures++;
}

/* Calls f, checks the code and that the output contains `needle`, frees the output. */
#define CHECK(call, want_code, needle, what)                                   \
    do {                                                                        \
        char *out = NULL;                                                       \
        int32_t rc = (call);                                                    \
        int good = rc == (want_code) && out != NULL &&                          \
                   (needle == NULL || strstr(out, needle) != NULL);             \
        expect(good, what, out);                                                \
        as_string_free(out);                                                    \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: abi_check CONFIG_JSON OTHER_KEY\n");
        return 2;
    }
    const char *config = argv[1];
    const char *other_key = argv[2];
    char account[512];
    snprintf(account, sizeof account,
             "{\"name\":\"Site A\",\"url\":\"http://127.0.0.1:9\",\"api_key\":\"%s\",\"columns\":[\"s_name\"]}",
             other_key);

    expect(strcmp(as_version(), "") != 0, "as_version is not empty", as_version());
    expect(as_init(config, NULL) == 1, "NULL out gives AS_ERR_NULL_ARGUMENT", NULL);
    CHECK(as_account_list(&out), 5, "as_init", "before as_init: AS_ERR_NOT_INITIALIZED");
    CHECK(as_init(NULL, &out), 1, "NULL", "NULL config: AS_ERR_NULL_ARGUMENT");
    CHECK(as_init("{\"db\":", &out), 3, "not valid", "truncated JSON: AS_ERR_INVALID_JSON");
    CHECK(as_init("{\"db\":{\"user\":\"root\",\"name\":\"x\"},\"table_prefix\":\"oc_;--\"}", &out), 4,
          "table_prefix", "bad prefix: AS_ERR_INVALID_INPUT");
    CHECK(as_init("\xff\xfe", &out), 2, "UTF-8", "invalid UTF-8: AS_ERR_INVALID_UTF8");

    /* NULL for every pointer argument of every function: AS_ERR_NULL_ARGUMENT, nothing else. */
    {
        int nulls = 0, total = 0;
        char *o = NULL;
#define NULL_OUT(call)                                                         \
    do {                                                                       \
        total++;                                                               \
        nulls += (call) == 1;                                                  \
    } while (0)
#define NULL_IN(call)                                                          \
    do {                                                                       \
        o = NULL;                                                              \
        total++;                                                               \
        nulls += (call) == 1 && o != NULL;                                     \
        as_string_free(o);                                                     \
    } while (0)
        NULL_OUT(as_init("{}", NULL));
        NULL_OUT(as_install(NULL));
        NULL_OUT(as_uninstall(NULL));
        NULL_OUT(as_verify_key("k", NULL));
        NULL_OUT(as_handle_request("POST", "/", "{}", NULL, 0, "ip", NULL));
        NULL_OUT(as_feed("{}", NULL));
        NULL_OUT(as_stream_pending("{}", NULL));
        NULL_OUT(as_capture("{}", NULL));
        NULL_OUT(as_account_list(NULL));
        NULL_OUT(as_account_get(1, NULL));
        NULL_OUT(as_account_save("{}", NULL));
        NULL_OUT(as_account_delete(1, NULL));
        NULL_OUT(as_account_test(1, NULL));
        NULL_OUT(as_log_list("{}", NULL));
        NULL_OUT(as_log_get(1, NULL));
        NULL_OUT(as_log_prune("{}", NULL));
        NULL_OUT(as_user_columns(NULL));
        NULL_OUT(as_diagnostics(NULL));
        NULL_IN(as_init(NULL, &o));
        NULL_IN(as_verify_key(NULL, &o));
        NULL_IN(as_handle_request(NULL, "/", "{}", NULL, 0, "ip", &o));
        NULL_IN(as_handle_request("POST", NULL, "{}", NULL, 0, "ip", &o));
        NULL_IN(as_handle_request("POST", "/", NULL, NULL, 0, "ip", &o));
        NULL_IN(as_handle_request("POST", "/", "{}", NULL, 0, NULL, &o));
        NULL_IN(as_feed(NULL, &o));
        NULL_IN(as_stream_pending(NULL, &o));
        NULL_IN(as_capture(NULL, &o));
        NULL_IN(as_account_save(NULL, &o));
        NULL_IN(as_log_list(NULL, &o));
        NULL_IN(as_log_prune(NULL, &o));
        as_string_free(NULL);
        char counted[64];
        snprintf(counted, sizeof counted, "%d of %d", nulls, total);
        expect(nulls == total, "NULL pointers refused everywhere", counted);
    }

    CHECK(as_init(config, &out), 0, "\"schema\"", "as_init");
    CHECK(as_account_list(&out), 9, "not installed", "before install: AS_ERR_NOT_INSTALLED");
    CHECK(as_install(&out), 0, "\"from\":0", "as_install creates the tables");
    CHECK(as_install(&out), 0, "\"to\"", "as_install again is a no-op upgrade");
    CHECK(as_account_save(account, &out), 0, "\"id\":1", "as_account_save");
    CHECK(as_account_save("{\"name\":\"x\",\"url\":\"ftp://a\",\"api_key\":\"12345678901234567890\",\"columns\":[]}", &out),
          4, "http", "ftp URL refused");
    CHECK(as_account_list(&out), 0, "Site A", "as_account_list");
    CHECK(as_verify_key(other_key, &out), 0, "\"account_id\":1", "as_verify_key finds the account");
    CHECK(as_verify_key("nobody-has-this-key-at-all", &out), 10, "invalid", "unknown key: AS_ERR_AUTH");
    CHECK(as_handle_request("POST", "/api.php", "{}", (const uint8_t *)"{}", 2, "127.0.0.1", &out), 0,
          "ERR: API Key is missing", "request without key");
    CHECK(as_handle_request("POST", "/api.php", "{}", NULL, 0, "127.0.0.1", &out), 0, "\"status\":401",
          "NULL body with length 0 is fine");
    CHECK(as_handle_request("POST", "/api.php", "{}", NULL, 3, "127.0.0.1", &out), 1, "NULL",
          "NULL body with a length is refused");
    CHECK(as_log_get(-1, &out), 8, "does not exist", "missing log entry");

    char name[32];
    size_t n = as_error_message(6, name, sizeof name);
    expect(n == strlen("AS_ERR_DATABASE") && strcmp(name, "AS_ERR_DATABASE") == 0, "as_error_message", name);

    /* A forked child must open its own connection and leave the parent's alone. */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char *out = NULL;
        int rc = as_account_list(&out);
        int ok = rc == 0 && strstr(out, "Site A") != NULL;
        as_string_free(out);
        out = NULL;
        as_diagnostics(&out);
        ok = ok && strstr(out, "\"connections_opened\":1") != NULL;
        printf("%s child uses its own connection: %s\n", ok ? "ok" : "FAIL", out);
        as_string_free(out);
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child finished well", NULL);
    CHECK(as_account_list(&out), 0, "Site A", "parent's connection still works after the child");

    CHECK(as_uninstall(&out), 0, "{}", "as_uninstall");
    CHECK(as_account_list(&out), 9, "not installed", "after uninstall: AS_ERR_NOT_INSTALLED");

    printf("%d checks failed\n", failures);
    return failures == 0 ? 0 : 1;
}
