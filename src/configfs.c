// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: devices made at run time through configfs.
 *
 *   mkdir /sys/kernel/config/nvmev/<name>       a device, not attached yet
 *   echo zns > .../<name>/kind                  its settings (below)
 *   echo 1 > .../<name>/power                   attach: the nvme driver binds
 *   echo 0 > .../<name>/power                   detach (hot removal)
 *   rmdir /sys/kernel/config/nvmev/<name>       free it (detaching first)
 *
 * Each attribute takes the value its module parameter of the same name
 * takes; a bad one is refused with EINVAL and one line in dmesg, and a
 * write while the device is attached with EBUSY.  Devices made here keep
 * their data in RAM and take a BAR slot of the one memmap= reservation.
 * Every configured device holds a reference on the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/configfs.h>
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/ctype.h>
#include <linux/mm.h>

#include "nvmev.h"

#define CFS_STR		256		/* longest key=value list */

/* One configfs device: its settings as written, and the device if on. */
struct nvmev_cfs_dev {
	struct config_group group;
	struct config_group ns_group;	/* namespaces/ */
	struct list_head namespaces;	/* nvmev_cfs_ns, under lock */
	struct mutex lock;		/* settings, namespaces and power */
	struct nvmev_dev *dev;		/* attached, or NULL */
	char kind[8];			/* nvm, ssd, zns, kv */
	char capacity[24];		/* namespace 1, e.g. 1G */
	char cpus[128];			/* dispatcher, workers; empty: not pinned */
	char dispatcher[NVMEV_NAME_LEN];	/* shared group; empty: its own */
	char profile[16];		/* SSD profile */
	char ssd[CFS_STR];		/* ssd= list */
	char zns[CFS_STR];		/* zns= list */
	char kv[CFS_STR];		/* kv= list */
	char serial[21];		/* Identify SN and /dev/nvmev/ link name */
	char model[41];			/* Identify MN */
	unsigned int lba_size;		/* 512 or 4096 */
	unsigned int mdts;		/* log2 of 4 KiB pages */
	unsigned int io_queues;		/* I/O queue pairs */
	unsigned int poll_idle_us;	/* dispatcher busy-poll window */
	unsigned int volatile_cache_mib;	/* unflushed writes a power cut drops */
	bool cut;			/* dev kept through a power cut, off the bus */
};

/*
 * One namespace directory, <dev>/namespaces/<nsid>.  Empty settings are
 * the device's; all are read when the device is attached.
 */
struct nvmev_cfs_ns {
	struct config_item item;
	struct nvmev_cfs_dev *d;	/* its device */
	struct list_head node;		/* in d->namespaces */
	u32 nsid;
	char kind[8];			/* nvm, ssd, zns, kv */
	char size[24];			/* bytes, e.g. 4G */
	char profile[16];		/* SSD profile */
	char ssd[CFS_STR];		/* ssd= list */
	char zns[CFS_STR];		/* zns= list */
	char kv[CFS_STR];		/* kv= list */
	unsigned int lba_size;		/* 512 or 4096; 0: the device's */
	char faults[CFS_STR];		/* fault injection; changes while on too */
};

static struct nvmev_cfs_dev *to_cfs_dev(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_cfs_dev, group);
}

static struct nvmev_cfs_ns *to_cfs_ns(struct config_item *item)
{
	return container_of(item, struct nvmev_cfs_ns, item);
}

/* Copy a written value without its trailing newline; -EINVAL if too long. */
static int cfs_copy(struct nvmev_cfs_dev *d, const char *attr,
		    char *dst, size_t size, const char *page, size_t count)
{
	size_t n = strnlen(page, count);

	while (n && (page[n - 1] == '\n' || page[n - 1] == ' '))
		n--;
	if (n >= size) {
		pr_err("%s/%s: at most %zu characters\n",
		       config_item_name(&d->group.cg_item), attr, size - 1);
		return -EINVAL;
	}
	memcpy(dst, page, n);
	dst[n] = '\0';
	return 0;
}

/* Settings change only while the device is off. */
static int cfs_lock_off(struct nvmev_cfs_dev *d, const char *attr)
{
	mutex_lock(&d->lock);
	if (d->dev) {
		mutex_unlock(&d->lock);
		pr_err("%s/%s: the device is on; echo 0 > power first\n",
		       config_item_name(&d->group.cg_item), attr);
		return -EBUSY;
	}
	return 0;
}

