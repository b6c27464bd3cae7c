// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_sleepable OBJ CALLBACK: load the programs of OBJ (not attach them)
 * with the one implementing CALLBACK marked sleepable (BPF_F_SLEEPABLE;
 * Debian's libbpf 1.1 has no "struct_ops.s" section for it). The
 * verifier asks sched_ext which callbacks may sleep.
 *
 * Exit: 0 loaded, 1 refused (the verifier's log on stderr), 2 usage or
 * no such callback.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

static int print_all(enum libbpf_print_level level, const char *fmt,
		     va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_program *prog, *found = NULL;
	struct bpf_object *obj;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: scx_sleepable OBJ CALLBACK\n");
		return 2;
	}
	libbpf_set_print(print_all);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "scx_sleepable: cannot open %s\n", argv[1]);
		return 2;
	}
	/* Programs are named <scheduler>_<callback>; match the suffix. */
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		size_t n = strlen(name), c = strlen(argv[2]);

		if (n > c && name[n - c - 1] == '_' &&
		    !strcmp(name + n - c, argv[2]))
			found = prog;
	}
	if (!found) {
		fprintf(stderr, "scx_sleepable: no %s program in %s\n",
			argv[2], argv[1]);
		bpf_object__close(obj);
		return 2;
	}
	bpf_program__set_flags(found, bpf_program__flags(found) |
			       BPF_F_SLEEPABLE);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	printf("%s sleepable: %s\n", argv[2], err ? "refused" : "loaded");
	return err ? 1 : 0;
}
