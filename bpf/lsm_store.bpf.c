/* lsm_store.bpf.c - BPF LSM hooks on template stores: only a store's holder app creates, links, renames or removes anything under one (opens: lsm_files.bpf.c). */
#include "store.bpf.h"

SEC("lsm/inode_create")
int BPF_PROG(bf_lsm_store_create, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_CREATE);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(bf_lsm_store_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_CREATE);
}

SEC("lsm/inode_mknod")
int BPF_PROG(bf_lsm_store_mknod, struct inode *dir, struct dentry *dentry, umode_t mode, dev_t dev,
	     int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_CREATE);
}

SEC("lsm/inode_symlink")
int BPF_PROG(bf_lsm_store_symlink, struct inode *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_CREATE);
}

/* A hard link out of a store would be a second name outside it; one into it, a planted template. */
SEC("lsm/inode_link")
int BPF_PROG(bf_lsm_store_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry,
	     int ret)
{
	if (ret)
		return ret;
	ret = bf_store_guard(old_dentry, BF_STORE_LINK);
	return ret ?: bf_store_guard(new_dentry, BF_STORE_LINK);
}

SEC("lsm/inode_rename")
int BPF_PROG(bf_lsm_store_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = bf_store_guard(old_dentry, BF_STORE_RENAME);
	return ret ?: bf_store_guard(new_dentry, BF_STORE_RENAME);
}

SEC("lsm/inode_unlink")
int BPF_PROG(bf_lsm_store_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_REMOVE);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(bf_lsm_store_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return bf_store_guard(dentry, BF_STORE_REMOVE);
}
