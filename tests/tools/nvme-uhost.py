#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nvme-uhost: a minimal NVMe host in user space, for testing nvmev.

Drives an NVMe controller whose PCI function has no driver bound: BAR0 is
mapped from sysfs (resourceN), queues and data buffers are locked anonymous
pages whose physical addresses come from /proc/self/pagemap (so this must
run as root, on a machine without an IOMMU translating for the device;
nvmev reaches host memory by physical address).  Each queue and each data
buffer is one 4 KiB page, so nothing needs to be physically contiguous.

Meant for a test guest only: a real device would DMA into these pages
after the tool exits if it were killed before disabling the controller.

Subcommands (each prints PASS:/FAIL:/INFO: lines; exit status 0 when all
checks passed, 1 when one failed, 2 on a setup error):
  identify    bring the controller up, Identify controller and namespace 1
  cq-full     completions wait for room in a full CQ, none is lost, and
              other CQs are not stalled meanwhile
  sq-head     the SQ head reported in completions never goes backwards
  sq-delete   Delete I/O SQ completes the commands it still holds as
              "Command Aborted due to SQ Deletion" (run with read_lat_ns
              set to about 2 s so that reads are held)
  bad-addr    queue and PRP addresses in nvmev's BAR or beyond RAM fail
              with a status, and the controller stays usable
