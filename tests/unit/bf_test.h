/* bf_test.h - helpers every unit test needs: remove a temp tree, read a whole file. Include after cmocka.h. */
#ifndef BF_TEST_H
#define BF_TEST_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline int bft_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Remove DIR and everything below it (children first, links not followed). */
static inline int bft_rm_tree(const char *dir)
{
	return nftw(dir, bft_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The whole file, NUL-terminated; *len gets its size. Fails the test if unreadable. */
static inline char *bft_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

#endif /* BF_TEST_H */
