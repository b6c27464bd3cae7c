// SPDX-License-Identifier: GPL-2.0-only
/*
 * liboesched: load the OE sched_ext policies with libbpf 1.1, fill their
 * maps from a config and the CPU topology, attach them through a
 * struct_ops link, and read the kernel's sched_ext state.
 *
 * libbpf 1.1 gives no access to a struct_ops map's value before load,
 * so the fields a config sets (flags, timeout_ms) are patched into a
 * copy of the object's ELF before libbpf opens it; BTF says where.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/elf.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "oesched.h"

#define SYSFS_CPU		"/sys/devices/system/cpu"
#define OPS_SWITCH_PARTIAL	0x8ULL		/* SCX_OPS_SWITCH_PARTIAL */
#define WATCHDOG_MAX_MS		30000		/* the kernel's limit */
#define OPS_TYPE		"sched_ext_ops"
#define NR_WORDS		(OE_DOMAIN_MAX_CPUS / 64)
#define MAX_CGROUPS		(OE_QOS_MAX_CGROUPS + OE_DOMAIN_MAX_CGROUPS)

/* Debian 12's uapi headers (6.1) predate struct_ops links (6.4). */
#define MAP_F_LINK		0x2000U		/* BPF_F_LINK */
#define ATTACH_STRUCT_OPS	((enum bpf_attach_type)44) /* BPF_STRUCT_OPS */

const char *const oesched_policies[] = {
	"oe_fifo", "oe_qos", "oe_domain", NULL
};

struct oesched {
	char policy[32];
	struct bpf_object *obj;
	bool own_obj;		/* false: the caller's skeleton owns it */
	int link_fd;
	int data_fd;		/* the .data map, which holds uei */
	size_t data_sz;
	size_t uei_off;
};

/* What oesched_check() makes of a config, for the maps. */
struct cg_entry {
	__u64 id;
	__u32 val;
};

struct plan {
	int policy;		/* index into oesched_policies */
	char obj_path[PATH_MAX];
	size_t nr;
	struct cg_entry cg[MAX_CGROUPS];
	struct oesched_topo topo;
	struct oe_qos_smt smt[OE_QOS_MAX_CPUS];
};

enum { P_FIFO, P_QOS, P_DOMAIN };

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

bool oesched_policy_known(const char *name)
{
	for (int i = 0; name && oesched_policies[i]; i++)
		if (!strcmp(name, oesched_policies[i]))
			return true;
	return false;
}

static int policy_index(const char *name)
{
	for (int i = 0; name && oesched_policies[i]; i++)
		if (!strcmp(name, oesched_policies[i]))
			return i;
	return -1;
}

const char *oesched_exit_kind_name(int kind)
{
	switch (kind) {
	case OESCHED_EXIT_NONE:		return "none";
	case OESCHED_EXIT_DONE:		return "done";
	case OESCHED_EXIT_UNREG:	return "unreg";
	case OESCHED_EXIT_UNREG_BPF:	return "unreg_bpf";
	case OESCHED_EXIT_UNREG_KERN:	return "unreg_kern";
	case OESCHED_EXIT_SYSRQ:	return "sysrq";
	case OESCHED_EXIT_ERROR:	return "error";
	case OESCHED_EXIT_ERROR_BPF:	return "error_bpf";
	case OESCHED_EXIT_ERROR_STALL:	return "error_stall";
	default:			return "unknown";
	}
}

bool oesched_exit_is_ejection(int kind)
{
	return kind == OESCHED_EXIT_SYSRQ || kind >= OESCHED_EXIT_ERROR;
}

/* ---- small file helpers ---- */

/* @path's first line, without its newline: 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		int rc = ferror(f) ? -EIO : 0;

		fclose(f);
		buf[0] = '\0';
		return rc;
	}
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	return 0;
}

static int read_long(const char *path, long *v)
{
	char buf[64], *end;
	int rc = read_line(path, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

/* ---- kernel state ---- */

int oesched_kstate_read(const char *root, struct oesched_kstate *ks)
{
	char path[PATH_MAX], buf[16];
	long v;
	int rc;

	if (!root)
		root = OESCHED_SYSFS;
	memset(ks, 0, sizeof(*ks));
	ks->nr_rejected = -1;
	ks->enable_seq = -1;

	snprintf(path, sizeof(path), "%s/state", root);
	rc = read_line(path, ks->state, sizeof(ks->state));
	if (rc)
		return rc;

	snprintf(path, sizeof(path), "%s/switch_all", root);
	if (read_line(path, buf, sizeof(buf)) == 0)
		ks->switch_all = !strcmp(buf, "1");
	snprintf(path, sizeof(path), "%s/nr_rejected", root);
	if (read_long(path, &v) == 0)
		ks->nr_rejected = v;
	snprintf(path, sizeof(path), "%s/enable_seq", root);
	if (read_long(path, &v) == 0)
		ks->enable_seq = v;
	snprintf(path, sizeof(path), "%s/root/ops", root);
	if (read_line(path, ks->ops, sizeof(ks->ops)))
		ks->ops[0] = '\0';
	snprintf(path, sizeof(path), "%s/last_exit", root);
	if (read_line(path, ks->last_exit, sizeof(ks->last_exit)) ||
	    !ks->last_exit[0])
		snprintf(ks->last_exit, sizeof(ks->last_exit), "none");
	return 0;
}

