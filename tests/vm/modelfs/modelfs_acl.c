// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs_acl FILE GID: give FILE the POSIX access ACL
 *   user::rw- group::--- group:GID:r-- mask::r-- other::---
 * so that its mode shows group r-- (the mask) while the owning group is
 * denied. Written as the raw system.posix_acl_access xattr: the guest has
 * no setfacl.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

/* include/uapi/linux/posix_acl_xattr.h and posix_acl.h */
#define ACL_XATTR_VERSION	2
#define ACL_USER_OBJ		0x01
#define ACL_GROUP_OBJ		0x04
#define ACL_GROUP		0x08
#define ACL_MASK		0x10
#define ACL_OTHER		0x20
#define ACL_UNDEFINED_ID	0xffffffffu

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
};

int main(int argc, char **argv)
{
	struct {
		uint32_t version;
		struct acl_entry e[5];
	} acl = { ACL_XATTR_VERSION, {
		{ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID },
		{ ACL_GROUP_OBJ, 0, ACL_UNDEFINED_ID },
		{ ACL_GROUP, 4, 0 },
		{ ACL_MASK, 4, ACL_UNDEFINED_ID },
		{ ACL_OTHER, 0, ACL_UNDEFINED_ID },
	} };

	if (argc != 3) {
		fprintf(stderr, "usage: modelfs_acl FILE GID\n");
		return 2;
	}
	acl.e[2].id = (uint32_t)strtoul(argv[2], NULL, 10);
	if (setxattr(argv[1], "system.posix_acl_access", &acl, sizeof(acl), 0)) {
		fprintf(stderr, "modelfs_acl: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
