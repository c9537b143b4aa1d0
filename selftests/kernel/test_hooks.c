// SPDX-License-Identifier: GPL-2.0-only
/*
 * Knobs that make the kernel misbehave on purpose, so the test harness can
 * prove it notices. Built only into the debug flavor.
 *
 *   echo warn > /sys/kernel/debug/dmabuf_pp_test/trigger   WARN splat
 *   echo leak > /sys/kernel/debug/dmabuf_pp_test/trigger   kmemleak report
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static ssize_t trigger_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char cmd[16];
	void *lost;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	strim(cmd);

	if (!strcmp(cmd, "warn")) {
		WARN(1, "dmabuf_pp_test: WARN requested through debugfs\n");
	} else if (!strcmp(cmd, "leak")) {
		/*
		 * Poison the object so no stale word in it looks like a
		 * pointer, and drop the only reference on return.
		 */
		lost = kmalloc(256, GFP_KERNEL);
		if (!lost)
			return -ENOMEM;
		memset(lost, 0x5a, 256);
		pr_info("dmabuf_pp_test: leaked 256 bytes on request\n");
	} else {
		return -EINVAL;
	}
	return len;
}

static const struct file_operations trigger_fops = {
	.owner = THIS_MODULE,
	.write = trigger_write,
	.llseek = noop_llseek,
};

static int __init dmabuf_pp_test_hooks_init(void)
{
	struct dentry *dir = debugfs_create_dir("dmabuf_pp_test", NULL);

	debugfs_create_file("trigger", 0200, dir, NULL, &trigger_fops);
	return 0;
}
late_initcall(dmabuf_pp_test_hooks_init);