/* A checker says why a value is bad (one line in dmesg) and returns -EINVAL. */
typedef int (*cfs_check_fn)(struct nvmev_cfs_dev *d, const char *attr,
			    const char *val);

static ssize_t cfs_str_store(struct nvmev_cfs_dev *d, const char *attr,
			     char *field, size_t size, cfs_check_fn check,
			     const char *page, size_t count)
{
	char *val;
	int ret;

	val = kzalloc(size, GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	ret = cfs_copy(d, attr, val, size, page, count);
	if (!ret)
		ret = cfs_lock_off(d, attr);
	if (ret)
		goto out;
	ret = check ? check(d, attr, val) : 0;
	if (!ret)
		strscpy(field, val, size);
	mutex_unlock(&d->lock);
out:
	kfree(val);
	return ret ? ret : count;
}

static ssize_t cfs_uint_store(struct nvmev_cfs_dev *d, const char *attr,
			      unsigned int *field, unsigned int min,
			      unsigned int max, const char *page, size_t count)
{
	unsigned int v;
	int ret;

	if (kstrtouint(page, 0, &v) || v < min || v > max) {
		pr_err("%s/%s: use a number from %u to %u\n",
		       config_item_name(&d->group.cg_item), attr, min, max);
		return -EINVAL;
	}
	ret = cfs_lock_off(d, attr);
	if (ret)
		return ret;
	*field = v;
	mutex_unlock(&d->lock);
	return count;
}

static int check_kind(struct nvmev_cfs_dev *d, const char *attr,
		      const char *val)
{
	if (nvmev_kind_by_name(val))
		return 0;
	pr_err("%s/%s: '%s' is not a device kind (supported: %s)\n",
	       config_item_name(&d->group.cg_item), attr, val, NVMEV_KIND_NAMES);
	return -EINVAL;
}

static int check_capacity(struct nvmev_cfs_dev *d, const char *attr,
			  const char *val)
{
	char *end;
	u64 cap = memparse(val, &end);

	if (end != val && !*end && cap && cap % SZ_4K == 0 &&
	    cap <= (1ULL << 50))
		return 0;
	pr_err("%s/%s: '%s' is not a size from 4K to 1P in multiples of 4K (e.g. 8G)\n",
	       config_item_name(&d->group.cg_item), attr, val);
	return -EINVAL;
}

static int check_cpus(struct nvmev_cfs_dev *d, const char *attr,
		      const char *val)
{
	struct nvmev_config *cfg;
	int ret;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	/* Says why in dmesg, as the module parameter does. */
	ret = nvmev_parse_cpus(val, cfg);
	kfree(cfg);
	return ret;
}

static int check_dispatcher(struct nvmev_cfs_dev *d, const char *attr,
			    const char *val)
{
	if (!*val || nvmev_name_ok(val))
		return 0;
	pr_err("%s/dispatcher: '%s': name a group with 1 to %d of a-z, 0-9, '_', '-' (empty: a dispatcher of its own)\n",
	       config_item_name(&d->group.cg_item), val, NVMEV_NAME_LEN - 1);
	return -EINVAL;
}

static int check_profile(struct nvmev_cfs_dev *d, const char *attr,
			 const char *val)
{
	struct ssd_params p;

	if (!ssd_profile_get(val, &p))
		return 0;
	pr_err("%s/%s: '%s': use one of 970pro, tlc-dc\n",
	       config_item_name(&d->group.cg_item), attr, val);
	return -EINVAL;
}

/* ssd=, zns= and kv= lists: each key must parse; the whole is checked at power. */
static int check_params(struct nvmev_cfs_dev *d, const char *attr,
			const char *val)
{
	const char *key = strrchr(attr, '/') ? strrchr(attr, '/') + 1 : attr;
	const char *why = NULL;
	int ret = 0;

	if (!*val)
		return 0;
	if (!strcmp(key, "ssd")) {
		struct ssd_params p;

		ssd_profile_get("970pro", &p);
		ret = ssd_params_parse(&p, val, &why);
	} else if (!strcmp(key, "zns")) {
		struct zns_params p;

		zns_default_params(&p);
		ret = zns_params_parse(&p, val, &why);
	} else {
		struct kv_params p;

		kv_default_params(&p);
		ret = kv_params_parse(&p, val, &why);
	}
	if (ret)
		pr_err("%s/%s: '%s' refused: %s\n", config_item_name(&d->group.cg_item),
		       attr, val, why);
	return ret;
}

/* Serials name the /dev/nvmev/ link: letters, digits, '.', '_', '-'. */
static int check_serial(struct nvmev_cfs_dev *d, const char *attr,
			const char *val)
{
	const char *c;

	for (c = val; *c; c++)
		if (!isalnum(*c) && *c != '.' && *c != '_' && *c != '-')
			break;
	if (*val && !*c)
		return 0;
	pr_err("%s/serial: '%s': use 1 to 20 letters, digits, '.', '_' or '-'\n",
	       config_item_name(&d->group.cg_item), val);
	return -EINVAL;
}

static int check_model(struct nvmev_cfs_dev *d, const char *attr,
		       const char *val)
{
	const char *c;

	for (c = val; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			break;
	if (*val && !*c)
		return 0;
	pr_err("%s/model: use 1 to 40 printable ASCII characters\n",
	       config_item_name(&d->group.cg_item));
	return -EINVAL;
}

#define CFS_STR_ATTR(field, check)					\
static ssize_t cfs_##field##_show(struct config_item *item, char *page)	\
{									\
	struct nvmev_cfs_dev *d = to_cfs_dev(item);			\
	ssize_t n;							\
									\
	mutex_lock(&d->lock);						\
	n = sysfs_emit(page, "%s\n", d->field);				\
	mutex_unlock(&d->lock);						\
	return n;							\
}									\
static ssize_t cfs_##field##_store(struct config_item *item,		\
				   const char *page, size_t count)	\
{									\
	struct nvmev_cfs_dev *d = to_cfs_dev(item);			\
									\
	return cfs_str_store(d, #field, d->field, sizeof(d->field),	\
			     check, page, count);			\
}									\
CONFIGFS_ATTR(cfs_, field)

#define CFS_UINT_ATTR(field, min, max)					\
static ssize_t cfs_##field##_show(struct config_item *item, char *page)	\
{									\
	return sysfs_emit(page, "%u\n", READ_ONCE(to_cfs_dev(item)->field)); \
}									\
static ssize_t cfs_##field##_store(struct config_item *item,		\
				   const char *page, size_t count)	\
{									\
	struct nvmev_cfs_dev *d = to_cfs_dev(item);			\
									\
	return cfs_uint_store(d, #field, &d->field, min, max, page,	\
			      count);					\
}									\
CONFIGFS_ATTR(cfs_, field)

