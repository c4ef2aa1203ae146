/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit test framework for the pure-logic files of nvmev.
 *
 * A test binary lists its test functions in an array of struct test_case
 * and runs them from main() with TEST_RUN(suite, array).  Each test prints one line,
 * "PASS suite.name" or "FAIL suite.name", and the binary ends with
 * "RESULT <passed> <failed>"; it exits non-zero if any test failed.
 * CHECK and CHECK_EQ record a failure and let the test go on; a test may
 * call test_failed() to stop early (for example inside a long loop).
 */
#ifndef NVMEV_TEST_H
#define NVMEV_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn)	{ #fn, fn }

/* Failures in the running test; details are printed for the first few. */
static unsigned int test_cur_failures;

#define TEST_MAX_REPORTS	10

static inline void test_report(const char *file, int line, const char *what)
{
	if (++test_cur_failures <= TEST_MAX_REPORTS)
		printf("    %s:%d: %s\n", file, line, what);
}

static inline void test_report_eq(const char *file, int line, const char *a,
				  const char *b, unsigned long long va,
				  unsigned long long vb)
{
	if (++test_cur_failures <= TEST_MAX_REPORTS)
		printf("    %s:%d: %s == %s: got %llu (0x%llx), want %llu (0x%llx)\n",
		       file, line, a, b, va, va, vb, vb);
}

static inline int test_failed(void)
{
	return test_cur_failures != 0;
}

#define CHECK(cond) do {						\
	if (!(cond))							\
		test_report(__FILE__, __LINE__, "CHECK(" #cond ")");	\
} while (0)

/* Compares two integer values (as unsigned long long). */
#define CHECK_EQ(a, b) do {						\
	unsigned long long __va = (unsigned long long)(a);		\
	unsigned long long __vb = (unsigned long long)(b);		\
	if (__va != __vb)						\
		test_report_eq(__FILE__, __LINE__, #a, #b, __va, __vb);	\
} while (0)

static inline int test_run_all(const char *suite, const struct test_case *t,
			       size_t n)
{
	unsigned int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		test_cur_failures = 0;
		t[i].fn();
		if (test_cur_failures) {
			failed++;
			printf("FAIL %s.%s (%u failed checks)\n", suite,
			       t[i].name, test_cur_failures);
		} else {
			passed++;
			printf("PASS %s.%s\n", suite, t[i].name);
		}
		fflush(stdout);
	}
	printf("RESULT %u %u\n", passed, failed);
	return failed ? 1 : 0;
}

/* Runs every test of an array; returns the exit status for main(). */
#define TEST_RUN(suite, tests)	test_run_all(suite, tests, ARRAY_SIZE(tests))

#endif /* NVMEV_TEST_H */