"""

import argparse
import ctypes
import glob
import mmap
import os
import struct
import sys
import time

PAGE = 4096

# Controller registers.
REG_CAP = 0x00
REG_VS = 0x08
REG_CC = 0x14
REG_CSTS = 0x1C
REG_AQA = 0x24
REG_ASQ = 0x28
REG_ACQ = 0x30
DOORBELLS = 0x1000

CC_EN = 1
CC_IOSQES = 6 << 16
CC_IOCQES = 4 << 20
CSTS_RDY = 1
CSTS_CFS = 2

# Opcodes.
ADM_DELETE_SQ = 0x00
ADM_CREATE_SQ = 0x01
ADM_DELETE_CQ = 0x04
ADM_CREATE_CQ = 0x05
ADM_IDENTIFY = 0x06
IO_WRITE = 0x01
IO_READ = 0x02

# Status codes, generic command status (SCT 0).
SC_SUCCESS = 0x00
SC_INVALID_FIELD = 0x02
SC_DATA_XFER_ERROR = 0x04
SC_ABORT_SQ_DELETION = 0x08
SC_NS_NOT_READY = 0x82
ADM_FORMAT = 0x80

ADMIN_QSIZE = 32
BAD_FAR_ADDR = 1 << 46		# far beyond any test guest's RAM


class SetupError(Exception):
	"""Something outside the checks went wrong: exit status 2."""


# ---- reporting ---------------------------------------------------------------

class Report:
	def __init__(self):
		self.passed = 0
		self.failed = 0

	def check(self, ok, desc, detail=""):
		if ok:
			self.passed += 1
			print("PASS: %s" % desc, flush=True)
		else:
			self.failed += 1
			print("FAIL: %s%s" % (desc, ": " + detail if detail else ""),
			      flush=True)
		return ok

	@staticmethod
	def info(msg):
		print("INFO: %s" % msg, flush=True)


# ---- memory --------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mlock.restype = ctypes.c_int


def virt_to_phys(vaddr):
	"""Physical address of a resident page of this process (root only)."""
	with open("/proc/self/pagemap", "rb") as f:
		f.seek(vaddr // PAGE * 8)
		(ent,) = struct.unpack("<Q", f.read(8))
	if not ent & (1 << 63):
		raise SetupError("page at %#x is not present" % vaddr)
	pfn = ent & ((1 << 55) - 1)
	if not pfn:
		raise SetupError("pagemap hides PFNs (not root?)")
	return pfn * PAGE + vaddr % PAGE


class Page:
	"""One locked 4 KiB page: .buf (memoryview), .phys."""

	def __init__(self, buf, phys):
		self.buf = buf
		self.phys = phys

	def fill(self, byte):
		self.buf[:] = bytes([byte]) * PAGE

	def zero(self):
		self.fill(0)


class DmaPool:
	"""Locked anonymous pages, handed out one at a time."""

	def __init__(self, npages):
		self.map = mmap.mmap(-1, npages * PAGE,
				     mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
				     mmap.PROT_READ | mmap.PROT_WRITE)
		self.view = memoryview(self.map)
		self.base = ctypes.addressof(ctypes.c_char.from_buffer(self.map))
		if _libc.mlock(self.base, npages * PAGE):
			err = ctypes.get_errno()
			raise SetupError("mlock: %s" % os.strerror(err))
		self.pages = []
		seen = set()
		for i in range(npages):
			buf = self.view[i * PAGE:(i + 1) * PAGE]
			buf[:] = bytes(PAGE)		# touch: make it resident
			phys = virt_to_phys(self.base + i * PAGE)
			if phys in seen:
				raise SetupError("two pages at %#x" % phys)
			seen.add(phys)
			self.pages.append(Page(buf, phys))
		self.next = 0

	def get(self):
		if self.next == len(self.pages):
			raise SetupError("DMA pool exhausted")
		page = self.pages[self.next]
		self.next += 1
		page.zero()
		return page


# ---- the PCI function ------------------------------------------------------------

def find_bdf(vendor=0xCAFE, device=0x0001):
	for d in sorted(glob.glob("/sys/bus/pci/devices/*")):
		try:
			with open(d + "/vendor") as f:
				v = int(f.read(), 16)
			with open(d + "/device") as f:
				dv = int(f.read(), 16)
		except OSError:
			continue
		if v == vendor and dv == device:
			return os.path.basename(d)
	return None


def bar0_phys(bdf):
	with open("/sys/bus/pci/devices/%s/resource" % bdf) as f:
		start, end, _flags = (int(x, 16) for x in f.readline().split())
	if not start or end < start:
		raise SetupError("%s has no BAR0" % bdf)
	return start, end - start + 1


class Bar:
	"""BAR0, accessed 32 bits at a time."""

	def __init__(self, bdf, size=0x4000):
		path = "/sys/bus/pci/devices/%s/resource0" % bdf
		fd = os.open(path, os.O_RDWR | os.O_SYNC)
		try:
			self.map = mmap.mmap(fd, size, mmap.MAP_SHARED,
					     mmap.PROT_READ | mmap.PROT_WRITE)
		except OSError as e:
			raise SetupError("mmap %s: %s" % (path, e)) from e
		finally:
			os.close(fd)
		self.regs = memoryview(self.map).cast("I")

	def r32(self, off):
		return self.regs[off // 4]

	def w32(self, off, val):
		self.regs[off // 4] = val & 0xFFFFFFFF

	def r64(self, off):
		lo = self.r32(off)
		return lo | self.r32(off + 4) << 32

	def w64(self, off, val):
		self.w32(off, val)		# low half first
		self.w32(off + 4, val >> 32)


# ---- queues ----------------------------------------------------------------------

class Cqe:
	__slots__ = ("dw0", "sqhd", "sqid", "cid", "phase", "status")

	def __init__(self, dw0, dw2, dw3):
		self.dw0 = dw0
		self.sqhd = dw2 & 0xFFFF
		self.sqid = dw2 >> 16
		self.cid = dw3 & 0xFFFF
		self.phase = (dw3 >> 16) & 1
		self.status = dw3 >> 17		# Status Field without phase

	@property
	def sc(self):
		return self.status & 0xFF

	@property
	def sct(self):
		return (self.status >> 8) & 7

	@property
	def dnr(self):
		return bool(self.status & 0x4000)

	def ok(self):
		return self.status == 0

	def is_status(self, sc, sct=0, dnr=None):
		return (self.sc == sc and self.sct == sct and
			(dnr is None or self.dnr == dnr))

	def __str__(self):
		return ("cid %d sqid %d sqhd %d status %#x (sct %d sc %#x%s) dw0 %#x" %
			(self.cid, self.sqid, self.sqhd, self.status, self.sct,
			 self.sc, " dnr" if self.dnr else "", self.dw0))


class SubQueue:
	def __init__(self, ctrl, qid, size, page):
		self.ctrl = ctrl
		self.qid = qid
		self.size = size
		self.page = page
		self.tail = 0
		self.next_cid = 0

	def put(self, opcode, nsid=0, prp1=0, prp2=0, cdw=(), cid=None, flags=0):
		"""Write one entry at the tail (no doorbell); returns its CID.
		@flags is CDW0 bits 15:8 (FUSE in bits 9:8, PSDT in 15:14)."""
		if cid is None:
			cid = self.next_cid
			self.next_cid = (self.next_cid + 1) & 0xFFFF
		dws = list(cdw) + [0] * (6 - len(cdw))
		entry = struct.pack("<BBHIIIQQQ6I", opcode, flags, cid, nsid, 0, 0, 0,
				    prp1, prp2, *dws)
		off = self.tail * 64
		self.page.buf[off:off + 64] = entry
		self.tail = (self.tail + 1) % self.size
		return cid

	def ring(self):
		self.ctrl.bar.w32(self.ctrl.sq_db(self.qid), self.tail)


class CompQueue:
	def __init__(self, ctrl, qid, size, page):
		self.ctrl = ctrl
		self.qid = qid
		self.size = size
		self.page = page
		self.head = 0
		self.phase = 1

	def peek(self):
		"""The entry at the head if the controller has posted it, else None."""
		off = self.head * 16
		dw3 = struct.unpack_from("<I", self.page.buf, off + 12)[0]
		if (dw3 >> 16) & 1 != self.phase:
			return None
		dw0, _dw1, dw2 = struct.unpack_from("<III", self.page.buf, off)
		return Cqe(dw0, dw2, dw3)

	def pending(self):
		"""How many new entries lie from the head on (without consuming)."""
		n, i, phase = 0, self.head, self.phase
		while n < self.size:
			dw3 = struct.unpack_from("<I", self.page.buf, i * 16 + 12)[0]
			if (dw3 >> 16) & 1 != phase:
				break
			n += 1
			i += 1
			if i == self.size:
				i, phase = 0, phase ^ 1
		return n

	def pop(self, ring=True):
		"""Consume the entry at the head, or return None."""
		cqe = self.peek()
		if cqe is None:
			return None
		self.head += 1
		if self.head == self.size:
			self.head = 0
			self.phase ^= 1
		if ring:
			self.ring()
		return cqe

	def ring(self):
		self.ctrl.bar.w32(self.ctrl.cq_db(self.qid), self.head)

	def collect(self, n, timeout, batch=None):
		"""Consume up to @n entries within @timeout seconds; with @batch,
		at most that many between two head doorbell writes."""
		out = []
		end = time.monotonic() + timeout
		while len(out) < n:
			got = 0
			while len(out) < n and (batch is None or got < batch):
				cqe = self.pop(ring=False)
				if cqe is None:
					break
				out.append(cqe)
				got += 1
			if got:
				self.ring()
				continue
			if time.monotonic() > end:
				break
			self.ctrl.check_fatal()
			time.sleep(0.0002)
		return out


# ---- the controller ------------------------------------------------------------------

class Controller:
	def __init__(self, bdf, npages=96):
		self.bdf = bdf
		drv = "/sys/bus/pci/devices/%s/driver" % bdf
		if os.path.exists(drv):
			raise SetupError("%s is bound to %s: unbind it first" %
					 (bdf, os.path.basename(os.readlink(drv))))
		self.bar = Bar(bdf)
		self.pool = DmaPool(npages)
		cap = self.bar.r64(REG_CAP)
		self.mqes = (cap & 0xFFFF) + 1
		self.dstrd = 4 << ((cap >> 32) & 0xF)
		self.sqs = {}
		self.cqs = {}
		self.enabled = False
		self.lba_size = 512
		self.nsze = 0

	def sq_db(self, qid):
		return DOORBELLS + 2 * qid * self.dstrd

	def cq_db(self, qid):
		return DOORBELLS + (2 * qid + 1) * self.dstrd

	def check_fatal(self):
		if self.bar.r32(REG_CSTS) & CSTS_CFS:
			raise SetupError("controller fatal status (CSTS.CFS) set")

	def wait_rdy(self, want, timeout=5.0):
		end = time.monotonic() + timeout
		while (self.bar.r32(REG_CSTS) & CSTS_RDY) != want:
			if time.monotonic() > end:
				raise SetupError("CSTS.RDY did not become %d in %.0f s (CSTS %#x)" %
						 (want, timeout, self.bar.r32(REG_CSTS)))
			time.sleep(0.001)

	def disable(self):
		self.bar.w32(REG_CC, 0)
		self.wait_rdy(0)
		self.enabled = False
		self.sqs.clear()
		self.cqs.clear()

	def enable(self):
		self.disable()
		asq, acq = self.pool.get(), self.pool.get()
		self.bar.w32(REG_AQA, (ADMIN_QSIZE - 1) << 16 | (ADMIN_QSIZE - 1))
		self.bar.w64(REG_ASQ, asq.phys)
		self.bar.w64(REG_ACQ, acq.phys)
		self.bar.w32(REG_CC, CC_EN | CC_IOSQES | CC_IOCQES)
		self.wait_rdy(1)
		self.check_fatal()
		self.enabled = True
		self.sqs[0] = SubQueue(self, 0, ADMIN_QSIZE, asq)
		self.cqs[0] = CompQueue(self, 0, ADMIN_QSIZE, acq)

	# ---- admin commands

	def admin(self, opcode, nsid=0, prp1=0, prp2=0, cdw=(), timeout=5.0):
		sq = self.sqs[0]
		cid = sq.put(opcode, nsid, prp1, prp2, cdw)
		sq.ring()
		cqe = self.admin_wait(cid, timeout)
		if cqe is None:
			raise SetupError("admin opcode %#x: no completion in %.0f s" %
					 (opcode, timeout))
		return cqe

	def admin_wait(self, cid, timeout=5.0):
		"""The admin completion for @cid, or None after @timeout seconds."""
		cq = self.cqs[0]
		end = time.monotonic() + timeout
		while True:
			cqe = cq.pop()
			if cqe is not None:
				if cqe.cid == cid:
					return cqe
				Report.info("stray admin completion: %s" % cqe)
				continue
			if time.monotonic() > end:
				return None
			self.check_fatal()
			time.sleep(0.0002)

	def identify(self, cns, nsid=0):
		page = self.pool.get()
		cqe = self.admin(ADM_IDENTIFY, nsid, page.phys, cdw=(cns,))
		return cqe, page

	def identify_basics(self):
		cqe, page = self.identify(1)
		if not cqe.ok():
			raise SetupError("Identify Controller: %s" % cqe)
		b = bytes(page.buf)
		sn = b[4:24].decode(errors="replace").strip()
		mn = b[24:64].decode(errors="replace").strip()
		cqe, page = self.identify(0, nsid=1)
		if not cqe.ok():
			raise SetupError("Identify Namespace 1: %s" % cqe)
		b = bytes(page.buf)
		self.nsze = struct.unpack_from("<Q", b, 0)[0]
		flbas = b[26] & 0xF | (b[26] >> 5 & 3) << 4
		lbads = b[128 + 4 * flbas + 2]
		self.lba_size = 1 << lbads
		return mn, sn

	def create_cq(self, qid, size, page=None, prp1=None):
		page = page or self.pool.get()
		addr = page.phys if prp1 is None else prp1
		cqe = self.admin(ADM_CREATE_CQ, prp1=addr,
				 cdw=((size - 1) << 16 | qid, 1))
		if cqe.ok():
			self.cqs[qid] = CompQueue(self, qid, size, page)
		return cqe

	def create_sq(self, qid, size, cqid, page=None, prp1=None):
		page = page or self.pool.get()
		addr = page.phys if prp1 is None else prp1
		cqe = self.admin(ADM_CREATE_SQ, prp1=addr,
				 cdw=((size - 1) << 16 | qid, cqid << 16 | 1))
		if cqe.ok():
			self.sqs[qid] = SubQueue(self, qid, size, page)
		return cqe

	def delete_sq(self, qid):
		cqe = self.admin(ADM_DELETE_SQ, cdw=(qid,))
		if cqe.ok():
			self.sqs.pop(qid, None)
		return cqe

	def delete_cq(self, qid):
		cqe = self.admin(ADM_DELETE_CQ, cdw=(qid,))
		if cqe.ok():
			self.cqs.pop(qid, None)
		return cqe

	def create_pair(self, qid, cq_size, sq_size):
		cqe = self.create_cq(qid, cq_size)
		if not cqe.ok():
			raise SetupError("Create I/O CQ %d (%d entries): %s" %
					 (qid, cq_size, cqe))
		cqe = self.create_sq(qid, sq_size, qid)
		if not cqe.ok():
			raise SetupError("Create I/O SQ %d (%d entries): %s" %
					 (qid, sq_size, cqe))
		return self.sqs[qid], self.cqs[qid]

	def delete_pair(self, qid):
		ok = True
		if qid in self.sqs:
			ok = self.delete_sq(qid).ok() and ok
		if qid in self.cqs:
			ok = self.delete_cq(qid).ok() and ok
		return ok

	# ---- I/O commands

	def nlb(self, nbytes=PAGE):
		return nbytes // self.lba_size

	def put_rw(self, sq, opcode, slba, prp1, nbytes=PAGE, prp2=0):
		return sq.put(opcode, 1, prp1, prp2,
			      (slba & 0xFFFFFFFF, slba >> 32, self.nlb(nbytes) - 1))

	def rw(self, qid, opcode, slba, prp1, nbytes=PAGE, prp2=0, timeout=5.0):
		"""One Read/Write on pair @qid, waited for."""
		sq, cq = self.sqs[qid], self.cqs[qid]
		cid = self.put_rw(sq, opcode, slba, prp1, nbytes, prp2)
		sq.ring()
		got = cq.collect(1, timeout)
		if not got:
			raise SetupError("I/O opcode %#x on SQ %d: no completion in %.0f s" %
					 (opcode, qid, timeout))
		if got[0].cid != cid:
			raise SetupError("completion for CID %d, want %d" % (got[0].cid, cid))
		return got[0]


def open_ctrl(args, npages=96):
	bdf = args.bdf or find_bdf()
	if not bdf:
		raise SetupError("no PCI function cafe:0001 (is nvmev loaded?)")
	ctrl = Controller(bdf, npages)
	ctrl.enable()
	mn, sn = ctrl.identify_basics()
	Report.info("%s: '%s' serial '%s', VS %#x, MQES %d, namespace 1: %d blocks of %d bytes" %
		    (bdf, mn, sn, ctrl.bar.r32(REG_VS), ctrl.mqes, ctrl.nsze,
		     ctrl.lba_size))
	if PAGE % ctrl.lba_size:
		raise SetupError("LBA size %d does not divide 4096" % ctrl.lba_size)
	return ctrl


# ---- subcommands ------------------------------------------------------------------------

def cmd_identify(ctrl, rep, _args):
	cqe, page = ctrl.identify(1)
	rep.check(cqe.ok() and bytes(page.buf[0:2]) == b"\xfe\xca",
		  "Identify Controller: success, PCI vendor id cafe",
		  "%s, vid %s" % (cqe, bytes(page.buf[0:2]).hex()))
	rep.check(ctrl.nsze > 0, "namespace 1 has %d blocks" % ctrl.nsze)


def cmd_cq_full(ctrl, rep, _args):
	n = 32
	sq1, cq1 = ctrl.create_pair(1, 4, 64)
	sq2, cq2 = ctrl.create_pair(2, 64, 64)
	bufs = [ctrl.pool.get() for _ in range(n)]
	cids = [ctrl.put_rw(sq1, IO_READ, i * ctrl.nlb(), bufs[i].phys)
		for i in range(n)]
	sq1.ring()
	Report.info("%d reads submitted on SQ 1, CQ 1 has 4 entries; not consuming" % n)
	time.sleep(0.5)

	held = cq1.pending()
	rep.check(held == 3, "CQ 1 (4 entries) holds size-1 = 3 completions, not more",
		  "%d new entries" % held)

	# Another CQ goes on while CQ 1 is full.
	t0 = time.monotonic()
	buf = ctrl.pool.get()
	cids2 = [ctrl.put_rw(sq2, IO_READ, 1024 + i * ctrl.nlb(), buf.phys)
		 for i in range(4)]
	sq2.ring()
	got2 = cq2.collect(4, 1.0)
	dt = time.monotonic() - t0
	rep.check(len(got2) == 4 and all(c.ok() for c in got2) and
		  sorted(c.cid for c in got2) == sorted(cids2),
		  "4 reads on SQ 2 / CQ 2 complete while CQ 1 is full (%.3f s)" % dt,
		  "; ".join(str(c) for c in got2) or "no completion within 1 s")
	rep.check(cq1.pending() == 3, "CQ 1 still holds exactly 3 entries",
		  "%d" % cq1.pending())

	# Drain CQ 1, 3 entries between head doorbell writes.
	got = cq1.collect(n, 10.0, batch=3)
	extra = cq1.collect(1, 0.2)
	seen = [c.cid for c in got]
	bad = [str(c) for c in got if not c.ok() or c.sqid != 1]
	rep.check(len(got) == n and not extra,
		  "exactly %d completions on CQ 1 after draining" % n,
		  "%d, then %d more" % (len(got), len(extra)))
	rep.check(sorted(seen) == sorted(cids),
		  "each CID completed once",
		  "missing %s duplicated %s" %
		  (sorted(set(cids) - set(seen)),
		   sorted(c for c in set(seen) if seen.count(c) > 1)))
	rep.check(not bad, "all completions on CQ 1 succeeded, SQ id 1",
		  "; ".join(bad[:4]))
	rep.check(ctrl.delete_pair(2) and ctrl.delete_pair(1),
		  "delete queue pairs 1 and 2")


def cmd_sq_head(ctrl, rep, _args):
	qid, sq_size, cq_size, total, window = 3, 32, 16, 40, 12
	sq, cq = ctrl.create_pair(qid, cq_size, sq_size)
	wbuf = [ctrl.pool.get() for _ in range(total // 2)]
	rbuf = [ctrl.pool.get() for _ in range(total // 2)]
	for i, b in enumerate(wbuf):
		b.fill(0xA0 + i)
	base = 4096			# LBA of the scratch area
	kind = {}
	order = []
	done = []
	head = 0			# last SQ head the controller reported
	submitted = 0
	end = time.monotonic() + 10.0
	Report.info("SQ %d: %d entries, CQ %d: %d entries; %d commands, %d in flight at most" %
		    (qid, sq_size, qid, cq_size, total, window))
	while len(done) < total and time.monotonic() < end:
		while (submitted < total and submitted - len(done) < window and
		       (sq.tail + 1) % sq_size != head):
			i = submitted // 2
			if submitted % 2 == 0:
				cid = ctrl.put_rw(sq, IO_WRITE, base + 2 * i * ctrl.nlb(),
						  wbuf[i].phys)
			else:
				cid = ctrl.put_rw(sq, IO_READ, base + (2 * i + 1) * ctrl.nlb(),
						  rbuf[i].phys)
			kind[cid] = "write" if submitted % 2 == 0 else "read"
			order.append(cid)
			submitted += 1
		sq.ring()
		for cqe in cq.collect(1, 0.5):
			done.append((cqe, sq.tail))
			head = cqe.sqhd
	rep.check(len(done) == total, "%d completions" % total, "got %d" % len(done))
	bad = [str(c) for c, _ in done if not c.ok() or c.sqid != qid]
	rep.check(not bad, "all succeeded, SQ id %d" % qid, "; ".join(bad[:4]))

	back, beyond = [], []
	prev = 0
	for cqe, tail in done:
		step = (cqe.sqhd - prev) % sq_size
		if step >= sq_size // 2:
			back.append("%d -> %d (cid %d)" % (prev, cqe.sqhd, cqe.cid))
		if step > (tail - prev) % sq_size:
			beyond.append("head %d past tail %d (cid %d)" %
				      (cqe.sqhd, tail, cqe.cid))
		prev = cqe.sqhd
	heads = [c.sqhd for c, _ in done]
	Report.info("SQ heads reported: %s" % " ".join(map(str, heads)))
	cids = [c.cid for c, _ in done]
	reordered = sum(1 for a, b in zip(cids, cids[1:])
			if order.index(b) < order.index(a))
	Report.info("completion order differs from submission order %d times "
		    "(writes overtaken by reads)" % reordered)
	rep.check(not back, "reported SQ head never goes backwards (modulo %d)" % sq_size,
		  "; ".join(back[:6]))
	rep.check(not beyond, "reported SQ head never passes the tail",
		  "; ".join(beyond[:6]))
	rep.check(sorted(cids) == sorted(order), "each CID completed once")

	# Read the written blocks back: the data path of this tool works.
	wrong = []
	for i, b in enumerate(wbuf):
		page = rbuf[i]
		page.zero()
		cqe = ctrl.rw(qid, IO_READ, base + 2 * i * ctrl.nlb(), page.phys)
		if not cqe.ok() or bytes(page.buf) != bytes(b.buf):
			wrong.append("block %d: %s" % (i, cqe))
	rep.check(not wrong, "the %d written blocks read back" % len(wbuf),
		  "; ".join(wrong[:4]))
	rep.check(ctrl.delete_pair(qid), "delete queue pair %d" % qid)


def cmd_sq_delete(ctrl, rep, _args):
	qid, n = 4, 8
	sq, cq = ctrl.create_pair(qid, 16, 16)
	bufs = [ctrl.pool.get() for _ in range(n)]
	t0 = time.monotonic()
	cids = [ctrl.put_rw(sq, IO_READ, i * ctrl.nlb(), bufs[i].phys)
		for i in range(n)]
	sq.ring()
	# Let the controller fetch them (they are then held for read_lat_ns).
	time.sleep(0.2)
	early = cq.pending()
	rep.check(early == 0, "the %d reads are held (none completed after 0.2 s)" % n,
		  "%d completed early: is read_lat_ns set to ~2 s?" % early)

	asq = ctrl.sqs[0]
	dcid = asq.put(ADM_DELETE_SQ, cdw=(qid,))
	asq.ring()
	dcqe = ctrl.admin_wait(dcid, 5.0)
	t_del = time.monotonic() - t0
	before = cq.pending()
	rep.check(dcqe is not None and dcqe.ok(),
		  "Delete I/O SQ %d succeeded (%.3f s after the reads)" % (qid, t_del),
		  str(dcqe) if dcqe else "no completion in 5 s")
	if dcqe is not None and dcqe.ok():
		ctrl.sqs.pop(qid, None)
	rep.check(before == n,
		  "all %d aborted completions posted before the Delete SQ completion" % n,
		  "%d on CQ %d when it arrived" % (before, qid))

	got = cq.collect(n, 1.0)
	extra = cq.collect(1, 0.3)
	t_end = time.monotonic() - t0
	for c in got:
		Report.info("CQ %d: %s" % (qid, c))
	seen = [c.cid for c in got]
	rep.check(len(got) == n and not extra,
		  "exactly %d completions for the held reads" % n,
		  "%d, then %d more" % (len(got), len(extra)))
	rep.check(sorted(seen) == sorted(cids), "each CID completed once",
		  "cids %s" % seen)
	bad = [str(c) for c in got
	       if not c.is_status(SC_ABORT_SQ_DELETION, 0) or c.sqid != qid]
	rep.check(got and not bad,
		  "each: Command Aborted due to SQ Deletion (SCT 0, SC 0x08), SQ id %d" % qid,
		  "; ".join(bad[:4]) or "none")
	rep.check(t_end < 1.8, "aborted before their 2 s deadline (%.3f s)" % t_end)
	rep.check(ctrl.delete_cq(qid).ok(), "delete CQ %d" % qid)


def cmd_bad_addr(ctrl, rep, args):
	bdf = ctrl.bdf
	bar, bar_len = bar0_phys(bdf)
	Report.info("BAR0 at %#x (%d KiB)" % (bar, bar_len >> 10))
	qid, bad_qid = 5, 6
	ctrl.create_pair(qid, 16, 16)
	good = ctrl.pool.get()
	lba = 8192

	def still_usable(what):
		good.fill(0x5A)
		cqe = ctrl.rw(qid, IO_READ, lba, good.phys)
		ctrl.check_fatal()
		rep.check(cqe.ok(), "after %s: a read to a good buffer succeeds" % what,
			  str(cqe))

	for name, addr in (("BAR0", bar), ("1 << 46", BAD_FAR_ADDR)):
		cqe = ctrl.create_cq(bad_qid, 16, prp1=addr)
		rep.check(cqe.is_status(SC_INVALID_FIELD, 0, dnr=True),
			  "Create I/O CQ at %s (%#x): Invalid Field in Command, DNR" %
			  (name, addr), str(cqe))
		if cqe.ok():
			ctrl.delete_cq(bad_qid)
		still_usable("Create CQ at %s" % name)

	cqe = ctrl.create_sq(bad_qid, 16, qid, prp1=bar)
	rep.check(cqe.is_status(SC_INVALID_FIELD, 0, dnr=True),
		  "Create I/O SQ at BAR0: Invalid Field in Command, DNR", str(cqe))
	if cqe.ok():
		ctrl.delete_sq(bad_qid)
	still_usable("Create SQ at BAR0")

	cases = (
		("Read, PRP1 = BAR0", IO_READ, bar, PAGE, 0),
		("Read, PRP1 = 1 << 46", IO_READ, BAD_FAR_ADDR, PAGE, 0),
		("Write, PRP1 = BAR0", IO_WRITE, bar, PAGE, 0),
		("Read 8 KiB, PRP2 = BAR0", IO_READ, good.phys, 2 * PAGE, bar),
	)
	for desc, op, prp1, nbytes, prp2 in cases:
		cqe = ctrl.rw(qid, op, lba, prp1, nbytes, prp2)
		rep.check(cqe.is_status(SC_DATA_XFER_ERROR, 0),
			  "%s: Data Transfer Error" % desc, str(cqe))
		still_usable(desc)

	page = ctrl.pool.get()
	cqe = ctrl.admin(ADM_IDENTIFY, prp1=bar, cdw=(1,))
	rep.check(cqe.is_status(SC_DATA_XFER_ERROR, 0),
		  "Identify into BAR0: Data Transfer Error", str(cqe))
	cqe = ctrl.admin(ADM_IDENTIFY, prp1=page.phys, cdw=(1,))
	rep.check(cqe.ok() and bytes(page.buf[0:2]) == b"\xfe\xca",
		  "then Identify into a good buffer succeeds", str(cqe))
	csts = ctrl.bar.r32(REG_CSTS)
	rep.check(csts & (CSTS_RDY | CSTS_CFS) == CSTS_RDY,
		  "controller ready, no fatal status", "CSTS %#x" % csts)
	rep.check(ctrl.delete_pair(qid), "delete queue pair %d" % qid)


def cmd_fused(ctrl, rep, _args):
	"""FUSES is 0: either half of a fused pair is refused, nothing written."""
	qid = 7
	ctrl.create_pair(qid, 16, 16)
	buf = ctrl.pool.get()
	lba = 12288
	buf.fill(0x00)
	rep.check(ctrl.rw(qid, IO_WRITE, lba, buf.phys).ok(), "write zeroes data at LBA %d" % lba)
	sq, cq = ctrl.sqs[qid], ctrl.cqs[qid]
	data = ctrl.pool.get()
	data.fill(0xA5)
	# A Compare (first, FUSE 01b) and a Write (second, FUSE 10b).
	c1 = sq.put(0x05, 1, buf.phys, 0, (lba, 0, ctrl.nlb(PAGE) - 1), flags=1)
	c2 = sq.put(IO_WRITE, 1, data.phys, 0, (lba, 0, ctrl.nlb(PAGE) - 1), flags=2)
	sq.ring()
	got = {c.cid: c for c in cq.collect(2, 5.0)}
	for cid, what in ((c1, "fused Compare (FUSE 01b)"), (c2, "fused Write (FUSE 10b)")):
		cqe = got.get(cid)
		rep.check(cqe is not None and cqe.is_status(SC_INVALID_FIELD, 0, dnr=True),
			  "%s: Invalid Field in Command, DNR" % what, str(cqe))
	buf.fill(0xFF)
	rep.check(ctrl.rw(qid, IO_READ, lba, buf.phys).ok() and
		  bytes(buf.buf[0:PAGE]) == bytes(PAGE),
		  "the refused Write wrote nothing")
	rep.check(ctrl.delete_pair(qid), "delete queue pair %d" % qid)


def cmd_format(ctrl, rep, _args):
	"""Format NVM quiesces the namespace and runs off the dispatcher.

	With read_lat_ns ~2 s: a read is held, then Format NVM (LBA format 0)
	and an Identify go on the admin queue.  The Identify must complete
	at once (the dispatcher is not busy formatting), a read sent during
	the format gets Namespace Not Ready, and the Format completes only
	after the held read (it waited for the namespace's I/O)."""
	qid = 8
	sq, cq = ctrl.create_pair(qid, 16, 16)
	buf, buf2, page = ctrl.pool.get(), ctrl.pool.get(), ctrl.pool.get()
	t0 = time.monotonic()
	rcid = ctrl.put_rw(sq, IO_READ, 0, buf.phys)
	sq.ring()
	time.sleep(0.2)
	rep.check(cq.pending() == 0, "the read is held (read_lat_ns ~2 s)")
	asq, acq = ctrl.sqs[0], ctrl.cqs[0]
	fcid = asq.put(ADM_FORMAT, 1, cdw=(0,))
	icid = asq.put(ADM_IDENTIFY, 0, page.phys, cdw=(1,))
	asq.ring()
	order, end = [], time.monotonic() + 8.0
	sent_during = False
	read_t = None

	def drain_io(t):
		# Every I/O completion posted so far; the held read's with time t.
		nonlocal read_t
		while True:
			c = cq.pop()
			if c is None:
				return
			if c.cid == rcid:
				read_t = (c, t)
			else:
				rep.check(c.is_status(SC_NS_NOT_READY, 0),
					  "a read during the format: Namespace Not Ready",
					  str(c))

	while time.monotonic() < end and len(order) < 2:
		drain_io(time.monotonic() - t0)
		cqe = acq.pop()
		if cqe is not None:
			t = time.monotonic() - t0
			order.append((cqe.cid, cqe, t))
			if cqe.cid == icid and not sent_during:
				# The format is still running: a new read must be refused.
				ctrl.put_rw(sq, IO_READ, 8, buf2.phys)
				sq.ring()
				sent_during = True
			if cqe.cid == fcid and read_t is None:
				# Both may land within one poll: a read CQE the device
				# posted before the Format's is visible by now (x86
				# keeps stores in order), so it counts as no later.
				drain_io(t)
		time.sleep(0.0002)
	while read_t is None and time.monotonic() < end:
		drain_io(time.monotonic() - t0)
		time.sleep(0.0002)
	for cid, cqe, t in order:
		Report.info("admin CID %d at %.3f s: %s" % (cid, t, cqe))
	ids = [o[0] for o in order]
	rep.check(ids[:1] == [icid],
		  "Identify completes first, while the format waits", str(ids))
	rep.check(sent_during, "a read was sent while the format ran")
	fmt = [o for o in order if o[0] == fcid]
	rep.check(fmt and fmt[0][1].ok(), "Format NVM succeeds",
		  str(fmt[0][1]) if fmt else "no completion")
	rep.check(read_t is not None and read_t[0].ok(),
		  "the held read completes successfully",
		  str(read_t[0]) if read_t else "no completion")
	if fmt and read_t:
		rep.check(fmt[0][2] >= read_t[1],
			  "Format completes after the held read (%.3f s >= %.3f s)" %
			  (fmt[0][2], read_t[1]))
	rep.check(ctrl.delete_pair(qid), "delete queue pair %d" % qid)


COMMANDS = {
	"identify": (cmd_identify, "bring-up and Identify only"),
	"cq-full": (cmd_cq_full, "a full CQ holds completions back, loses none, stalls no other CQ"),
	"sq-head": (cmd_sq_head, "reported SQ head never goes backwards"),
	"sq-delete": (cmd_sq_delete, "Delete I/O SQ aborts held commands (set read_lat_ns ~2 s)"),
	"bad-addr": (cmd_bad_addr, "queue/PRP addresses in the BAR or beyond RAM fail with a status"),
	"fused": (cmd_fused, "fused Compare and Write are refused (FUSES = 0)"),
	"format": (cmd_format, "Format NVM waits for held I/O, off the dispatcher (set read_lat_ns ~2 s)"),
}


def main():
	epilog = "subcommands:\n" + "\n".join("  %-10s %s" % (k, v[1])
					      for k, v in COMMANDS.items())
	ap = argparse.ArgumentParser(
		description="Minimal user-space NVMe host for testing nvmev. The "
		"PCI function must have no driver bound; run as root, in a test "
		"guest only.",
		epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
	ap.add_argument("--bdf", help="PCI function (default: the one with "
			"vendor:device cafe:0001)")
	ap.add_argument("command", choices=COMMANDS, metavar="COMMAND",
			help="one of: " + ", ".join(COMMANDS))
	args = ap.parse_args()

	rep = Report()
	ctrl = None
	try:
		ctrl = open_ctrl(args)
		COMMANDS[args.command][0](ctrl, rep, args)
	except SetupError as e:
		print("FAIL: %s: %s" % (args.command, e), flush=True)
		rep.failed += 1
		rc = 2
	else:
		rc = 1 if rep.failed else 0
	finally:
		if ctrl is not None and ctrl.enabled:
			try:
				ctrl.disable()	# no DMA into our pages once we exit
			except SetupError as e:
				print("FAIL: disabling the controller: %s" % e, flush=True)
				rc = 2
	print("%s: %d passed, %d failed" % (args.command, rep.passed, rep.failed))
	return rc


if __name__ == "__main__":
	sys.exit(main())