CFS_STR_ATTR(kind, check_kind);
CFS_STR_ATTR(capacity, check_capacity);
CFS_STR_ATTR(cpus, check_cpus);
CFS_STR_ATTR(dispatcher, check_dispatcher);
CFS_STR_ATTR(profile, check_profile);
CFS_STR_ATTR(ssd, check_params);
CFS_STR_ATTR(zns, check_params);
CFS_STR_ATTR(kv, check_params);
CFS_STR_ATTR(serial, check_serial);
CFS_STR_ATTR(model, check_model);
CFS_UINT_ATTR(mdts, 1, 10);
CFS_UINT_ATTR(io_queues, 1, NVMEV_MAX_IO_QUEUES);
CFS_UINT_ATTR(poll_idle_us, 0, USEC_PER_SEC);
CFS_UINT_ATTR(volatile_cache_mib, 0, 65536);

static ssize_t cfs_lba_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_cfs_dev(item)->lba_size));
}

static ssize_t cfs_lba_size_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	unsigned int v;
	int ret;

	if (kstrtouint(page, 0, &v) || (v != 512 && v != 4096)) {
		pr_err("%s/lba_size: use 512 or 4096\n",
		       config_item_name(&d->group.cg_item));
		return -EINVAL;
	}
	ret = cfs_lock_off(d, "lba_size");
	if (ret)
		return ret;
	d->lba_size = v;
	mutex_unlock(&d->lock);
	return count;
}
CONFIGFS_ATTR(cfs_, lba_size);

/* ---- namespaces/<nsid> ---- */

/* Namespace settings left empty take the device's. */
static int check_ns_kind(struct nvmev_cfs_dev *d, const char *attr,
			 const char *val)
{
	return *val ? check_kind(d, attr, val) : 0;
}

static int check_ns_size(struct nvmev_cfs_dev *d, const char *attr,
			 const char *val)
{
	return *val ? check_capacity(d, attr, val) : 0;
}

