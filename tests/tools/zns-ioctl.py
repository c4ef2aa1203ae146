#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Zone commands on a zoned NVMe namespace through the kernel's NVMe
passthrough ioctl, where nvme-cli and fio fall short: fio 3.33 cannot
append, and nvme-cli 2.3 prints neither the raw Zone Management Receive
data nor a partial report's count.  Used by bench/guest.sh (append, reset)
and tests/cases/27-zns.sh (report) in the VM.

Usage:
  tests/tools/zns-ioctl.py append DEV ZONE_LBA --bytes N --streams S
      Zone Appends of N bytes into the empty zone starting at ZONE_LBA
      from S processes, each with one append in flight, until the zone
      is full.  Prints mb_s=, appends=, and lbas_ok=1 when the returned LBAs
      tile the zone exactly (no overlap, no gap).
  tests/tools/zns-ioctl.py reset DEV ZONE_LBA [ZONE_LBA...]
      Zone Management Send Reset of each zone, one after the other, after
      0.2 s of quiet (the flash idle).  Prints us= with each latency.
      Zones on different dies do not wait for each other's erases.
  tests/tools/zns-ioctl.py report DEV SLBA --bytes N [--filter F] [--partial]
      One Zone Management Receive (Report Zones, ZRASF F, default 0: all)
      of N bytes from SLBA.  Prints nr_zones= (the NRZONES field),
      descriptors= (how many fit in N bytes) and states= (the ZS values of
      the descriptors returned, in hex).
DEV is the namespace's block device (/dev/nvme0n1); its NSID and block
size are read from it.
"""
import ctypes
import fcntl
import multiprocessing
import os
import struct
import sys
import time

# struct nvme_passthru_cmd64 (include/uapi/linux/nvme_ioctl.h): 80 bytes.
CMD64 = struct.Struct("<BBHIIIQQIIIIIIIIIIQ")
NVME_IOCTL_ID = 0x4E40                  # _IO('N', 0x40)
NVME_IOCTL_IO64_CMD = 0xC0504E48        # _IOWR('N', 0x48, 80 bytes)
BLKSSZGET = 0x1268
OPC_ZONE_APPEND = 0x7D
OPC_ZMS = 0x79
OPC_ZMR = 0x7A
ZSA_RESET = 0x04


def passthru(fd, opcode, nsid, addr, length, cdw10=0, cdw11=0, cdw12=0,
             cdw13=0):
    buf = bytearray(CMD64.pack(opcode, 0, 0, nsid, 0, 0, 0, addr, 0, length,
                               cdw10, cdw11, cdw12, cdw13, 0, 0, 0, 0, 0))
    ret = fcntl.ioctl(fd, NVME_IOCTL_IO64_CMD, buf, True)
    if ret != 0:
        raise OSError("NVMe status 0x%x" % ret)
    return CMD64.unpack(bytes(buf))[-1]


def dev_info(fd):
    nsid = fcntl.ioctl(fd, NVME_IOCTL_ID)
    bs = struct.unpack("i", fcntl.ioctl(fd, BLKSSZGET, b"\0" * 4))[0]
    return nsid, bs


def append_stream(dev, zslba, nbytes, barrier, out):
    """One stream (a process of its own: no shared interpreter lock):
    appends until the zone is full; sends back its LBAs, errors and the
    span of its work."""
    fd = os.open(dev, os.O_RDWR)
    nsid, bs = dev_info(fd)
    nlb = nbytes // bs
    data = ctypes.create_string_buffer(os.urandom(64) * (nbytes // 64))
    addr = ctypes.addressof(data)
    got, err = [], None
    barrier.wait()
    t0 = time.perf_counter()
    while True:
        try:
            got.append(passthru(fd, OPC_ZONE_APPEND, nsid, addr, nbytes,
                                zslba & 0xffffffff, zslba >> 32, nlb - 1))
        except OSError as e:
            err = str(e)
            break
    t1 = time.perf_counter()
    os.close(fd)
    out.put((got, err, t0, t1, nlb))


def append(dev, zslba, nbytes, streams):
    barrier = multiprocessing.Barrier(streams)
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=append_stream,
                                     args=(dev, zslba, nbytes, barrier, out))
             for _ in range(streams)]
    for p in procs:
        p.start()
    res = [out.get() for _ in procs]
    for p in procs:
        p.join()
    got = sorted(l for r in res for l in r[0])
    nlb = res[0][4]
    secs = max(r[3] for r in res) - min(r[2] for r in res)
    tiled = bool(got) and got[0] == zslba and \
        all(b - a == nlb for a, b in zip(got, got[1:]))
    # Every stream stops at its first failure: Zone Is Full (0x1b9,
    # with DNR 0x41b9) once the zone is full; anything else is an error.
    bad = [r[1] for r in res
           if r[1] and not r[1].endswith(("0x41b9", "0x1b9"))]
    print("mb_s=%.1f appends=%d lbas_ok=%d errors=%d" % (
        len(got) * nbytes / secs / 1e6, len(got), int(tiled), len(bad)))
    return 0 if tiled and not bad else 1


def reset(dev, zones):
    fd = os.open(dev, os.O_RDWR)
    nsid, _ = dev_info(fd)
    out = []
    time.sleep(0.2)
    for z in zones:
        t0 = time.perf_counter_ns()
        passthru(fd, OPC_ZMS, nsid, 0, 0, z & 0xffffffff, z >> 32, 0,
                 ZSA_RESET)
        out.append((time.perf_counter_ns() - t0) / 1e3)
    os.close(fd)
    print("us=" + ",".join("%.1f" % v for v in out))
    return 0


def report(dev, slba, nbytes, zrasf, partial):
    fd = os.open(dev, os.O_RDWR)
    nsid, _ = dev_info(fd)
    data = ctypes.create_string_buffer(nbytes)
    passthru(fd, OPC_ZMR, nsid, ctypes.addressof(data), nbytes,
             slba & 0xffffffff, slba >> 32, nbytes // 4 - 1,
             zrasf << 8 | (1 << 16 if partial else 0))
    os.close(fd)
    raw = data.raw
    nr = struct.unpack_from("<Q", raw, 0)[0]
    n = max(0, (nbytes - 64) // 64)
    states = [raw[64 + 64 * i + 1] >> 4 for i in range(min(n, nr))]
    print("nr_zones=%d descriptors=%d states=%s" % (
        nr, n, ",".join("%x" % s for s in states)))
    return 0


def main(argv):
    if len(argv) < 3 or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    cmd, dev = argv[0], argv[1]
    if cmd == "append":
        opts = dict(zip(argv[3::2], argv[4::2]))
        return append(dev, int(argv[2], 0), int(opts.get("--bytes", 65536)),
                      int(opts.get("--streams", 4)))
    if cmd == "report":
        opts = dict(zip(argv[3::2], argv[4::2]))
        part = "--partial" in argv
        if part:
            rest = [a for a in argv[3:] if a != "--partial"]
            opts = dict(zip(rest[0::2], rest[1::2]))
        return report(dev, int(argv[2], 0), int(opts.get("--bytes", 4096)),
                      int(opts.get("--filter", 0)), part)
    if cmd == "reset":
        return reset(dev, [int(z, 0) for z in argv[2:]])
    print("unknown command %s (see --help)" % cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