/* ---- topology ---- */

int oesched_parse_cpulist(const char *list, unsigned long long *bits,
			  int nbits)
{
	const char *p = list;

	memset(bits, 0, (size_t)(nbits + 63) / 64 * sizeof(*bits));
	while (*p && *p != '\n') {
		char *end;
		long lo, hi;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		lo = strtol(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				return -EINVAL;
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= nbits)
			return -EINVAL;
		for (long c = lo; c <= hi; c++)
			bits[c / 64] |= 1ULL << (c % 64);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return 0;
}

/* The cpuN directories of @dir, ascending; -errno if it cannot be read. */
static int list_cpus(const char *dir, int *cpus, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		char *end;
		long c;

		if (strncmp(s, "cpu", 3) || !isdigit((unsigned char)s[3]))
			continue;
		c = strtol(s + 3, &end, 10);
		if (*end || c < 0 || c > INT_MAX)
			continue;
		if (n == max) {
			closedir(d);
			return -E2BIG;
		}
		cpus[n++] = (int)c;
	}
	closedir(d);
	/* insertion sort: a few hundred at most */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && cpus[j - 1] > cpus[j]; j--) {
			int t = cpus[j];

			cpus[j] = cpus[j - 1];
			cpus[j - 1] = t;
		}
	return n;
}

/* The CPUs sharing @cpu's L3, into @bits: 0, or -ENOENT if unknown. */
static int llc_of(const char *root, int cpu, unsigned long long *bits)
{
	char path[PATH_MAX], buf[4096];
	long level;

	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "%s/cpu%d/cache/index%d/level",
			 root, cpu, i);
		if (read_long(path, &level))
			continue;
		if (level != 3)
			continue;
		snprintf(path, sizeof(path),
			 "%s/cpu%d/cache/index%d/shared_cpu_list", root, cpu, i);
		if (read_line(path, buf, sizeof(buf)) ||
		    oesched_parse_cpulist(buf, bits, OE_DOMAIN_MAX_CPUS))
			return -ENOENT;
		return 0;
	}
	return -ENOENT;
}

static int add_cpu(struct oesched_topo *topo, int dom, int cpu)
{
	if (dom == topo->nr_domains) {
		if (dom == OE_DOMAIN_MAX)
			return -E2BIG;
		memset(&topo->dom[dom], 0, sizeof(topo->dom[dom]));
		topo->nr_domains++;
	}
	topo->dom[dom].cpus[cpu / 64] |= 1ULL << (cpu % 64);
	return 0;
}

static bool test_cpu(const unsigned long long *bits, int cpu)
{
	return bits[cpu / 64] & (1ULL << (cpu % 64));
}