static int check_ns_profile(struct nvmev_cfs_dev *d, const char *attr,
			    const char *val)
{
	return *val ? check_profile(d, attr, val) : 0;
}

#define CFS_NS_STR_ATTR(field, check)					\
static ssize_t cfs_ns_##field##_show(struct config_item *item, char *page) \
{									\
	struct nvmev_cfs_ns *n = to_cfs_ns(item);			\
	ssize_t len;							\
									\
	mutex_lock(&n->d->lock);					\
	len = sysfs_emit(page, "%s\n", n->field);			\
	mutex_unlock(&n->d->lock);					\
	return len;							\
}									\
static ssize_t cfs_ns_##field##_store(struct config_item *item,	\
				      const char *page, size_t count)	\
{									\
	struct nvmev_cfs_ns *n = to_cfs_ns(item);			\
	char attr[32];							\
									\
	snprintf(attr, sizeof(attr), "namespaces/%u/%s", n->nsid, #field); \
	return cfs_str_store(n->d, attr, n->field, sizeof(n->field),	\
			     check, page, count);			\
}									\
CONFIGFS_ATTR(cfs_ns_, field)

CFS_NS_STR_ATTR(kind, check_ns_kind);
CFS_NS_STR_ATTR(size, check_ns_size);
CFS_NS_STR_ATTR(profile, check_ns_profile);
CFS_NS_STR_ATTR(ssd, check_params);
CFS_NS_STR_ATTR(zns, check_params);
CFS_NS_STR_ATTR(kv, check_params);

static ssize_t cfs_ns_lba_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_cfs_ns(item)->lba_size));
}

static ssize_t cfs_ns_lba_size_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	char attr[32];
	unsigned int v;
	int ret;

	snprintf(attr, sizeof(attr), "namespaces/%u/lba_size", n->nsid);
	if (kstrtouint(page, 0, &v) || (v && v != 512 && v != 4096)) {
		pr_err("%s/%s: use 512 or 4096 (0: the device's)\n",
		       config_item_name(&n->d->group.cg_item), attr);
		return -EINVAL;
	}
	ret = cfs_lock_off(n->d, attr);
	if (ret)
		return ret;
	n->lba_size = v;
	mutex_unlock(&n->d->lock);
	return count;
}
CONFIGFS_ATTR(cfs_ns_, lba_size);

/*
 * Fault injection (inject.c).  Unlike the settings above these change
 * while the device is on, under I/O: "faults" is kept and applied again at
 * each power on; the media ranges live in the namespace while it is on.
 */

/* The live namespace of @n, with d->lock and the device's ns_lock held. */
static struct nvmev_ns *cfs_ns_live(struct nvmev_cfs_ns *n)
{
	struct nvmev_dev *dev;

	mutex_lock(&n->d->lock);
	dev = n->d->dev;
	if (!dev)
		return NULL;
	mutex_lock(&dev->ns_lock);
	return READ_ONCE(dev->ns[n->nsid]);
}

static void cfs_ns_unlock(struct nvmev_cfs_ns *n)
{
	if (n->d->dev)
		mutex_unlock(&n->d->dev->ns_lock);
	mutex_unlock(&n->d->lock);
}

static ssize_t cfs_ns_faults_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	ssize_t len;

	mutex_lock(&n->d->lock);
	len = sysfs_emit(page, "%s\n", n->faults);
	mutex_unlock(&n->d->lock);
	return len;
}

static ssize_t cfs_ns_faults_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	const char *why = "";
	struct fault_cfg probe;
	struct nvmev_ns *ns;
	char *val;
	int ret;

	val = kzalloc(CFS_STR, GFP_KERNEL);
	ret = val ? 0 : -ENOMEM;
	if (!ret)
		ret = cfs_copy(n->d, "faults", val, CFS_STR, page, count);
	if (ret)
		goto out;
	ns = cfs_ns_live(n);
	if (ns)
		ret = nvmev_fault_set(ns, val, &why);
	else
		ret = fault_cfg_parse(&probe, val, &why);
	if (!ret)
		strscpy(n->faults, val, sizeof(n->faults));
	else
		pr_err("%s/namespaces/%u/faults: %s\n",
		       config_item_name(&n->d->group.cg_item), n->nsid, why);
	cfs_ns_unlock(n);
out:
	kfree(val);
	return ret ? ret : count;
}
CONFIGFS_ATTR(cfs_ns_, faults);

