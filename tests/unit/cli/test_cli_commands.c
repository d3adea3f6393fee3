/* test_cli_commands.c - biofence's command table: every command and verb runs something, shows in the usage and in biofence(8); the dispatch's exit codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"
#include "cli_common.h"

#define MAN_PAGE "man/biofence.8"	/* the tests run from the top of the tree */

static char *usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	cli_usage(fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* WANT in TEXT as whole words: followed by a space or the end of its line. */
static bool has_line_with(const char *text, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = strstr(text, want); p; p = strstr(p + 1, want))
		if (p[n] == ' ' || p[n] == '\n')
			return true;
	return false;
}

/* Each entry runs something (its own handler or a family of verbs, not both); names are unique. */
static void test_every_entry_runs(void **state)
{
	assert_true(cli_n_commands > 0);
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		print_message("%s\n", c->name);
		assert_true((c->run != NULL) != (c->verbs != NULL));
		assert_true(!c->verbs || (c->n_verbs > 0 && c->help));
		for (size_t v = 0; v < c->n_verbs; v++) {
			assert_non_null(c->verbs[v].name);
			assert_non_null(c->verbs[v].run);
			for (size_t w = 0; w < v; w++)
				assert_string_not_equal(c->verbs[v].name, c->verbs[w].name);
		}
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c->name, cli_commands[j].name);
		assert_ptr_equal(cli_find_command(c->name), c);
	}
	assert_null(cli_find_command("nosuch"));
	assert_null(cli_find_command(""));
}

/* "biofence NAME" and "biofence NAME VERB" in the usage, for every listed command and every verb. */
static void test_usage_names_everything(void **state)
{
	char *u = usage_text(), want[128];

	assert_memory_equal(u, "usage: biofence check FILE...\n", 30);
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		if (!c->summary)
			continue;
		snprintf(want, sizeof(want), "biofence %s", c->name);
		print_message("%s\n", want);
		assert_true(has_line_with(u, want));
		/* and its line in the summary below the usage */
		snprintf(want, sizeof(want), "\n  %-8s %.20s", c->name, c->summary);
		assert_non_null(strstr(u, want));
		for (size_t v = 0; v < c->n_verbs; v++) {
			snprintf(want, sizeof(want), "biofence %s %s", c->name, c->verbs[v].name);
			print_message("%s\n", want);
			assert_true(has_line_with(u, want));
		}
	}
	free(u);
}

/* biofence(8) documents each listed command ("Cm NAME") and each verb (".It Cm NAME VERB"). */
static void test_man_documents_everything(void **state)
{
	size_t len;
	char *man = bft_slurp(MAN_PAGE, &len), want[128];

	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		if (!c->summary)
			continue;
		snprintf(want, sizeof(want), "Cm %s", c->name);
		print_message("%s\n", want);
		assert_true(has_line_with(man, want));
		for (size_t v = 0; v < c->n_verbs; v++) {
			snprintf(want, sizeof(want), ".It Cm %s %s", c->name, c->verbs[v].name);
			print_message("%s\n", want);
			assert_true(has_line_with(man, want));
		}
	}
	free(man);
}

/* stdout and stderr to /dev/null around the runs: what they print is the shell tests' to check. */
static int quiet(int (*fn)(int, char **), int argc, char **argv)
{
	int out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO), rc;

	fflush(stdout);
	fflush(stderr);
	assert_non_null(freopen("/dev/null", "w", stdout));
	assert_non_null(freopen("/dev/null", "w", stderr));
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	return rc;
}

/* Exit codes: a missing or unknown command or verb is a usage error (2), help is 0. */
static void test_dispatch_exit_codes(void **state)
{
	char *none[] = { "biofence" };
	char *unknown[] = { "biofence", "nosuch", "--help" };
	char *help[] = { "biofence", "help" };
	char *version[] = { "biofence", "-V" };
	char *family[] = { "biofence", "window" };
	char *family_help[] = { "biofence", "consent", "--help" };
	char *bad_verb[] = { "biofence", "log", "nosuch" };
	char *verb_help[] = { "biofence", "log", "verify", "--help" };

	assert_int_equal(quiet(cli_main, 1, none), 2);
	assert_int_equal(quiet(cli_main, 3, unknown), 2);
	assert_int_equal(quiet(cli_main, 2, help), 0);
	assert_int_equal(quiet(cli_main, 2, version), 0);
	assert_int_equal(quiet(cli_main, 2, family), 2);
	assert_int_equal(quiet(cli_main, 3, family_help), 0);
	assert_int_equal(quiet(cli_main, 3, bad_verb), 2);
	assert_int_equal(quiet(cli_main, 4, verb_help), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry_runs),
		cmocka_unit_test(test_usage_names_everything),
		cmocka_unit_test(test_man_documents_everything),
		cmocka_unit_test(test_dispatch_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
