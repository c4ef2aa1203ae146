// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev: the virtual PCI side of a device.
 *
 * Each device gets its own PCI domain (numbered above 0xffff, so it never
 * meets an ACPI segment), a root bus with one function whose config space
 * lives in memory here, and an MSI irq domain of its own.  The host's nvme
 * driver allocates MSI-X vectors from that domain; the device raises one by
 * running the vector's handler directly, so no APIC, IOMMU or interrupt
 * remapping is involved.  drivers/pci/controller/vmd.c is the kernel's own
 * example of a driver that owns a PCI domain and its MSI domain.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include <linux/msi.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/interrupt.h>
#include <linux/io.h>

#include "nvmev.h"

#define CAP_PM		0x40
#define CAP_MSIX	0x50
#define CAP_EXP		0x60

static struct nvmev_dev *bus_to_nvmev(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct nvmev_dev, sysdata);
}

static void cfg_set(u8 *p, int off, int size, u32 val)
{
	int i;

	for (i = 0; i < size; i++)
		p[off + i] = val >> (8 * i);
}

static u32 cfg_get(const u8 *p, int off, int size)
{
	u32 val = 0;
	int i;

	for (i = 0; i < size; i++)
		val |= (u32)p[off + i] << (8 * i);
	return val;
}

static void nvmev_cfg_init(struct nvmev_dev *dev, u64 bar)
{
	u8 *c = dev->cfg_space, *w = dev->cfg_wmask;
	u16 nvec = dev->cfg.io_queues + 1;

	memset(c, 0, sizeof(dev->cfg_space));
	memset(w, 0, sizeof(dev->cfg_wmask));

	cfg_set(c, PCI_VENDOR_ID, 2, NVMEV_VENDOR_ID);
	cfg_set(c, PCI_DEVICE_ID, 2, NVMEV_DEVICE_ID);
	cfg_set(w, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		PCI_COMMAND_INTX_DISABLE);
	cfg_set(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = 1;
	cfg_set(c, PCI_CLASS_PROG, 3, PCI_CLASS_STORAGE_EXPRESS);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	w[PCI_CACHE_LINE_SIZE] = 0xff;
	w[PCI_LATENCY_TIMER] = 0xff;

	/* BAR0/1: one 64-bit memory BAR.  Sizing is handled on write. */
	dev->bar_size_mask = ~((u64)NVMEV_BAR_SIZE - 1);
	cfg_set(c, PCI_BASE_ADDRESS_0, 4, lower_32_bits(bar) |
		PCI_BASE_ADDRESS_MEM_TYPE_64);
	cfg_set(c, PCI_BASE_ADDRESS_1, 4, upper_32_bits(bar));

	cfg_set(c, PCI_SUBSYSTEM_VENDOR_ID, 2, NVMEV_VENDOR_ID);
	cfg_set(c, PCI_SUBSYSTEM_ID, 2, NVMEV_DEVICE_ID);
	c[PCI_CAPABILITY_LIST] = CAP_PM;
	w[PCI_INTERRUPT_LINE] = 0xff;

	/* Power management: D0/D3hot, no soft reset on D3hot->D0. */
	c[CAP_PM + PCI_CAP_LIST_ID] = PCI_CAP_ID_PM;
	c[CAP_PM + PCI_CAP_LIST_NEXT] = CAP_MSIX;
	cfg_set(c, CAP_PM + PCI_PM_PMC, 2, 3);
	cfg_set(c, CAP_PM + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET);
	cfg_set(w, CAP_PM + PCI_PM_CTRL, 2, PCI_PM_CTRL_STATE_MASK);

	/* MSI-X: one vector per completion queue, table and PBA in BAR0. */
	c[CAP_MSIX + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	c[CAP_MSIX + PCI_CAP_LIST_NEXT] = CAP_EXP;
	cfg_set(c, CAP_MSIX + PCI_MSIX_FLAGS, 2, nvec - 1);
	cfg_set(w, CAP_MSIX + PCI_MSIX_FLAGS, 2,
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cfg_set(c, CAP_MSIX + PCI_MSIX_TABLE, 4, NVMEV_MSIX_TABLE);
	cfg_set(c, CAP_MSIX + PCI_MSIX_PBA, 4, NVMEV_MSIX_PBA);

	/* PCI Express: a root complex integrated endpoint, so no link. */
	c[CAP_EXP + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	c[CAP_EXP + PCI_CAP_LIST_NEXT] = 0;
	cfg_set(c, CAP_EXP + PCI_EXP_FLAGS, 2,
		2 | (PCI_EXP_TYPE_RC_END << 4));
	cfg_set(c, CAP_EXP + PCI_EXP_DEVCAP, 4, 1);	/* MPS 256 bytes */
	cfg_set(w, CAP_EXP + PCI_EXP_DEVCTL, 2, 0x7fff);
	cfg_set(c, CAP_EXP + PCI_EXP_DEVCAP2, 4, PCI_EXP_DEVCAP2_COMP_TMOUT_DIS);
	cfg_set(w, CAP_EXP + PCI_EXP_DEVCTL2, 2, 0x7fff);
}

/* Config space as after power on (nvmev_power_restore()). */
void nvmev_pci_reset_cfg(struct nvmev_dev *dev)
{
	nvmev_cfg_init(dev, dev->bar_window.start);
}

static int nvmev_cfg_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct nvmev_dev *dev = bus_to_nvmev(bus);
	unsigned long flags;

	/* Power cut: the function is absent, reads return all ones. */
	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE ||
	    READ_ONCE(dev->gone)) {
		*val = size == 4 ? ~0U : (1U << (size * 8)) - 1;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	spin_lock_irqsave(&dev->cfg_lock, flags);
	*val = cfg_get(dev->cfg_space, where, size);
	spin_unlock_irqrestore(&dev->cfg_lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

static int nvmev_cfg_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct nvmev_dev *dev = bus_to_nvmev(bus);
	unsigned long flags;
	int i;

	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE ||
	    READ_ONCE(dev->gone))
		return PCIBIOS_DEVICE_NOT_FOUND;

	spin_lock_irqsave(&dev->cfg_lock, flags);
	for (i = 0; i < size; i++) {
		int off = where + i;
		u8 b = val >> (8 * i);

		if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_2) {
			/* BAR bytes: writable where the size mask allows. */
			u64 mask = dev->bar_size_mask;
			int sh = 8 * (off - PCI_BASE_ADDRESS_0);
			u8 m = (mask >> sh) & 0xff;

			if (off == PCI_BASE_ADDRESS_0)
				m &= 0xf0;
			dev->cfg_space[off] = (dev->cfg_space[off] & ~m) |
					      (b & m);
			continue;
		}
		dev->cfg_space[off] = (dev->cfg_space[off] &
				       ~dev->cfg_wmask[off]) |
				      (b & dev->cfg_wmask[off]);
	}
	spin_unlock_irqrestore(&dev->cfg_lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops nvmev_pci_ops = {
	.read	= nvmev_cfg_read,
	.write	= nvmev_cfg_write,
};

static bool nvmev_msix_enabled(struct nvmev_dev *dev)
{
	u16 ctrl = cfg_get(dev->cfg_space, CAP_MSIX + PCI_MSIX_FLAGS, 2);

	return (ctrl & PCI_MSIX_FLAGS_ENABLE) &&
	       !(ctrl & PCI_MSIX_FLAGS_MASKALL);
}

/*
 * Raise MSI-X vector @vector.  The handler runs here, with interrupts off,
 * as it would on the CPU the message was sent to.  Bottom halves are held
 * off so that softirqs raised by the handler (block completions) run on
 * the way out rather than waiting for ksoftirqd.
 */
void nvmev_raise_irq(struct nvmev_dev *dev, u16 vector)
{
	unsigned int virq;
	int idx;

	if (vector >= NVMEV_MAX_VECTORS || !nvmev_msix_enabled(dev))
		return;

	idx = srcu_read_lock(&dev->irq_srcu);
	virq = READ_ONCE(dev->vec_virq[vector]);
	if (virq) {
		local_bh_disable();
		generic_handle_irq_safe(virq);
		local_bh_enable();
	}
	srcu_read_unlock(&dev->irq_srcu, idx);
}

static void nvmev_msi_compose(struct irq_data *d, struct msi_msg *msg)
{
	/* Nothing reads the message: delivery does not go through memory. */
	memset(msg, 0, sizeof(*msg));
	msg->data = irqd_to_hwirq(d) & 0x7ff;
}

static int nvmev_msi_set_affinity(struct irq_data *d,
				  const struct cpumask *mask, bool force)
{
	irq_data_update_effective_affinity(d, mask);
	return IRQ_SET_MASK_OK;
}

/* Edge flow: nothing to acknowledge, the message is the whole interrupt. */
static void nvmev_msi_ack(struct irq_data *d)
{
}

static struct irq_chip nvmev_msi_chip = {
	.name			= "nvmev-MSI",
	.irq_ack		= nvmev_msi_ack,
	.irq_compose_msi_msg	= nvmev_msi_compose,
	.irq_set_affinity	= nvmev_msi_set_affinity,
};

static int nvmev_msi_init(struct irq_domain *domain,
			  struct msi_domain_info *info, unsigned int virq,
			  irq_hw_number_t hwirq, msi_alloc_info_t *arg)
{
	struct msi_desc *desc = arg->desc;
	struct nvmev_dev *dev = bus_to_nvmev(msi_desc_to_pci_dev(desc)->bus);

	/*
	 * Edge flow, not the simple one: a vector raised on one CPU while its
	 * handler runs on another (a worker's completion and the dispatcher's
	 * inline one, on the same CQ) is marked pending and the handler runs
	 * again; the simple flow drops it, and the host finds that completion
	 * only when the command times out ("completion polled").
	 */
	irq_domain_set_info(domain, virq, hwirq, info->chip, dev,
			    handle_edge_irq, NULL, NULL);
	if (desc->msi_index < NVMEV_MAX_VECTORS)
		WRITE_ONCE(dev->vec_virq[desc->msi_index], virq);
	return 0;
}

static void nvmev_msi_free(struct irq_domain *domain,
			   struct msi_domain_info *info, unsigned int virq)
{
	struct nvmev_dev *dev = irq_get_chip_data(virq);
	int i;

	if (!dev)
		return;
	for (i = 0; i < NVMEV_MAX_VECTORS; i++)
		if (READ_ONCE(dev->vec_virq[i]) == virq)
			WRITE_ONCE(dev->vec_virq[i], 0);
	/* Wait for a handler started through the old number to finish. */
	synchronize_srcu(&dev->irq_srcu);
}

static struct msi_domain_ops nvmev_msi_ops = {
	.msi_init	= nvmev_msi_init,
	.msi_free	= nvmev_msi_free,
};

static struct msi_domain_info nvmev_msi_info = {
	.flags	= MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS |
		  MSI_FLAG_PCI_MSIX,
	.ops	= &nvmev_msi_ops,
	.chip	= &nvmev_msi_chip,
};

static int nvmev_create_irq_domain(struct nvmev_dev *dev)
{
	struct fwnode_handle *fn;

	fn = irq_domain_alloc_named_id_fwnode("nvmev-MSI", dev->sysdata.domain);
	if (!fn)
		return -ENOMEM;
	dev->irq_domain = pci_msi_create_irq_domain(fn, &nvmev_msi_info, NULL);
	if (!dev->irq_domain) {
		irq_domain_free_fwnode(fn);
		return -ENOMEM;
	}
	/*
	 * Not a plain PCI/MSI domain: this keeps interrupt remapping from
	 * replacing it with its own when the device is added (the token
	 * vmd uses for the same reason).
	 */
	irq_domain_update_bus_token(dev->irq_domain, DOMAIN_BUS_VMD_MSI);
	return 0;
}

static void nvmev_remove_irq_domain(struct nvmev_dev *dev)
{
	struct fwnode_handle *fn;

	if (!dev->irq_domain)
		return;
	fn = dev->irq_domain->fwnode;
	irq_domain_remove(dev->irq_domain);
	irq_domain_free_fwnode(fn);
	dev->irq_domain = NULL;
}

static int nvmev_find_free_domain(void)
{
	struct pci_bus *bus = NULL;
	int domain = 0xffff;

	while ((bus = pci_find_next_bus(bus)))
		domain = max_t(int, domain, pci_domain_nr(bus));
	return domain + 1;
}

/* Check that the BAR range really is memory: writes must read back. */
static int nvmev_probe_bar(struct nvmev_dev *dev)
{
	static const u32 pattern[] = { 0x6e766d65, 0x91a5c3f0 };
	int i;

	for (i = 0; i < ARRAY_SIZE(pattern); i++) {
		writel(pattern[i], dev->bar + NVMEV_BAR_SIZE - 4);
		if (readl(dev->bar + NVMEV_BAR_SIZE - 4) != pattern[i])
			return -EIO;
	}
	memset_io(dev->bar, 0, NVMEV_BAR_SIZE);
	return 0;
}

/* A free BAR slot of the reservation, or -1. */
static int nvmev_bar_slot_get(void)
{
	struct nvmev_host *host = &nvmev_host;
	int slot;

	mutex_lock(&host->lock);
	slot = find_first_zero_bit(host->slots, host->nr_slots);
	if (slot < host->nr_slots)
		__set_bit(slot, host->slots);
	else
		slot = -1;
	mutex_unlock(&host->lock);
	return slot;
}

static void nvmev_bar_slot_put(int slot)
{
	if (slot < 0)
		return;
	mutex_lock(&nvmev_host.lock);
	__clear_bit(slot, nvmev_host.slots);
	mutex_unlock(&nvmev_host.lock);
}

/* Claim and map BAR0, and set up registers and config space. */
int nvmev_pci_create(struct nvmev_dev *dev)
{
	u64 bar;
	int ret;

	dev->bar_slot = nvmev_bar_slot_get();
	if (dev->bar_slot < 0) {
		pr_err("%s: all %d BAR slots of the reservation are in use: remove a device, or reserve more (each takes %u KiB of the first MiB)\n",
		       dev->name, nvmev_host.nr_slots, NVMEV_BAR_SIZE / 1024);
		return -ENOSPC;
	}
	bar = nvmev_host.bar_base + (u64)dev->bar_slot * NVMEV_BAR_SIZE;
	spin_lock_init(&dev->cfg_lock);
	ret = init_srcu_struct(&dev->irq_srcu);
	if (ret)
		goto out_slot;

	dev->bar_window = (struct resource) {
		.name	= "nvmev BAR",
		.start	= bar,
		.end	= bar + NVMEV_BAR_SIZE - 1,
		.flags	= IORESOURCE_MEM,
	};
	if (upper_32_bits(bar))
		dev->bar_window.flags |= IORESOURCE_MEM_64;
	ret = insert_resource(&nvmev_host.res, &dev->bar_window);
	if (ret) {
		pr_err("cannot claim %pR for the BAR\n", &dev->bar_window);
		goto out_srcu;
	}

	dev->bar = ioremap(bar, NVMEV_BAR_SIZE);
	if (!dev->bar) {
		pr_err("cannot map the BAR at %pR\n", &dev->bar_window);
		ret = -ENOMEM;
		goto out_window;
	}
	ret = nvmev_probe_bar(dev);
	if (ret) {
		pr_err("%pR does not hold memory (writes do not read back); reserve RAM with memmap=\n",
		       &dev->bar_window);
		goto out_unmap;
	}
	nvmev_ctrl_init_regs(dev);
	nvmev_cfg_init(dev, bar);
	return 0;

out_unmap:
	iounmap(dev->bar);
	dev->bar = NULL;
out_window:
	release_resource(&dev->bar_window);
out_srcu:
	cleanup_srcu_struct(&dev->irq_srcu);
out_slot:
	nvmev_bar_slot_put(dev->bar_slot);
	dev->bar_slot = -1;
	return ret;
}

/*
 * BAR0 lies in a memmap= reservation, which the x86 resource allocator
 * never hands out: when user space removes the function and rescans the
 * bus, the PCI core would fail to assign the BAR and the nvme driver could
 * not bind.  Claim the BAR at its fixed address as soon as the function is
 * added, which is before the core assigns resources.
 */
static int nvmev_pci_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct nvmev_dev *dev = container_of(nb, struct nvmev_dev, pci_nb);
	struct pci_dev *pdev = to_pci_dev(data);
	struct resource *r = &pdev->resource[0];

	if (action != BUS_NOTIFY_ADD_DEVICE || pdev->bus->sysdata != &dev->sysdata)
		return NOTIFY_DONE;
	if (r->flags && !r->parent && pci_claim_resource(pdev, 0))
		pci_warn(pdev, "cannot claim BAR0 %pR\n", r);
	return NOTIFY_OK;
}

/*
 * Put the function on a bus of its own.  The nvme driver may bind at once,
 * so the threads must already run.
 */
int nvmev_pci_add_bus(struct nvmev_dev *dev)
{
	LIST_HEAD(resources);
	int ret;

	dev->sysdata.domain = nvmev_find_free_domain();
	dev->sysdata.node = NUMA_NO_NODE;
	ret = nvmev_create_irq_domain(dev);
	if (ret)
		return ret;

	dev->pci_nb.notifier_call = nvmev_pci_notify;
	ret = bus_register_notifier(&pci_bus_type, &dev->pci_nb);
	if (ret) {
		nvmev_remove_irq_domain(dev);
		return ret;
	}
	pci_add_resource(&resources, &dev->bar_window);
	pci_lock_rescan_remove();
	dev->bus = pci_create_root_bus(NULL, 0, &nvmev_pci_ops, &dev->sysdata,
				       &resources);
	if (!dev->bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&resources);
		pr_err("cannot create PCI domain %04x\n", dev->sysdata.domain);
		bus_unregister_notifier(&pci_bus_type, &dev->pci_nb);
		dev->pci_nb.notifier_call = NULL;
		nvmev_remove_irq_domain(dev);
		return -ENODEV;
	}
	dev_set_msi_domain(&dev->bus->dev, dev->irq_domain);
	pci_scan_child_bus(dev->bus);
	pci_bus_claim_resources(dev->bus);
	dev->pdev = pci_get_slot(dev->bus, 0);
	pci_bus_add_devices(dev->bus);
	pci_unlock_rescan_remove();

	if (!dev->pdev) {
		pr_err("the virtual function did not appear on the bus\n");
		nvmev_pci_remove_bus(dev);
		return -ENODEV;
	}
	pr_info("%s: PCI %04x:00:00.0, BAR0 %pR\n", dev->name,
		dev->sysdata.domain, &dev->bar_window);
	return 0;
}

/*
 * Remove the bus.  The nvme driver's remove runs from here and still talks
 * to the controller (shutdown), so the threads must be running.
 */
void nvmev_pci_remove_bus(struct nvmev_dev *dev)
{
	if (dev->bus) {
		pci_lock_rescan_remove();
		pci_dev_put(dev->pdev);
		dev->pdev = NULL;
		pci_stop_root_bus(dev->bus);
		pci_remove_root_bus(dev->bus);
		pci_unlock_rescan_remove();
		dev->bus = NULL;
	}
	if (dev->pci_nb.notifier_call) {
		bus_unregister_notifier(&pci_bus_type, &dev->pci_nb);
		dev->pci_nb.notifier_call = NULL;
	}
	nvmev_remove_irq_domain(dev);
}

/* Release what is left once the threads are gone. */
void nvmev_pci_destroy(struct nvmev_dev *dev)
{
	nvmev_pci_remove_bus(dev);
	if (dev->bar) {
		iounmap(dev->bar);
		dev->bar = NULL;
	}
	release_resource(&dev->bar_window);
	cleanup_srcu_struct(&dev->irq_srcu);
	nvmev_bar_slot_put(dev->bar_slot);
	dev->bar_slot = -1;
}