static ssize_t cfs_ns_range_show(struct config_item *item, char *page,
				 enum fault_op op)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	struct nvmev_ns *ns = cfs_ns_live(n);
	ssize_t len = ns ? nvmev_fault_show_ranges(ns, op, page) : 0;

	cfs_ns_unlock(n);
	return len;
}

static ssize_t cfs_ns_range_store(struct config_item *item, const char *page,
				  size_t count, enum fault_op op)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	const char *attr = op == FAULT_READ ? "bad_read" : "bad_write";
	const char *why = "the device is off; echo 1 > power first";
	struct nvmev_ns *ns;
	char val[48];
	int ret;

	ret = cfs_copy(n->d, attr, val, sizeof(val), page, count);
	if (ret)
		return ret;
	ns = cfs_ns_live(n);
	ret = ns ? nvmev_fault_range(ns, op, val, &why) : -ENODEV;
	if (ret)
		pr_err("%s/namespaces/%u/%s: %s\n",
		       config_item_name(&n->d->group.cg_item), n->nsid, attr,
		       why);
	cfs_ns_unlock(n);
	return ret ? ret : count;
}

#define CFS_NS_RANGE_ATTR(field, op)					\
static ssize_t cfs_ns_##field##_show(struct config_item *item, char *page) \
{									\
	return cfs_ns_range_show(item, page, op);			\
}									\
static ssize_t cfs_ns_##field##_store(struct config_item *item,	\
				      const char *page, size_t count)	\
{									\
	return cfs_ns_range_store(item, page, count, op);		\
}									\
CONFIGFS_ATTR(cfs_ns_, field)

CFS_NS_RANGE_ATTR(bad_read, FAULT_READ);
CFS_NS_RANGE_ATTR(bad_write, FAULT_WRITE);

static ssize_t cfs_ns_fault_stats_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);
	struct nvmev_ns *ns = cfs_ns_live(n);
	ssize_t len = ns ? nvmev_fault_show_stats(ns, page) : 0;

	cfs_ns_unlock(n);
	return len;
}
CONFIGFS_ATTR_RO(cfs_ns_, fault_stats);

/* At power on: each namespace directory's faults, on its namespace. */
static void cfs_apply_faults(struct nvmev_cfs_dev *d)
{
	struct nvmev_cfs_ns *n;
	const char *why;

	mutex_lock(&d->dev->ns_lock);
	list_for_each_entry(n, &d->namespaces, node) {
		struct nvmev_ns *ns = d->dev->ns[n->nsid];

		if (ns && n->faults[0] && nvmev_fault_set(ns, n->faults, &why))
			pr_err("%s/namespaces/%u/faults: %s\n",
			       config_item_name(&d->group.cg_item), n->nsid,
			       why);
	}
	mutex_unlock(&d->dev->ns_lock);
}

static struct configfs_attribute *cfs_ns_attrs[] = {
	&cfs_ns_attr_faults,
	&cfs_ns_attr_bad_read,
	&cfs_ns_attr_bad_write,
	&cfs_ns_attr_fault_stats,
	&cfs_ns_attr_kind,
	&cfs_ns_attr_size,
	&cfs_ns_attr_lba_size,
	&cfs_ns_attr_profile,
	&cfs_ns_attr_ssd,
	&cfs_ns_attr_zns,
	&cfs_ns_attr_kv,
	NULL,
};

static void cfs_ns_release(struct config_item *item)
{
	kfree(to_cfs_ns(item));
}

static struct configfs_item_operations cfs_ns_ops = {
	.release	= cfs_ns_release,
};

static const struct config_item_type cfs_ns_type = {
	.ct_item_ops	= &cfs_ns_ops,
	.ct_attrs	= cfs_ns_attrs,
	.ct_owner	= THIS_MODULE,
};

/* mkdir namespaces/<nsid>: read at the next power on. */
static struct config_item *cfs_make_ns(struct config_group *group,
				       const char *name)
{
	struct nvmev_cfs_dev *d = container_of(group, struct nvmev_cfs_dev,
					       ns_group);
	struct nvmev_cfs_ns *n, *o;
	u32 nsid;

	if (kstrtou32(name, 10, &nsid) || !nsid || nsid > NVMEV_MAX_NS ||
	    name[0] == '0') {
		pr_err("%s/namespaces: '%s': name a namespace by its NSID, 1 to %d\n",
		       config_item_name(&d->group.cg_item), name, NVMEV_MAX_NS);
		return ERR_PTR(-EINVAL);
	}
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->d = d;
	n->nsid = nsid;
	config_item_init_type_name(&n->item, name, &cfs_ns_type);
	mutex_lock(&d->lock);
	/* Sorted by NSID. */
	list_for_each_entry(o, &d->namespaces, node)
		if (o->nsid > nsid)
			break;
	list_add_tail(&n->node, &o->node);
	mutex_unlock(&d->lock);
	return &n->item;
}

