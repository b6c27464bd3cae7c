// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkmodel FILE MIB: write a synthetic safetensors model of about MIB MiB
 * for the ModelFS benchmark (runs on the build host).
 *
 * The layout is a 32-layer decoder's: embeddings, per layer two norms,
 * four attention and three MLP projections, a final norm and the output
 * head, all BF16. As safetensors writers do, the tensors are stored in
 * name order, so "model.layers.10" comes before "model.layers.2"; a
 * loader that builds the model layer by layer therefore reads the file
 * out of order. The bytes are a per-tensor xorshift stream, so nothing
 * compresses or deduplicates, and the loader's checksum is reproducible.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAYERS	32
#define COLS	2048		/* BF16 columns: rows are 4 KiB */
#define ROW	(COLS * 2)
#define MAXT	(LAYERS * 9 + 3)

struct tensor {
	char name[96];
	uint64_t size, off;
};

static struct tensor t[MAXT];
static int nt;

static void add(const char *name, uint64_t size)
{
	snprintf(t[nt].name, sizeof(t[nt].name), "%s", name);
	t[nt].size = size / ROW * ROW;
	if (!t[nt].size)
		t[nt].size = ROW;
	nt++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tensor *)a)->name,
		      ((const struct tensor *)b)->name);
}

static uint64_t seed_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h ? h : 1;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int parts; } layer[] = {
		{ "input_layernorm.weight", 0 },
		{ "self_attn.q_proj.weight", 3 },
		{ "self_attn.k_proj.weight", 2 },
		{ "self_attn.v_proj.weight", 2 },
		{ "self_attn.o_proj.weight", 3 },
		{ "post_attention_layernorm.weight", 0 },
		{ "mlp.gate_proj.weight", 18 },
		{ "mlp.up_proj.weight", 18 },
		{ "mlp.down_proj.weight", 18 },
	};
	static uint64_t buf[1 << 17];
	uint64_t total, per_layer, off = 0, x;
	char name[96], *hdr;
	size_t hlen = 0, cap = 1 << 16;
	FILE *f;
	int i, l;

	if (argc != 3 || (total = strtoull(argv[2], NULL, 10) << 20) < (64 << 20)) {
		fprintf(stderr, "usage: mkmodel FILE MIB (MIB >= 64)\n");
		return 2;
	}
	/* The layers take 64 parts each; embeddings and head 32 parts each. */
	per_layer = total / (LAYERS + 1);
	add("model.embed_tokens.weight", per_layer / 2);
	for (l = 0; l < LAYERS; l++)
		for (i = 0; i < (int)(sizeof(layer) / sizeof(layer[0])); i++) {
			snprintf(name, sizeof(name), "model.layers.%d.%s", l,
				 layer[i].name);
			add(name, layer[i].parts ? per_layer / 64 * layer[i].parts : ROW);
		}
	add("model.norm.weight", ROW);
	add("lm_head.weight", per_layer / 2);
	qsort(t, nt, sizeof(t[0]), by_name);

	hdr = malloc(cap);
	if (!hdr)
		return 1;
	hlen = snprintf(hdr, cap, "{\"__metadata__\":{\"format\":\"pt\"}");
	for (i = 0; i < nt; i++) {
		t[i].off = off;
		off += t[i].size;
		hlen += snprintf(hdr + hlen, cap - hlen,
				 ",\"%s\":{\"dtype\":\"BF16\",\"shape\":[%" PRIu64 ",%d],"
				 "\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}",
				 t[i].name, t[i].size / ROW, COLS, t[i].off,
				 t[i].off + t[i].size);
		if (hlen >= cap - 256)
			return 1;
	}
	hdr[hlen++] = '}';
	/* The data starts 8-byte aligned, as the format asks. */
	while ((8 + hlen) % 8)
		hdr[hlen++] = ' ';

	f = fopen(argv[1], "wb");
	if (!f) {
		fprintf(stderr, "mkmodel: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	x = hlen;
	fwrite(&x, 8, 1, f);		/* little-endian on x86 */
	fwrite(hdr, 1, hlen, f);
	for (i = 0; i < nt; i++) {
		uint64_t left = t[i].size, s = seed_of(t[i].name);

		while (left) {
			size_t n = left < sizeof(buf) ? left : sizeof(buf), k;

			for (k = 0; k < n / 8; k++) {
				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				buf[k] = s;
			}
			if (fwrite(buf, 1, n, f) != n) {
				fprintf(stderr, "mkmodel: write: %s\n", strerror(errno));
				return 1;
			}
			left -= n;
		}
	}
	if (fclose(f)) {
		fprintf(stderr, "mkmodel: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("mkmodel: %s: %d tensors, %" PRIu64 " data bytes\n", argv[1], nt, off);
	free(hdr);
	return 0;
}
