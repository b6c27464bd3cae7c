/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cgroup a task is configured by: its own cgroup on the default
 * hierarchy or the nearest ancestor listed in a map keyed by cgroup id
 * (the cgroup2 directory's inode number, kernfs_node.id). Included by
 * the policies after <scx/common.bpf.h>.
 */
#ifndef OE_CGROUP_BPF_H
#define OE_CGROUP_BPF_H

/* Deeper cgroups are matched on their first OE_CGRP_MAX_LEVEL ancestors. */
#define OE_CGRP_MAX_LEVEL	32

/* The id of @p's cgroup2 cgroup: cheap, for checking a cached answer. */
static __always_inline u64 oe_task_cgid(struct task_struct *p)
{
	return p->cgroups->dfl_cgrp->kn->id;
}

/*
 * The value @map holds for @p's cgroup or its nearest listed ancestor,
 * or NULL. ancestors[] is indexed by level (0: the root, level: the
 * cgroup itself); it is read with probe reads, since the verifier takes
 * no variable offsets into kernel objects.
 */
static __always_inline void *oe_cgrp_lookup(void *map, struct task_struct *p)
{
	struct cgroup *cgrp, *anc;
	u64 off, id;
	int level, i;
	void *v;

	cgrp = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	if (!cgrp)
		return NULL;
	level = BPF_CORE_READ(cgrp, level);
	off = bpf_core_field_offset(struct cgroup, ancestors);

	for (i = 0; i < OE_CGRP_MAX_LEVEL; i++) {
		if (level - i < 0)
			break;
		anc = NULL;
		if (bpf_probe_read_kernel(&anc, sizeof(anc),
					  (void *)cgrp + off +
					  (level - i) * sizeof(anc)) || !anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		v = bpf_map_lookup_elem(map, &id);
		if (v)
			return v;
	}
	return NULL;
}

#endif /* OE_CGROUP_BPF_H */