static void cfs_drop_ns(struct config_group *group, struct config_item *item)
{
	struct nvmev_cfs_ns *n = to_cfs_ns(item);

	mutex_lock(&n->d->lock);
	list_del(&n->node);
	mutex_unlock(&n->d->lock);
	config_item_put(item);
}

static struct configfs_group_operations cfs_nss_ops = {
	.make_item	= cfs_make_ns,
	.drop_item	= cfs_drop_ns,
};

static const struct config_item_type cfs_nss_type = {
	.ct_group_ops	= &cfs_nss_ops,
	.ct_owner	= THIS_MODULE,
};

/*
 * The namespaces of the directories, each checked by the config builder
 * over the device's settings.  Returns how many (0: none, namespace 1 then
 * comes from the device's attributes) or an error; *sum gets their bytes.
 */
static int cfs_ns_specs(struct nvmev_cfs_dev *d, const struct nvmev_params *p,
			struct nvmev_ns_spec **specs,
			struct nvmev_kind_params **kps, u64 *sum)
{
	const char *name = config_item_name(&d->group.cg_item);
	struct nvmev_config *tmp;
	struct nvmev_cfs_ns *n;
	int nr = 0, i = 0, ret = 0;

	*sum = 0;
	list_for_each_entry(n, &d->namespaces, node)
		nr++;
	if (!nr)
		return 0;
	*specs = kcalloc(nr, sizeof(**specs), GFP_KERNEL);
	*kps = kcalloc(nr, sizeof(**kps), GFP_KERNEL);
	tmp = kzalloc(sizeof(*tmp), GFP_KERNEL);
	if (!*specs || !*kps || !tmp) {
		ret = -ENOMEM;
		goto out;
	}
	list_for_each_entry(n, &d->namespaces, node) {
		struct nvmev_params q = *p;
		char what[24];

		snprintf(what, sizeof(what), "namespace %u", n->nsid);
		q.what = what;
		q.kind = n->kind[0] ? n->kind : p->kind;
		q.capacity = n->size[0] ? n->size : p->capacity;
		q.lba_size = n->lba_size ? n->lba_size : p->lba_size;
		q.profile = n->profile[0] ? n->profile : p->profile;
		q.ssd = n->ssd[0] ? n->ssd : p->ssd;
		q.zns = n->zns[0] ? n->zns : p->zns;
		q.kv = n->kv[0] ? n->kv : p->kv;
		ret = nvmev_build_config(&q, tmp);
		if (ret) {
			pr_err("%s: not attached: fix namespaces/%u (the line above says why)\n",
			       name, n->nsid);
			goto out;
		}
		(*kps)[i] = tmp->kp;
		(*specs)[i] = (struct nvmev_ns_spec) {
			.nsid = n->nsid, .kind = tmp->kind,
			.capacity = tmp->capacity, .lba_shift = tmp->lba_shift,
			.kp = &(*kps)[i],
		};
		*sum += tmp->capacity;
		i++;
	}
	ret = nr;
out:
	kfree(tmp);
	return ret;
}

