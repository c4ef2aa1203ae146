// SPDX-License-Identifier: GPL-2.0
/*
 * kv-load: many Key Value commands through the NVMe passthrough ioctl, fast
 * enough for a million keys in a TCG guest (the shipped nvmev-kv tool is
 * Python and does a few hundred commands a second there).  Test-only: the
 * VM cases compile it in the guest with the host's gcc.
 *
 *   kv-load DEV put|get|del|miss FIRST COUNT VALUE_BYTES [PROCS]
 *
 * Key i is "k" followed by i as 10 decimal digits (11 bytes); its value is
 * VALUE_BYTES bytes, each (i * 31 + offset) & 0xff, with i in the first 8
 * bytes.  put stores keys FIRST..FIRST+COUNT-1; get retrieves them and
 * checks every byte and the size in the completion; del deletes them;
 * miss expects KV Key Does Not Exist from Exist for each.  The NSID is
 * the device's (NVME_IOCTL_ID).  PROCS
 * processes share the range.  Prints "ok N ops/s" or the first failure,
 * and exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

enum { OP_STORE = 0x01, OP_RETRIEVE = 0x02, OP_DELETE = 0x10, OP_EXIST = 0x14 };

static void make_key(uint64_t i, uint32_t *kw)
{
	char k[17] = { 0 };

	snprintf(k, sizeof(k), "k%010llu", (unsigned long long)i);
	memcpy(kw, k, 16);
}

static void fill(uint8_t *v, uint32_t n, uint64_t i)
{
	uint32_t j;

	for (j = 0; j < n; j++)
		v[j] = (uint8_t)(i * 31 + j);
	memcpy(v, &i, n < 8 ? n : 8);
}

static uint32_t nsid = 1;

static int kv_cmd(int fd, uint8_t op, uint64_t i, void *buf, uint32_t len,
		  uint32_t *result)
{
	struct nvme_passthru_cmd64 c;
	uint32_t kw[4];
	int ret;

	make_key(i, kw);
	memset(&c, 0, sizeof(c));
	c.opcode = op;
	c.nsid = nsid;
	c.cdw2 = kw[0];
	c.cdw3 = kw[1];
	c.cdw14 = kw[2];
	c.cdw15 = kw[3];
	c.cdw10 = len;
	c.cdw11 = 11;		/* key length */
	if (len) {
		c.addr = (uintptr_t)buf;
		c.data_len = len;
	}
	ret = ioctl(fd, NVME_IOCTL_IO64_CMD, &c);
	if (result)
		*result = (uint32_t)c.result;
	return ret;
}

static int run(const char *dev, const char *mode, uint64_t first,
	       uint64_t count, uint32_t vlen)
{
	uint8_t *buf, *want;
	uint64_t i;
	uint32_t res;
	int fd, ret;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	ret = ioctl(fd, NVME_IOCTL_ID);
	if (ret > 0)
		nsid = ret;
	buf = mmap(NULL, vlen + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want = malloc(vlen + 1);
	if (buf == MAP_FAILED || !want)
		return 1;
	for (i = first; i < first + count; i++) {
		if (!strcmp(mode, "put")) {
			fill(buf, vlen, i);
			ret = kv_cmd(fd, OP_STORE, i, buf, vlen, NULL);
		} else if (!strcmp(mode, "get")) {
			memset(buf, 0, vlen);
			ret = kv_cmd(fd, OP_RETRIEVE, i, buf, vlen, &res);
			fill(want, vlen, i);
			if (!ret && (res != vlen || memcmp(buf, want, vlen))) {
				fprintf(stderr, "key %llu: wrong value (size %u)\n",
					(unsigned long long)i, res);
				return 1;
			}
		} else if (!strcmp(mode, "del")) {
			ret = kv_cmd(fd, OP_DELETE, i, NULL, 0, NULL);
		} else {
			ret = kv_cmd(fd, OP_EXIST, i, NULL, 0, NULL);
			ret = (ret & 0x7ff) == 0x87 ? 0 : (ret ? ret : -2);
		}
		if (ret) {
			fprintf(stderr, "%s key %llu: %s %#x\n", mode,
				(unsigned long long)i,
				ret < 0 ? "errno" : "status",
				ret < 0 ? errno : ret);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t first, count, per, i;
	struct timeval t0, t1;
	int procs, status, bad = 0;
	uint32_t vlen;
	double s;

	if (argc < 6 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: kv-load DEV put|get|del|miss FIRST COUNT VALUE_BYTES [PROCS]\n");
		return argc < 6 ? 2 : 0;
	}
	first = strtoull(argv[3], NULL, 0);
	count = strtoull(argv[4], NULL, 0);
	vlen = strtoul(argv[5], NULL, 0);
	procs = argc > 6 ? atoi(argv[6]) : 1;
	if (procs < 1)
		procs = 1;
	per = (count + procs - 1) / procs;
	gettimeofday(&t0, NULL);
	for (i = 0; i < (uint64_t)procs; i++) {
		uint64_t a = first + i * per;
		uint64_t n = a + per > first + count ? first + count - a : per;

		if (a >= first + count)
			break;
		if (!fork())
			_exit(run(argv[1], argv[2], a, n, vlen));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	gettimeofday(&t1, NULL);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
	if (bad) {
		printf("failed\n");
		return 1;
	}
	printf("ok %llu %s in %.1f s, %.0f ops/s\n", (unsigned long long)count,
	       argv[2], s, count / s);
	return 0;
}
