// SPDX-License-Identifier: GPL-2.0-only
/*
 * loader: load a safetensors model the way an inference server does, for
 * the ModelFS benchmark (runs in the guest).
 *
 *   loader [--fadvise] FILE   read every tensor, layer by layer (not in
 *                             file order), 4 MiB at a time, and checksum
 *                             it; --fadvise first asks for the whole file
 *                             with posix_fadvise(WILLNEED)
 *   loader --raw DEV BYTES    read BYTES of DEV with O_DIRECT: what the
 *                             device gives without a page cache
 *
 * Prints one line: bytes=N seconds=S mbps=M checksum=X.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (4 << 20)

struct tensor {
	const char *name;
	uint64_t start, end;	/* in the file */
	long rank;		/* the order a layer-by-layer build uses */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "loader: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The forward-pass position of a tensor: embeddings, layers, head. */
static long rank_of(const char *name)
{
	static const char *const parts[] = {
		"input_layernorm", "self_attn.q_proj", "self_attn.k_proj",
		"self_attn.v_proj", "self_attn.o_proj",
		"post_attention_layernorm", "mlp.gate_proj", "mlp.up_proj",
		"mlp.down_proj",
	};
	int layer, n = 0;
	size_t i;

	if (!strncmp(name, "model.embed_tokens", 18))
		return 0;
	if (sscanf(name, "model.layers.%d.%n", &layer, &n) == 1 && n) {
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (!strncmp(name + n, parts[i], strlen(parts[i])))
				return 1 + layer * 100L + (long)i;
		return 1 + layer * 100L + 99;
	}
	if (!strncmp(name, "model.norm", 10))
		return 1L << 40;
	return (1L << 40) + 1;
}

static int by_rank(const void *a, const void *b)
{
	const struct tensor *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static uint64_t sum(const uint64_t *p, size_t n, uint64_t s)
{
	size_t i;

	for (i = 0; i < n / 8; i++)
		s = ((s << 5) | (s >> 59)) ^ p[i];
	return s;
}

static void report(uint64_t bytes, double secs, uint64_t csum)
{
	printf("bytes=%" PRIu64 " seconds=%.3f mbps=%.1f checksum=%016" PRIx64 "\n",
	       bytes, secs, bytes / secs / 1e6, csum);
}

static int raw(const char *dev, uint64_t bytes)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);
	uint64_t done = 0, csum = 0;
	double t0;
	void *buf;

	if (fd < 0)
		die(dev);
	if (posix_memalign(&buf, 4096, CHUNK))
		die("memory");
	t0 = now();
	while (done < bytes) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n <= 0)
			break;
		csum = sum(buf, n, csum);
		done += n;
	}
	report(done, now() - t0, csum);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct json_object *hdr;
	struct tensor *t;
	uint64_t hlen, total = 0, csum = 0;
	int fd, nt = 0, i, fadvise = 0;
	char *text, *buf;
	double t0;

	if (argc == 4 && !strcmp(argv[1], "--raw"))
		return raw(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "--fadvise"))
		fadvise = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: loader [--fadvise] FILE | --raw DEV BYTES\n");
		return 2;
	}

	t0 = now();
	fd = open(argv[argc - 1], O_RDONLY);
	if (fd < 0)
		die(argv[argc - 1]);
	if (fadvise && posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED))
		die("posix_fadvise");
	if (pread(fd, &hlen, 8, 0) != 8 || hlen > (100 << 20))
		die("header length");
	text = malloc(hlen + 1);
	buf = malloc(CHUNK);
	if (!text || !buf || pread(fd, text, hlen, 8) != (ssize_t)hlen)
		die("header");
	text[hlen] = 0;
	hdr = json_tokener_parse(text);
	if (!hdr || !json_object_is_type(hdr, json_type_object)) {
		fprintf(stderr, "loader: the header is not a JSON object\n");
		return 1;
	}
	t = calloc(json_object_object_length(hdr), sizeof(*t));
	if (!t)
		die("memory");
	json_object_object_foreach(hdr, key, val) {
		struct json_object *offs;

		if (!strcmp(key, "__metadata__"))
			continue;
		if (!json_object_object_get_ex(val, "data_offsets", &offs) ||
		    json_object_array_length(offs) != 2) {
			fprintf(stderr, "loader: %s: no data_offsets\n", key);
			return 1;
		}
		t[nt].name = key;
		t[nt].start = 8 + hlen + json_object_get_uint64(json_object_array_get_idx(offs, 0));
		t[nt].end = 8 + hlen + json_object_get_uint64(json_object_array_get_idx(offs, 1));
		t[nt].rank = rank_of(key);
		nt++;
	}
	qsort(t, nt, sizeof(*t), by_rank);

	for (i = 0; i < nt; i++) {
		uint64_t off = t[i].start;

		while (off < t[i].end) {
			size_t want = t[i].end - off < CHUNK ? t[i].end - off : CHUNK;
			ssize_t n = pread(fd, buf, want, off);

			if (n <= 0) {
				fprintf(stderr, "loader: %s at %" PRIu64 ": %s\n",
					t[i].name, off, n ? strerror(errno) : "short file");
				return 1;
			}
			/* Whole words only: a tensor is a multiple of 4 KiB. */
			csum = sum((const uint64_t *)buf, n, csum);
			off += n;
			total += n;
		}
	}
	report(total, now() - t0, csum);
	json_object_put(hdr);
	close(fd);
	return 0;
}