/* Build the config from the settings and attach the device. */
static int cfs_power_on(struct nvmev_cfs_dev *d)
{
	const char *name = config_item_name(&d->group.cg_item);
	struct nvmev_params p = {
		.kind = d->kind, .backing = "ram", .capacity = d->capacity,
		.cpus = d->cpus, .dispatcher = d->dispatcher,
		.profile = d->profile,
		.ssd = d->ssd[0] ? d->ssd : NULL,
		.zns = d->zns[0] ? d->zns : NULL,
		.kv = d->kv[0] ? d->kv : NULL,
		.lba_size = d->lba_size, .mdts = d->mdts,
		.io_queues = d->io_queues, .poll_idle_us = d->poll_idle_us,
		.sleep_max_us = 100000, .spin_ns = 20000,
	};
	struct nvmev_kind_params *kps = NULL;
	struct nvmev_ns_spec *specs = NULL;
	struct nvmev_config *cfg;
	char sum_s[24], total_s[24];
	int nr, i, ret;
	u64 sum;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	nr = cfs_ns_specs(d, &p, &specs, &kps, &sum);
	if (nr < 0) {
		ret = nr;
		goto out;
	}
	if (nr) {
		/*
		 * The namespaces take sum bytes of the total; capacity, if
		 * larger, leaves the rest to nvme create-ns.
		 */
		snprintf(sum_s, sizeof(sum_s), "%llu", sum);
		snprintf(total_s, sizeof(total_s), "%llu",
			 max(sum, memparse(d->capacity, NULL)));
		p.capacity = sum_s;
		p.total_capacity = total_s;
		p.own_namespaces = true;
	}
	ret = nvmev_build_config(&p, cfg);
	if (ret) {
		pr_err("%s: not attached: fix the setting named above\n", name);
		goto out;
	}
	/* Zone Append's limit is the controller's (ZASL): the device's zns=. */
	for (i = 0; i < nr; i++)
		kps[i].zns.zasl_bytes = cfg->kp.zns.zasl_bytes;
	cfg->ns_specs = specs;
	cfg->nr_ns_specs = nr;
	strscpy(cfg->name, name, sizeof(cfg->name));
	cfg->id_seed = jhash(name, strlen(name), 0x6e766d65);
	strscpy(cfg->serial, d->serial, sizeof(cfg->serial));
	strscpy(cfg->model, d->model, sizeof(cfg->model));
	ret = nvmev_dev_create(cfg, &d->dev);
	if (!ret) {
		WRITE_ONCE(d->dev->vwc_max, (u64)d->volatile_cache_mib << 20);
		cfs_apply_faults(d);
	}
out:
	kfree(specs);
	kfree(kps);
	kfree(cfg);
	return ret;
}

/* 1 while attached; 0 when off, and after a power cut (data kept). */
static ssize_t cfs_power_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	bool on;

	mutex_lock(&d->lock);
	on = d->dev && !d->cut;
	mutex_unlock(&d->lock);
	return sysfs_emit(page, "%d\n", on);
}

/*
 * 1 attaches (after a cut: the same device, with what a drive keeps), 0
 * detaches and frees it, "cut" and "cut-torn" cut the power
 * (docs/faults.md).
 */
static ssize_t cfs_power_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	const char *name = config_item_name(item);
	int cut = sysfs_streq(page, "cut") ? 1 :
		  sysfs_streq(page, "cut-torn") ? 2 : 0;
	bool on = false;
	int ret = 0;

	if (!cut && kstrtobool(page, &on)) {
		pr_err("%s/power: use 1 (attach), 0 (detach), cut or cut-torn\n",
		       name);
		return -EINVAL;
	}
	mutex_lock(&d->lock);
	if (cut) {
		if (!d->dev || d->cut) {
			pr_err("%s/power: the device is not attached\n", name);
			ret = -ENODEV;
		} else {
			ret = nvmev_power_cut(d->dev, cut == 2);
			d->cut = !ret;
		}
	} else if (on && d->dev && d->cut) {
		ret = nvmev_power_restore(d->dev);
		d->cut = !!ret;
	} else if (on && !d->dev) {
		ret = cfs_power_on(d);
	} else if (!on && d->dev) {
		nvmev_dev_destroy(d->dev);
		d->dev = NULL;
		d->cut = false;
	}
	mutex_unlock(&d->lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(cfs_, power);

/*
 * Writing 1 sets Controller Fatal Status (CSTS.CFS) on the device that is
 * on: it stops taking and completing commands until the host resets it.
 * Reads 1 while that lasts.
 */
static ssize_t cfs_fatal_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	bool fatal;

	mutex_lock(&d->lock);
	fatal = d->dev && (READ_ONCE(d->dev->fatal) ||
			   READ_ONCE(d->dev->fatal_req));
	mutex_unlock(&d->lock);
	return sysfs_emit(page, "%d\n", fatal);
}