int oesched_topology(const char *sysfs_cpu, struct oesched_topo *topo)
{
	static const int max = 4 * OE_DOMAIN_MAX_CPUS;
	unsigned long long llc[NR_WORDS];
	long pkg_id[OE_DOMAIN_MAX];
	int *cpus, n, rc = 0, nr_llc = 0;
	char path[PATH_MAX];

	if (!sysfs_cpu)
		sysfs_cpu = SYSFS_CPU;
	memset(topo, 0, sizeof(*topo));
	cpus = calloc(max, sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	n = list_cpus(sysfs_cpu, cpus, max);
	if (n < 0) {
		rc = n;
		goto out;
	}
	if (n == 0) {
		rc = -ENOENT;
		goto out;
	}
	if (cpus[n - 1] >= OE_DOMAIN_MAX_CPUS) {
		rc = -E2BIG;
		goto out;
	}

	/* One domain per distinct L3, in the order of their first CPU. */
	for (int i = 0; i < n; i++) {
		int d;

		if (llc_of(sysfs_cpu, cpus[i], llc))
			continue;
		nr_llc++;
		llc[cpus[i] / 64] |= 1ULL << (cpus[i] % 64);
		for (d = 0; d < topo->nr_domains; d++)
			if (!memcmp(topo->dom[d].cpus, llc, sizeof(llc)))
				break;
		if (d == topo->nr_domains) {
			if (d == OE_DOMAIN_MAX) {
				rc = -E2BIG;
				goto out;
			}
			memcpy(topo->dom[d].cpus, llc, sizeof(llc));
			topo->nr_domains++;
		}
	}
	if (nr_llc)
		goto out;

	/* No cache information: one domain per package. */
	for (int i = 0; i < n; i++) {
		long id;
		int d;

		snprintf(path, sizeof(path),
			 "%s/cpu%d/topology/physical_package_id", sysfs_cpu,
			 cpus[i]);
		if (read_long(path, &id))
			continue;
		for (d = 0; d < topo->nr_domains; d++)
			if (pkg_id[d] == id)
				break;
		if (d < OE_DOMAIN_MAX)
			pkg_id[d] = id;
		rc = add_cpu(topo, d, cpus[i]);
		if (rc)
			goto out;
	}
	if (topo->nr_domains)
		goto out;

	/* Nothing at all: one domain of every CPU. */
	for (int i = 0; i < n; i++)
		add_cpu(topo, 0, cpus[i]);
out:
	free(cpus);
	if (rc)
		memset(topo, 0, sizeof(*topo));
	return rc;
}

int oesched_smt(const char *sysfs_cpu, struct oe_qos_smt *smt, int nr)
{
	unsigned long long bits[OE_QOS_MAX_CPUS / 64];
	char path[PATH_MAX], buf[4096];
	int filled = 0;

	if (!sysfs_cpu)
		sysfs_cpu = SYSFS_CPU;
	if (nr <= 0)
		return 0;
	if (nr > OE_QOS_MAX_CPUS)
		nr = OE_QOS_MAX_CPUS;
	memset(smt, 0, (size_t)nr * sizeof(*smt));
	if (access(sysfs_cpu, R_OK | X_OK))
		return -errno;

	for (int cpu = 0; cpu < nr; cpu++) {
		snprintf(path, sizeof(path),
			 "%s/cpu%d/topology/thread_siblings_list", sysfs_cpu, cpu);
		if (read_line(path, buf, sizeof(buf)) ||
		    oesched_parse_cpulist(buf, bits, OE_QOS_MAX_CPUS))
			continue;
		for (int c = 0; c < OE_QOS_MAX_CPUS &&
		     smt[cpu].nr < OE_QOS_SMT_MAX; c++)
			if (test_cpu(bits, c))
				smt[cpu].cpus[smt[cpu].nr++] = (unsigned int)c;
		filled++;
	}
	return filled;
}

/* ---- checking a config ---- */

/* @path must be a cgroup2 directory; its id is its inode number. */
static int cgroup_id(const char *path, __u64 *id, char *err, size_t len)
{
	struct statfs sfs;
	struct stat st;

	if (!path || !*path) {
		set_err(err, len, "empty cgroup path");
		return -EINVAL;
	}
	if (stat(path, &st)) {
		int rc = -errno;

		set_err(err, len, "cgroup %s: %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, len, "cgroup %s: not a directory", path);
		return -ENOTDIR;
	}
	if (statfs(path, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		set_err(err, len,
			"cgroup %s: not a cgroup2 directory (the unified hierarchy)",
			path);
		return -EINVAL;
	}
	*id = st.st_ino;
	return 0;
}

/* Add @path's id with @val to @pl; a cgroup may be listed once. */
static int add_cgroup(struct plan *pl, const char *path, __u32 val,
		      size_t max, char *err, size_t len)
{
	__u64 id;
	int rc;

	if (pl->nr >= max) {
		set_err(err, len, "too many cgroups: %s takes at most %zu",
			oesched_policies[pl->policy], max);
		return -E2BIG;
	}
	rc = cgroup_id(path, &id, err, len);
	if (rc)
		return rc;
	for (size_t i = 0; i < pl->nr; i++)
		if (pl->cg[i].id == id) {
			set_err(err, len, "cgroup %s is listed twice", path);
			return -EINVAL;
		}
	pl->cg[pl->nr].id = id;
	pl->cg[pl->nr].val = val;
	pl->nr++;
	return 0;
}

static const char *bpf_dir(const struct oesched_cfg *cfg)
{
	const char *env = getenv("OE_BPF_DIR");

	if (cfg->bpf_dir && *cfg->bpf_dir)
		return cfg->bpf_dir;
	return env && *env ? env : OESCHED_BPF_DIR;
}

static int check_qos(const struct oesched_cfg *cfg, struct plan *pl,
		     char *err, size_t len)
{
	size_t nr = cfg->nr_ls + cfg->nr_be;
	int rc;

	if (nr > OE_QOS_MAX_CGROUPS) {
		set_err(err, len,
			"too many cgroups (%zu): oe_qos takes at most %d",
			nr, OE_QOS_MAX_CGROUPS);
		return -E2BIG;
	}
	if ((cfg->nr_ls && !cfg->ls_cgroups) ||
	    (cfg->nr_be && !cfg->be_cgroups)) {
		set_err(err, len, "cgroup list missing");
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->nr_ls; i++) {
		rc = add_cgroup(pl, cfg->ls_cgroups[i], OE_QOS_LS,
				OE_QOS_MAX_CGROUPS, err, len);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < cfg->nr_be; i++) {
		rc = add_cgroup(pl, cfg->be_cgroups[i], OE_QOS_BE,
				OE_QOS_MAX_CGROUPS, err, len);
		if (rc)
			return rc;
	}
	rc = oesched_smt(cfg->sysfs_cpu, pl->smt, OE_QOS_MAX_CPUS);
	if (rc < 0) {
		set_err(err, len, "cannot read the CPU topology (%s): %s",
			cfg->sysfs_cpu ? cfg->sysfs_cpu : SYSFS_CPU,
			strerror(-rc));
		return rc;
	}
	return 0;
}

static int check_domain(const struct oesched_cfg *cfg, struct plan *pl,
			char *err, size_t len)
{
	const char *root = cfg->sysfs_cpu ? cfg->sysfs_cpu : SYSFS_CPU;
	int rc, next = 0, nd;

	if (cfg->nr_domains > OE_DOMAIN_MAX_CGROUPS) {
		set_err(err, len,
			"too many cgroups (%zu): oe_domain takes at most %d",
			cfg->nr_domains, OE_DOMAIN_MAX_CGROUPS);
		return -E2BIG;
	}
	if (cfg->nr_domains && !cfg->domains) {
		set_err(err, len, "cgroup list missing");
		return -EINVAL;
	}
	rc = oesched_topology(cfg->sysfs_cpu, &pl->topo);
	if (rc) {
		if (rc == -E2BIG)
			set_err(err, len,
				"the CPU topology (%s) is too large for oe_domain (at most %d domains, CPUs below %d)",
				root, OE_DOMAIN_MAX, OE_DOMAIN_MAX_CPUS);
		else
			set_err(err, len,
				"cannot read the CPU topology (%s): %s",
				root, strerror(-rc));
		return rc;
	}
	nd = pl->topo.nr_domains;
	for (size_t i = 0; i < cfg->nr_domains; i++) {
		const struct oesched_domain_assign *a = &cfg->domains[i];
		int d = a->domain;

		if (d == -1) {
			d = next;
		} else if (d < 0 || d >= nd) {
			set_err(err, len,
				"cgroup %s: domain %d out of range (the topology has %d: 0-%d)",
				a->cgroup ? a->cgroup : "?", a->domain, nd,
				nd - 1);
			return -ERANGE;
		}
		next = (d + 1) % nd;
		rc = add_cgroup(pl, a->cgroup, (__u32)d,
				OE_DOMAIN_MAX_CGROUPS, err, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int make_plan(const struct oesched_cfg *cfg, struct plan *pl,
		     bool need_obj, char *err, size_t len)
{
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (!cfg) {
		set_err(err, len, "no configuration");
		return -EINVAL;
	}
	pl->policy = policy_index(cfg->policy);
	if (pl->policy < 0) {
		set_err(err, len, "unknown policy \"%s\" (known: %s, %s, %s)",
			cfg->policy ? cfg->policy : "", oesched_policies[0],
			oesched_policies[1], oesched_policies[2]);
		return -EINVAL;
	}
	if (cfg->timeout_ms > WATCHDOG_MAX_MS) {
		set_err(err, len,
			"timeout_ms %u is above the kernel's limit of %d",
			cfg->timeout_ms, WATCHDOG_MAX_MS);
		return -EINVAL;
	}
	if (pl->policy == P_QOS)
		rc = check_qos(cfg, pl, err, len);
	else if (pl->policy == P_DOMAIN)
		rc = check_domain(cfg, pl, err, len);
	else
		rc = 0;
	if (rc)
		return rc;

	if (need_obj) {
		if ((size_t)snprintf(pl->obj_path, sizeof(pl->obj_path),
				     "%s/%s.bpf.o", bpf_dir(cfg),
				     cfg->policy) >= sizeof(pl->obj_path)) {
			set_err(err, len, "BPF directory path too long");
			return -ENAMETOOLONG;
		}
		if (access(pl->obj_path, R_OK)) {
			rc = -errno;
			set_err(err, len, "%s: %s", pl->obj_path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int oesched_check(const struct oesched_cfg *cfg, char *err, size_t errlen)
{
	struct plan *pl = malloc(sizeof(*pl));
	int rc;

	if (!pl) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = make_plan(cfg, pl, false, err, errlen);
	free(pl);
	return rc;
}

/* ---- the object's ELF ---- */

/* Whether the NUL-terminated string at @off of @tab (@size bytes) is @s. */
static bool str_at(const char *tab, size_t size, size_t off, const char *s)
{
	return off < size && strnlen(tab + off, size - off) < size - off &&
	       !strcmp(tab + off, s);
}

struct elf_view {
	const unsigned char *buf;
	size_t size;
	const struct elf64_shdr *sh;
	unsigned int shnum;
	const char *shstr;
	size_t shstr_size;
};

static const struct elf64_shdr *elf_sec(const struct elf_view *e,
					const char *name, unsigned int *idx)
{
	for (unsigned int i = 1; i < e->shnum; i++) {
		const struct elf64_shdr *s = &e->sh[i];

		if (!str_at(e->shstr, e->shstr_size, s->sh_name, name))
			continue;
		if (s->sh_type != SHT_NOBITS &&
		    (s->sh_offset > e->size ||
		     s->sh_size > e->size - s->sh_offset))
			return NULL;
		if (idx)
			*idx = i;
		return s;
	}
	return NULL;
}

static int elf_open(struct elf_view *e, const void *buf, size_t size)
{
	const struct elf64_hdr *eh = buf;
	const struct elf64_shdr *str;

	memset(e, 0, sizeof(*e));
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_BPF ||
	    eh->e_shentsize != sizeof(struct elf64_shdr) ||
	    eh->e_shoff > size || eh->e_shoff % 8 ||
	    (size - eh->e_shoff) / sizeof(struct elf64_shdr) < eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	e->buf = buf;
	e->size = size;
	e->sh = (const struct elf64_shdr *)(e->buf + eh->e_shoff);
	e->shnum = eh->e_shnum;
	str = &e->sh[eh->e_shstrndx];
	if (str->sh_offset > size || str->sh_size > size - str->sh_offset)
		return -EINVAL;
	e->shstr = (const char *)e->buf + str->sh_offset;
	e->shstr_size = str->sh_size;
	return 0;
}

/* The value (offset in its section) of symbol @name in section @shndx. */
static int elf_sym(const struct elf_view *e, unsigned int shndx,
		   const char *name, size_t *off)
{
	const struct elf64_shdr *symtab = elf_sec(e, ".symtab", NULL), *strtab;
	const struct elf64_sym *sym;
	size_t n;

	if (!symtab || symtab->sh_link >= e->shnum)
		return -ENOENT;
	strtab = &e->sh[symtab->sh_link];
	if (strtab->sh_offset > e->size ||
	    strtab->sh_size > e->size - strtab->sh_offset ||
	    symtab->sh_offset % 8)
		return -EINVAL;
	sym = (const struct elf64_sym *)(e->buf + symtab->sh_offset);
	n = symtab->sh_size / sizeof(*sym);
	for (size_t i = 0; i < n; i++) {
		const char *s = (const char *)e->buf + strtab->sh_offset;

		if (sym[i].st_shndx != shndx ||
		    !str_at(s, strtab->sh_size, sym[i].st_name, name))
			continue;
		*off = sym[i].st_value;
		return 0;
	}
	return -ENOENT;
}

/* Offset and size of member @name of struct @t. */
static int btf_member(const struct btf *btf, const struct btf_type *t,
		      const char *name, size_t *off, size_t *size)
{
	const struct btf_member *m = btf_members(t);

	for (unsigned short i = 0; i < btf_vlen(t); i++, m++) {
		__s64 sz;

		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		sz = btf__resolve_size(btf, m->type);
		if (sz < 0 || btf_member_bitfield_size(t, i))
			return -EINVAL;
		*off = btf_member_bit_offset(t, i) / 8;
		*size = (size_t)sz;
		return 0;
	}
	return -ENOENT;
}

/*
 * Set flags and timeout_ms of the object's struct sched_ext_ops, in
 * @elf, a private copy of it.
 */
static int patch_ops(void *elf, size_t size, const struct oesched_cfg *cfg,
		     char *err, size_t len)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	const struct elf64_shdr *ops_sh, *btf_sh;
	unsigned int ops_idx;
	struct elf_view e;
	int found = 0, rc, id;
	struct btf *btf;

	if (elf_open(&e, elf, size)) {
		set_err(err, len, "not a BPF ELF object");
		return -EINVAL;
	}
	ops_sh = elf_sec(&e, ".struct_ops", &ops_idx);
	btf_sh = elf_sec(&e, ".BTF", NULL);
	if (!ops_sh || !btf_sh || ops_sh->sh_type == SHT_NOBITS) {
		set_err(err, len, "the object has no struct_ops or no BTF");
		return -EINVAL;
	}
	btf = btf__new(e.buf + btf_sh->sh_offset, (__u32)btf_sh->sh_size);
	if (!btf) {
		rc = -errno;
		set_err(err, len, "the object's BTF: %s", strerror(-rc));
		return rc;
	}
	id = btf__find_by_name_kind(btf, ".struct_ops", BTF_KIND_DATASEC);
	sec = id > 0 ? btf__type_by_id(btf, id) : NULL;
	vs = sec ? btf_var_secinfos(sec) : NULL;
	for (unsigned short i = 0; sec && i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		const struct btf_type *t;
		size_t base, off, msz;
		__u64 flags;
		__u32 tid;

		if (!var || !btf_is_var(var))
			continue;
		tid = btf__resolve_type(btf, var->type);
		t = btf__type_by_id(btf, tid);
		if (!t || !btf_is_struct(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off), OPS_TYPE))
			continue;
		if (elf_sym(&e, ops_idx,
			    btf__name_by_offset(btf, var->name_off), &base) ||
		    base > ops_sh->sh_size || t->size > ops_sh->sh_size - base)
			continue;
		base += ops_sh->sh_offset;

		if (btf_member(btf, t, "flags", &off, &msz) || msz != 8)
			continue;
		memcpy(&flags, (char *)elf + base + off, 8);
		if (cfg->partial)
			flags |= OPS_SWITCH_PARTIAL;
		memcpy((char *)elf + base + off, &flags, 8);

		if (btf_member(btf, t, "timeout_ms", &off, &msz) || msz != 4)
			continue;
		if (cfg->timeout_ms) {
			__u32 ms = cfg->timeout_ms;

			memcpy((char *)elf + base + off, &ms, 4);
		}
		found++;
	}
	btf__free(btf);
	if (found != 1) {
		set_err(err, len,
			"the object has %d struct %s (expected one)", found,
			OPS_TYPE);
		return -EINVAL;
	}
	return 0;
}

/* Offset of variable @name in ELF section @sec_name. */
static int elf_var(const void *elf, size_t size, const char *sec_name,
		   const char *name, size_t *off)
{
	struct elf_view e;
	unsigned int idx;

	if (elf_open(&e, elf, size) || !elf_sec(&e, sec_name, &idx))
		return -ENOENT;
	return elf_sym(&e, idx, name, off);
}

/* ---- loading ---- */

static struct bpf_map *internal_map(struct bpf_object *obj, const char *sfx)
{
	struct bpf_map *m;
	size_t n = strlen(sfx);

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t l = strlen(name);

		if (bpf_map__is_internal(m) && l >= n &&
		    !strcmp(name + l - n, sfx))
			return m;
	}
	return NULL;
}

static struct bpf_map *ops_map(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (bpf_map__type(m) == BPF_MAP_TYPE_STRUCT_OPS)
			return m;
	return NULL;
}

/* Before load: the struct_ops map becomes a link map; rodata knobs. */
static int configure(struct oesched *s, const struct plan *pl,
		     const void *elf, size_t size, char *err, size_t len)
{
	struct bpf_map *ops = ops_map(s->obj), *ro;
	size_t off, sz;
	void *val;
	int rc;

	if (!ops) {
		set_err(err, len, "%s has no struct_ops map", s->policy);
		return -EINVAL;
	}
	rc = bpf_map__set_map_flags(ops, bpf_map__map_flags(ops) | MAP_F_LINK);
	if (rc) {
		set_err(err, len, "struct_ops map flags: %s", strerror(-rc));
		return rc;
	}
	if (pl->policy != P_DOMAIN)
		return 0;

	ro = internal_map(s->obj, ".rodata");
	val = ro ? (void *)bpf_map__initial_value(ro, &sz) : NULL;
	if (!val || elf_var(elf, size, ".rodata", "nr_domains", &off) ||
	    off + sizeof(__u32) > sz) {
		set_err(err, len, "%s has no nr_domains", s->policy);
		return -EINVAL;
	}
	memcpy((char *)val + off, &(__u32){ pl->topo.nr_domains },
	       sizeof(__u32));
	return 0;
}

static int map_fd(struct oesched *s, const char *name, char *err, size_t len)
{
	struct bpf_map *m = bpf_object__find_map_by_name(s->obj, name);

	if (!m || bpf_map__fd(m) < 0) {
		set_err(err, len, "%s has no map %s", s->policy, name);
		return -ENOENT;
	}
	return bpf_map__fd(m);
}

static int update(int fd, const void *key, const void *val, const char *what,
		  char *err, size_t len)
{
	if (bpf_map_update_elem(fd, key, val, BPF_ANY)) {
		int rc = -errno;

		set_err(err, len, "filling %s: %s", what, strerror(-rc));
		return rc;
	}
	return 0;
}

/* After load, before attach: the maps from the config and topology. */
static int fill_maps(struct oesched *s, const struct plan *pl, char *err,
		     size_t len)
{
	const char *cg_map = pl->policy == P_QOS ? "cgrp_role" : "cgrp_domain";
	int fd, rc;

	if (pl->policy == P_FIFO)
		return 0;
	fd = map_fd(s, cg_map, err, len);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < pl->nr; i++) {
		rc = update(fd, &pl->cg[i].id, &pl->cg[i].val, cg_map, err,
			    len);
		if (rc)
			return rc;
	}

	if (pl->policy == P_QOS) {
		fd = map_fd(s, "cpu_smt", err, len);
		if (fd < 0)
			return fd;
		for (__u32 cpu = 0; cpu < OE_QOS_MAX_CPUS; cpu++) {
			if (!pl->smt[cpu].nr)
				continue;
			rc = update(fd, &cpu, &pl->smt[cpu], "cpu_smt", err,
				    len);
			if (rc)
				return rc;
		}
		return 0;
	}

	fd = map_fd(s, "domains", err, len);
	if (fd < 0)
		return fd;
	for (__u32 d = 0; d < (__u32)pl->topo.nr_domains; d++) {
		rc = update(fd, &d, &pl->topo.dom[d], "domains", err, len);
		if (rc)
			return rc;
	}
	return 0;
}

/* Register the scheduler: the link's fd, or -errno. */
static int attach(struct oesched *s, char *err, size_t len)
{
	struct bpf_map *ops = ops_map(s->obj);
	struct oesched_kstate ks;
	struct bpf_link *link;
	int fd, rc;

	/* With BPF_F_LINK this only gives the kernel the ops value. */
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		rc = -errno;
		set_err(err, len, "struct_ops map update: %s", strerror(-rc));
		return rc;
	}
	/* Its detach would delete from a link map, which fails: drop it. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);

	fd = bpf_link_create(bpf_map__fd(ops), 0, ATTACH_STRUCT_OPS, NULL);
	if (fd >= 0)
		return fd;
	rc = -errno;
	if (rc == -EBUSY && !oesched_kstate_read(NULL, &ks))
		set_err(err, len,
			"the kernel already runs a BPF scheduler (%s, state %s)",
			ks.ops[0] ? ks.ops : "?", ks.state);
	else if (rc == -EBUSY)
		set_err(err, len, "the kernel already runs a BPF scheduler");
	else
		set_err(err, len, "registering %s: %s", s->policy,
			strerror(-rc));
	return rc;
}

static void load_err(struct oesched *s, int rc, char *err, size_t len)
{
	if (access(OESCHED_SYSFS, F_OK))
		set_err(err, len,
			"loading %s: %s (the kernel has no sched_ext: CONFIG_SCHED_CLASS_EXT)",
			s->policy, strerror(-rc));
	else
		set_err(err, len, "loading %s: %s%s", s->policy,
			strerror(-rc),
			rc == -EPERM ? " (needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)" :
			rc == -EACCES || rc == -EINVAL ?
			" (the verifier said why, on stderr)" : "");
}

/* From an opened object on: configure, load, fill, attach. */
static int finish(struct oesched *s, const struct plan *pl,
		  struct bpf_object_skeleton *skel, const void *elf,
		  size_t size, char *err, size_t len)
{
	struct bpf_map *data;
	int rc;

	rc = configure(s, pl, elf, size, err, len);
	if (rc)
		return rc;
	rc = skel ? bpf_object__load_skeleton(skel) : bpf_object__load(s->obj);
	if (rc) {
		load_err(s, rc, err, len);
		return rc;
	}

	data = internal_map(s->obj, ".data");
	if (data && !elf_var(elf, size, ".data", "uei", &s->uei_off) &&
	    s->uei_off + sizeof(struct oe_sched_exit) <=
	    bpf_map__value_size(data)) {
		s->data_fd = bpf_map__fd(data);
		s->data_sz = bpf_map__value_size(data);
	}

	rc = fill_maps(s, pl, err, len);
	if (rc)
		return rc;
	rc = attach(s, err, len);
	if (rc < 0)
		return rc;
	s->link_fd = rc;
	return 0;
}

static struct oesched *new_handle(const char *policy)
{
	struct oesched *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	snprintf(s->policy, sizeof(s->policy), "%s", policy);
	s->link_fd = -1;
	s->data_fd = -1;
	return s;
}

static int read_obj(const char *path, void **buf, size_t *size, char *err,
		    size_t len)
{
	struct stat st;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		set_err(err, len, "%s: %s", path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	*size = (size_t)st.st_size;
	*buf = malloc(*size ? *size : 1);
	if (!*buf) {
		close(fd);
		set_err(err, len, "out of memory");
		return -ENOMEM;
	}
	n = read(fd, *buf, *size);
	rc = n < 0 ? -errno : (size_t)n != *size ? -EIO : 0;
	close(fd);
	if (rc) {
		set_err(err, len, "%s: %s", path, strerror(-rc));
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/*
 * Open the object image @elf (from @path) under the name @name and load
 * and attach it with @pl: the handle, or NULL with the error in @rc.
 */
static struct oesched *open_and_load(const char *name, const char *path,
				     const void *elf, size_t size,
				     const struct plan *pl, int *rc,
				     char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct oesched *s = new_handle(name);

	if (!s) {
		*rc = -ENOMEM;
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	opts.object_name = s->policy;
	s->obj = bpf_object__open_mem(elf, size, &opts);
	if (!s->obj) {
		*rc = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(-*rc));
		oesched_unload(s);
		return NULL;
	}
	s->own_obj = true;
	*rc = finish(s, pl, NULL, elf, size, err, errlen);
	if (*rc) {
		oesched_unload(s);
		return NULL;
	}
	return s;
}

int oesched_load(const struct oesched_cfg *cfg, struct oesched **out,
		 char *err, size_t errlen)
{
	struct plan *pl;
	void *elf = NULL;
	size_t size = 0;
	int rc;

	*out = NULL;
	pl = malloc(sizeof(*pl));
	if (!pl) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = make_plan(cfg, pl, true, err, errlen);
	if (!rc)
		rc = read_obj(pl->obj_path, &elf, &size, err, errlen);
	if (!rc)
		rc = patch_ops(elf, size, cfg, err, errlen);
	if (!rc)
		*out = open_and_load(cfg->policy, pl->obj_path, elf, size, pl,
				     &rc, err, errlen);
	free(elf);
	free(pl);
	return rc;
}

int oesched_load_file(const char *path, struct oesched **out, char *err,
		      size_t errlen)
{
	const char *base = strrchr(path, '/');
	struct plan *pl;
	void *elf = NULL;
	size_t size = 0;
	int rc;

	*out = NULL;
	/* As oe_fifo: a struct_ops and nothing to fill in. */
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pl->policy = P_FIFO;
	rc = read_obj(path, &elf, &size, err, errlen);
	if (!rc)
		*out = open_and_load(base ? base + 1 : path, path, elf, size,
				     pl, &rc, err, errlen);
	free(elf);
	free(pl);
	return rc;
}

int oesched_load_skel(const struct oesched_cfg *cfg,
		      struct bpf_object_skeleton *skel, struct oesched **out,
		      char *err, size_t errlen)
{
	const void *orig = skel ? skel->data : NULL;
	struct oesched *s = NULL;
	struct plan *pl;
	void *elf = NULL;
	size_t size = 0;
	int rc;

	*out = NULL;
	if (!skel || !orig) {
		set_err(err, errlen, "no skeleton");
		return -EINVAL;
	}
	pl = malloc(sizeof(*pl));
	if (!pl) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = make_plan(cfg, pl, false, err, errlen);
	if (rc)
		goto out;
	size = skel->data_sz;
	elf = malloc(size ? size : 1);
	if (!elf) {
		rc = -ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	memcpy(elf, orig, size);
	rc = patch_ops(elf, size, cfg, err, errlen);
	if (rc)
		goto out;

	s = new_handle(cfg->policy);
	if (!s) {
		rc = -ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	/* libbpf copies what it needs out of the ELF while opening. */
	skel->data = elf;
	rc = bpf_object__open_skeleton(skel, NULL);
	skel->data = orig;
	if (rc) {
		set_err(err, errlen, "opening %s: %s", s->policy,
			strerror(-rc));
		goto out;
	}
	s->obj = *skel->obj;
	rc = finish(s, pl, skel, elf, size, err, errlen);
out:
	if (rc) {
		oesched_unload(s);
		s = NULL;
	}
	*out = s;
	free(elf);
	free(pl);
	return rc;
}

bool oesched_exit_info(const struct oesched *s, struct oe_sched_exit *ei)
{
	__u32 zero = 0;
	void *buf;
	bool ok;

	memset(ei, 0, sizeof(*ei));
	if (!s || s->data_fd < 0)
		return false;
	buf = malloc(s->data_sz);
	if (!buf)
		return false;
	ok = !bpf_map_lookup_elem(s->data_fd, &zero, buf);
	if (ok)
		memcpy(ei, (char *)buf + s->uei_off, sizeof(*ei));
	free(buf);
	ei->reason[sizeof(ei->reason) - 1] = '\0';
	ei->msg[sizeof(ei->msg) - 1] = '\0';
	return ok && ei->kind != 0;
}

int oesched_reattach(struct oesched *s, char *err, size_t errlen)
{
	int fd;

	if (!s || s->link_fd >= 0) {
		set_err(err, errlen, "not detached");
		return -EALREADY;
	}
	/* The kernel kept the ops value: a new link registers it again. */
	fd = bpf_link_create(bpf_map__fd(ops_map(s->obj)), 0,
			     ATTACH_STRUCT_OPS, NULL);
	if (fd < 0) {
		fd = -errno;
		set_err(err, errlen, "registering %s again: %s", s->policy,
			strerror(-fd));
		return fd;
	}
	s->link_fd = fd;
	return 0;
}

void oesched_detach(struct oesched *s)
{
	/* Closing the only reference to the link unregisters the ops. */
	if (s && s->link_fd >= 0) {
		close(s->link_fd);
		s->link_fd = -1;
	}
}

void oesched_unload(struct oesched *s)
{
	if (!s)
		return;
	oesched_detach(s);
	if (s->own_obj)
		bpf_object__close(s->obj);
	free(s);
}