static ssize_t cfs_fatal_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	bool v;
	int ret = 0;

	if (kstrtobool(page, &v) || !v) {
		pr_err("%s/fatal: write 1; the host's reset clears it\n",
		       config_item_name(item));
		return -EINVAL;
	}
	mutex_lock(&d->lock);
	if (!d->dev) {
		pr_err("%s/fatal: the device is off\n", config_item_name(item));
		ret = -ENODEV;
	} else {
		WRITE_ONCE(d->dev->fatal_req, true);
	}
	mutex_unlock(&d->lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(cfs_, fatal);

/* Where the device sits on PCI while on (e.g. 10000:00:00.0), else empty. */
static ssize_t cfs_pci_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);
	ssize_t n;

	mutex_lock(&d->lock);
	n = sysfs_emit(page, "%s\n", d->dev && d->dev->pdev ?
		       pci_name(d->dev->pdev) : "");
	mutex_unlock(&d->lock);
	return n;
}
CONFIGFS_ATTR_RO(cfs_, pci);

static struct configfs_attribute *cfs_dev_attrs[] = {
	&cfs_attr_kind,
	&cfs_attr_capacity,
	&cfs_attr_lba_size,
	&cfs_attr_mdts,
	&cfs_attr_io_queues,
	&cfs_attr_cpus,
	&cfs_attr_dispatcher,
	&cfs_attr_poll_idle_us,
	&cfs_attr_volatile_cache_mib,
	&cfs_attr_profile,
	&cfs_attr_ssd,
	&cfs_attr_zns,
	&cfs_attr_kv,
	&cfs_attr_serial,
	&cfs_attr_model,
	&cfs_attr_power,
	&cfs_attr_pci,
	&cfs_attr_fatal,
	NULL,
};

static void cfs_dev_release(struct config_item *item)
{
	kfree(to_cfs_dev(item));
}

static struct configfs_item_operations cfs_dev_ops = {
	.release	= cfs_dev_release,
};

static const struct config_item_type cfs_dev_type = {
	.ct_item_ops	= &cfs_dev_ops,
	.ct_attrs	= cfs_dev_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *cfs_make_dev(struct config_group *group,
					 const char *name)
{
	struct nvmev_cfs_dev *d;

	if (!nvmev_name_ok(name)) {
		pr_err("configfs: '%s': name a device with 1 to %d of a-z, 0-9, '_', '-'\n",
		       name, NVMEV_NAME_LEN - 1);
		return ERR_PTR(-EINVAL);
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->namespaces);
	strscpy(d->kind, "nvm", sizeof(d->kind));
	strscpy(d->capacity, "1G", sizeof(d->capacity));
	strscpy(d->profile, "970pro", sizeof(d->profile));
	strscpy(d->serial, name, sizeof(d->serial));
	strscpy(d->model, "nvmev NVM", sizeof(d->model));
	d->lba_size = 512;
	d->mdts = 8;
	d->io_queues = 8;
	d->poll_idle_us = 1000;
	config_group_init_type_name(&d->group, name, &cfs_dev_type);
	config_group_init_type_name(&d->ns_group, "namespaces", &cfs_nss_type);
	configfs_add_default_group(&d->ns_group, &d->group);
	return &d->group;
}

/* rmdir: detach first if on. */
static void cfs_drop_dev(struct config_group *group, struct config_item *item)
{
	struct nvmev_cfs_dev *d = to_cfs_dev(item);

	mutex_lock(&d->lock);
	if (d->dev) {
		nvmev_dev_destroy(d->dev);
		d->dev = NULL;
		d->cut = false;
	}
	mutex_unlock(&d->lock);
	config_item_put(item);
}

static ssize_t cfs_features_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "kind capacity lba_size mdts io_queues cpus dispatcher poll_idle_us profile ssd zns kv serial model power pci fatal volatile_cache_mib namespaces faults\n");
}
CONFIGFS_ATTR_RO(cfs_, features);

static struct configfs_attribute *cfs_root_attrs[] = {
	&cfs_attr_features,
	NULL,
};

static struct configfs_group_operations cfs_root_ops = {
	.make_group	= cfs_make_dev,
	.drop_item	= cfs_drop_dev,
};

static const struct config_item_type cfs_root_type = {
	.ct_group_ops	= &cfs_root_ops,
	.ct_attrs	= cfs_root_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem nvmev_cfs = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "nvmev",
			.ci_type	= &cfs_root_type,
		},
	},
};

int nvmev_configfs_init(void)
{
	config_group_init(&nvmev_cfs.su_group);
	mutex_init(&nvmev_cfs.su_mutex);
	return configfs_register_subsystem(&nvmev_cfs);
}

void nvmev_configfs_exit(void)
{
	configfs_unregister_subsystem(&nvmev_cfs);
}
