#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Offline checks of nvmev-kv (src/tools/nvmev-kv): its encoding of the
Key Value commands, its decoding of List data and Identify pages, status
names, the command line, and whole subcommands against a fake namespace
that answers the passthrough ioctl in this process (no device, no kernel).

Run by run_tests.sh like a test binary (make -C tests/unit copies it into
build/): one "PASS kvtool.NAME" or "FAIL kvtool.NAME" line per test, then
"kvtool: N passed, N failed" and "RESULT <passed> <failed>" (the line
run_tests.sh counts); the exit status is non-zero if a test failed.  Runs
alone too: python3 tests/unit/test_nvmev_kv.py.  The tool is $NVMEV_KV, or
src/tools/nvmev-kv found from this script's folder upwards.
"""

import ctypes
import importlib.machinery
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import traceback

SUITE = "kvtool"


def find_tool():
    path = os.environ.get("NVMEV_KV")
    if path:
        return path
    d = os.path.dirname(os.path.abspath(__file__))
    for _ in range(4):
        cand = os.path.join(d, "src", "tools", "nvmev-kv")
        if os.path.isfile(cand):
            return cand
        d = os.path.dirname(d)
    sys.exit("test_nvmev_kv: cannot find src/tools/nvmev-kv (set NVMEV_KV)")


def load_tool(path):
    sys.dont_write_bytecode = True      # no __pycache__ in src/tools
    loader = importlib.machinery.SourceFileLoader("nvmev_kv", path)
    spec = importlib.util.spec_from_loader("nvmev_kv", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


TOOL = find_tool()
kv = load_tool(TOOL)

# --- A fake KV namespace behind KvDevice._ioctl ---


class FakeStore:
    """The namespace's state, shared by every FakeDevice of this process."""

    def __init__(self, csi=1, value_max=1 << 20):
        self.csi = csi
        self.value_max = value_max
        self.data = {}
        self.ednek = False
        self.not_ready = 0      # the next N commands: Namespace Not Ready
        self.mdts = 8           # 4 KiB << 8: 1 MiB per command
        self.log = []           # (opcode, key, cdw10, data_len) of I/O
        self.einval = 0         # the next N I/O with a buffer of
        self.einval_from = 0    # at least this many bytes: EINVAL


STORE = FakeStore()


class FakeDevice(kv.KvDevice):
    def __init__(self, path, store=None):
        self.path = path
        self.fd = None
        self.nsid = 1
        self.st = store or STORE

    def _ioctl(self, request, cmd):
        f = kv.CMD64.unpack(bytes(cmd))
        opc, nsid, addr, dlen = f[0], f[3], f[7], f[9]
        cdw10, cdw11 = f[10], f[11]
        st = self.st
        result = 0
        if request == kv.NVME_IOCTL_ADMIN64_CMD:
            status, result = self._admin(opc, cdw10, cdw11, addr, dlen)
        elif request != kv.NVME_IOCTL_IO64_CMD or nsid != self.nsid:
            raise OSError(22, "Invalid argument")
        elif st.einval and dlen >= st.einval_from:
            st.einval -= 1
            st.log.append(("EINVAL", addr))
            raise OSError(22, "Invalid argument")
        elif st.not_ready:
            st.not_ready -= 1
            status = kv.SC_NOT_READY
        else:
            key = kv.command_key(cmd)
            st.log.append((opc, key, cdw10, dlen))
            status, result = self._io(opc, key, cdw10, cdw11 >> 8, addr, dlen)
        struct.pack_into("<Q", cmd, kv.RESULT_OFFSET, result)
        return status

    def _admin(self, opc, cdw10, cdw11, addr, dlen):
        st = self.st
        page = bytearray(dlen)
        if opc == kv.OPC_IDENTIFY and cdw10 == kv.CNS_CTRL:
            page[77] = st.mdts
        elif opc == kv.OPC_IDENTIFY and cdw10 == kv.CNS_NS_DESC_LIST:
            page[0:5] = bytes([kv.NIDT_CSI, 1, 0, 0, st.csi])
        elif opc == kv.OPC_IDENTIFY and cdw10 == kv.CNS_CSI_NS and \
                cdw11 == kv.CSI_KV << 24 and st.csi == kv.CSI_KV:
            used = sum(48 + len(v) for v in st.data.values())
            struct.pack_into("<Q", page, 0, 1 << 30)
            struct.pack_into("<Q", page, 16, used)
            page[25] = 0
            struct.pack_into("<HxxII", page, 72, 16, st.value_max, 100000)
        elif opc == kv.OPC_GET_FEATURES and cdw10 == kv.FID_KV_CONFIG:
            return 0, int(st.ednek)
        elif opc == kv.OPC_SET_FEATURES and cdw10 == kv.FID_KV_CONFIG:
            st.ednek = bool(cdw11 & 1)
            return 0, 0
        else:
            return 0x4002, 0
        ctypes.memmove(addr, bytes(page), dlen)
        return 0, 0

    def _io(self, opc, key, cdw10, opts, addr, dlen):
        st = self.st
        if dlen > 4096 << st.mdts:
            raise OSError(22, "Invalid argument")
        if opc == kv.OPC_LIST:
            if len(key) > 16:
                return kv.SC_KEY_SIZE, 0
            if cdw10 < 4 or dlen != cdw10:
                return kv.SC_INVALID_FIELD, 0
            keys = sorted(k for k in st.data if k >= key)
            buf = kv.build_list(keys, cdw10)
            ctypes.memmove(addr, buf, cdw10)
            return 0, 0
        if not 1 <= len(key) <= 16:
            return kv.SC_KEY_SIZE, 0
        if opc == kv.OPC_STORE:
            if opts & ~3 or opts == 3:
                return kv.SC_INVALID_FIELD, 0
            if cdw10 > st.value_max or dlen != cdw10:
                return kv.SC_VALUE_SIZE, 0
            if opts & kv.STORE_IF_EXISTS and key not in st.data:
                return 0x4000 | kv.SC_NO_KEY, 0
            if opts & kv.STORE_IF_ABSENT and key in st.data:
                return 0x4000 | kv.SC_KEY_EXISTS, 0
            st.data[key] = ctypes.string_at(addr, dlen) if dlen else b""
            return 0, 0
        if opc == kv.OPC_RETRIEVE:
            if key not in st.data:
                return kv.SC_NO_KEY, 0
            v = st.data[key]
            n = min(len(v), cdw10)
            if n:
                ctypes.memmove(addr, v, n)
            return 0, len(v)
        if opc == kv.OPC_DELETE:
            if key not in st.data:
                return (kv.SC_NO_KEY, 0) if st.ednek else (0, 0)
            del st.data[key]
            return 0, 0
        if opc == kv.OPC_EXIST:
            return (0, 0) if key in st.data else (kv.SC_NO_KEY, 0)
        return kv.STATUS_DNR | 0x001, 0


kv.open_device = lambda path: FakeDevice(path)
kv.ng_devices = lambda: ["/dev/ng0n1"]


def run(argv, stdin=b""):
    """main(argv) in this process: (exit status, stdout bytes, stderr)."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    sys.stdout = io.TextIOWrapper(out, write_through=True)
    sys.stderr = err
    try:
        try:
            rc = kv.main(argv)
        except SystemExit as e:
            rc = e.code
    finally:
        sys.stdout.flush()
        data = out.getvalue()
        sys.stdout.detach()     # the wrapper would close out when dropped
        sys.stdin, sys.stdout, sys.stderr = saved
    return rc, data, err.getvalue()


# --- The tests ---

tests = []


def test(fn):
    tests.append(fn)
    return fn


class Check:
    def __init__(self):
        self.failed = []

    def __call__(self, cond, what):
        if not cond:
            self.failed.append(what)

    def eq(self, got, want, what):
        if got != want:
            self.failed.append("%s: got %r, want %r" % (what, got, want))


@test
def ioctl_layout(c):
    c.eq(kv.CMD64.size, 80, "struct nvme_passthru_cmd64 size")
    c.eq(kv.NVME_IOCTL_IO64_CMD, 0xC0504E48, "NVME_IOCTL_IO64_CMD")
    c.eq(kv.NVME_IOCTL_ADMIN64_CMD, 0xC0504E47, "NVME_IOCTL_ADMIN64_CMD")
    c.eq(kv.NVME_IOCTL_ID, 0x4E40, "NVME_IOCTL_ID")
    c.eq(kv.CMD64.unpack(bytes(range(80)))[-1],
         struct.unpack_from("<Q", bytes(range(80)), kv.RESULT_OFFSET)[0],
         "result at byte 72")


@test
def key_packing(c):
    k16 = bytes(range(1, 17))
    c.eq(kv.key_words(b"\x01"), (1, 0, 0, 0), "1-byte key")
    c.eq(kv.key_words(b"A"), (0x41, 0, 0, 0), "key 'A'")
    c.eq(kv.key_words(k16[:8]), (0x04030201, 0x08070605, 0, 0), "8-byte key")
    c.eq(kv.key_words(k16[:9]), (0x04030201, 0x08070605, 0x09, 0),
         "9-byte key: byte 8 is the low byte of CDW14")
    c.eq(kv.key_words(k16), (0x04030201, 0x08070605, 0x0C0B0A09, 0x100F0E0D),
         "16-byte key")
    c.eq(kv.key_words(b"", allow_empty=True), (0, 0, 0, 0), "empty List key")
    for key in (b"\x01", k16[:8], k16[:9], k16):
        cmd = kv.kv_command(kv.OPC_STORE, 7, key, cdw10=5,
                            options=kv.STORE_IF_ABSENT, addr=0x1000,
                            data_len=5)
        f = kv.CMD64.unpack(bytes(cmd))
        c.eq(len(cmd), 80, "command length")
        c.eq((f[0], f[3], f[7], f[9], f[10]), (0x01, 7, 0x1000, 5, 5),
             "opcode, nsid, addr, data_len, cdw10 (%d-byte key)" % len(key))
        c.eq(f[11], 0x200 | len(key),
             "cdw11: option bit 1 in bit 9, key length in bits 7:0")
        c.eq((f[4], f[5], f[14], f[15]), kv.key_words(key), "key words")
        c.eq((f[1], f[2], f[6], f[8], f[12], f[13], f[16], f[17], f[18]),
             (0,) * 9, "other fields zero")
        c.eq(kv.command_key(cmd), key, "key back from the command")
    cmd = kv.kv_command(kv.OPC_LIST, 1, b"", cdw10=4096, addr=8,
                        data_len=4096, allow_empty_key=True)
    c.eq(kv.CMD64.unpack(bytes(cmd))[11], 0,
         "List from the first key: cdw11 0")


@test
def key_refused(c):
    for key in (b"", bytes(17), bytes(64)):
        try:
            kv.key_words(key)
            c(False, "key_words accepted a %d-byte key" % len(key))
        except ValueError:
            pass
    try:
        kv.key_words(bytes(17), allow_empty=True)
        c(False, "List accepted a 17-byte start key")
    except ValueError:
        pass
    for args in (("",), ("hex:",), ("a" * 17,), ("hex:" + "00" * 17,),
                 (None, "00" * 17), (None, ""), ("hex:0",)):
        try:
            kv.parse_key(*args)
            c(False, "parse_key%r accepted" % (args,))
        except kv.UsageError:
            pass
    c.eq(kv.parse_key("a" * 16), b"a" * 16, "16-byte text key")
    c.eq(kv.parse_key("hex:00ff"), b"\x00\xff", "hex: key")
    c.eq(kv.parse_key(None, "0x0102"), b"\x01\x02", "--key-hex 0x0102")
    c.eq(kv.parse_key("\u00e9"), b"\xc3\xa9", "UTF-8 key")
    c.eq(kv.parse_key(None, optional=True), None, "no List start")
    rc, _, err = run(["get", "x" * 17])
    c.eq(rc, 2, "get with a 17-byte key: exit status")
    c("1 to 16 bytes" in err, "message for a 17-byte key: " + err)


@test
def list_parsing(c):
    k16 = bytes(range(0x30, 0x40))
    buf = bytearray()
    buf += struct.pack("<I", 4)
    buf += struct.pack("<H", 1) + b"a" + b"\xee"            # 3 -> 4
    buf += struct.pack("<H", 2) + b"bc"                     # 4
    buf += struct.pack("<H", 5) + b"defgh" + b"\xee"        # 7 -> 8
    buf += struct.pack("<H", 16) + k16 + b"\xee\xee"        # 18 -> 20
    buf += b"\xff" * 9                                      # no room for more
    c.eq(kv.parse_list(bytes(buf)), [b"a", b"bc", b"defgh", k16],
         "four entries, padding skipped")
    c.eq(kv.parse_list(struct.pack("<I", 0) + b"\xff" * 8), [],
         "count 0")
    for bad, why in ((b"\x01\x00", "shorter than the count"),
                     (struct.pack("<IH", 1, 3) + b"ab", "key past the end"),
                     (struct.pack("<IH", 1, 0) + b"\0\0", "key length 0"),
                     (struct.pack("<IH", 1, 17) + bytes(18), "key length 17"),
                     (struct.pack("<IH", 2, 1) + b"a\0", "count too big")):
        try:
            kv.parse_list(bad)
            c(False, "parse_list accepted data with " + why)
        except ValueError:
            pass
    keys = [b"kk%d" % i for i in range(10)]      # 2 + 3 bytes: 8 each
    c.eq(kv.parse_list(kv.build_list(keys, 4 + 3 * 8)), keys[:3],
         "as many whole entries as fit")
    c.eq(kv.parse_list(kv.build_list(keys, 4 + 3 * 8 - 1)), keys[:2],
         "a partial entry is left out")


@test
def identify_parsing(c):
    page = bytearray(4096)
    struct.pack_into("<Q", page, 0, 8 << 30)
    struct.pack_into("<Q", page, 16, 12345)
    page[25] = 1
    struct.pack_into("<HxxII", page, 72, 16, 1 << 20, 0)
    struct.pack_into("<HxxII", page, 88, 8, 4096, 77)
    got = kv.parse_kv_identify(bytes(page))
    c.eq((got["capacity"], got["used"], got["nkvf"]), (8 << 30, 12345, 1),
         "NSZE, NUSE, NKVF")
    c.eq(got["formats"], [{"key_max": 16, "value_max": 1 << 20, "max_keys": 0},
                          {"key_max": 8, "value_max": 4096, "max_keys": 77}],
         "KV formats (NKVF is 0's based)")
    descs = bytes([1, 8, 0, 0]) + bytes(range(8)) + bytes([4, 1, 0, 0, 1]) + \
        bytes(100)
    c.eq(kv.parse_ns_descs(descs).get(kv.NIDT_CSI), b"\x01",
         "CSI descriptor after an EUI64 one")
    c.eq(kv.parse_ns_descs(bytes(64)), {}, "empty descriptor list")


@test
def status_names(c):
    for st, name in ((0x87, "KV Key Does Not Exist"),
                     (0x81, "Capacity Exceeded"),
                     (0x82, "Namespace Not Ready"),
                     (0x85, "Invalid Value Size"),
                     (0x86, "Invalid Key Size"), (0x89, "Key Exists"),
                     (0x02, "Invalid Field in Command"),
                     (0x01, "Invalid Command Opcode"),
                     (0x0B, "Invalid Namespace or Format"),
                     (0x00, "Success")):
        c.eq(kv.status_name(st), name, "status %#x" % st)
        c.eq(kv.status_name(st | kv.STATUS_DNR | kv.STATUS_MORE), name,
             "status %#x with DNR and More" % st)
    c.eq(kv.status_str(0x87), "KV Key Does Not Exist(0x87)", "status_str")
    c.eq(kv.status_str(0x4087), "KV Key Does Not Exist(0x4087)",
         "status_str keeps the DNR bit, as nvme-cli")
    c("Unknown" in kv.status_name(0x3ff), "an unknown status is named Unknown")


@test
def sizes_and_keys(c):
    for text, want in (("4096", 4096), ("4k", 4096), ("4K", 4096),
                       ("4KiB", 4096), ("1M", 1 << 20), ("2G", 2 << 30),
                       ("0x100", 256), ("0", 0)):
        c.eq(kv.parse_size(text), want, "parse_size(%r)" % text)
    for text in ("", "k", "-1", "1.5K", "4X"):
        try:
            kv.parse_size(text)
            c(False, "parse_size(%r) accepted" % text)
        except ValueError:
            pass
    c.eq(kv.show_key(b"abc"), "abc", "text key shown as text")
    c.eq(kv.show_key(b"\x00\xff"), "hex:00ff", "binary key shown as hex:")
    c.eq(kv.show_key(b"a b"), "a b", "inner space kept")
    c.eq(kv.show_key(b"a\n"), "hex:610a", "newline: hex")
    c.eq(kv.show_key(b" a"), "hex:2061", "leading space: hex")
    c.eq(kv.show_key(b"hex:1"), "hex:6865783a31", "text that looks like hex:")
    c.eq(kv.show_key(b"abc", force_hex=True), "hex:616263", "--hex")
    c.eq(kv.parse_key(kv.show_key(b"\x00\xff")), b"\x00\xff", "round trip")
    vals = list(range(1, 101))
    c.eq((kv.percentile(vals, 50), kv.percentile(vals, 99),
          kv.percentile(vals, 100)), (50, 99, 100), "nearest-rank percentiles")
    c.eq(kv.latency_stats([1000, 3000]),
         {"mean_us": 2.0, "p50_us": 1.0, "p99_us": 3.0, "max_us": 3.0},
         "latency_stats in microseconds")


@test
def cli_help(c):
    def sh(*args):
        p = subprocess.run([sys.executable, TOOL] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        return p.returncode, p.stdout, p.stderr
    rc, out, _ = sh("--help")
    c.eq(rc, 0, "nvmev-kv --help: exit status")
    c(out.startswith("usage: nvmev-kv"), "--help: usage line")
    for word in ("put", "get", "delete", "exists", "list", "info", "config",
                 "bench", "exit status"):
        c(word in out, "--help mentions " + word)
    for sub in ("put", "get", "delete", "exists", "list", "info", "config",
                "bench"):
        rc, out, _ = sh(sub, "--help")
        c(rc == 0 and out.startswith("usage: nvmev-kv " + sub),
          "nvmev-kv %s --help: exit %d" % (sub, rc))
    rc, out, _ = sh("--version")
    c(rc == 0 and out.startswith("nvmev-kv "), "--version: %d %r" % (rc, out))
    rc, _, err = sh("--no-such-option")
    c.eq(rc, 2, "unknown option: exit status")
    rc, _, err = sh()
    c.eq(rc, 2, "no command: exit status")
    rc, _, err = sh("nonsense")
    c.eq(rc, 2, "unknown command: exit status")
    rc, _, err = sh("get", "k", "-d", "/nonexistent/ng9n9")
    c.eq(rc, 4, "missing device: exit status")
    c("/nonexistent/ng9n9" in err, "missing device named: " + err)


@test
def fake_put_get(c):
    STORE.__init__()
    rc, out, err = run(["-d", "/dev/ng0n1", "put", "alpha", "one"])
    c.eq((rc, out), (0, b"put: Success\n"), "put: " + err)
    c.eq(STORE.data, {b"alpha": b"one"}, "stored")
    c.eq(STORE.log[-1], (kv.OPC_STORE, b"alpha", 3, 3), "Store command")
    rc, out, err = run(["get", "alpha", "-d", "/dev/ng0n1"])
    c.eq((rc, out), (0, b"one"), "get (-d after the command): " + err)
    rc, out, err = run(["get", "alpha", "-v", "--max-bytes", "2"])
    c.eq((rc, out), (0, b"on"), "get --max-bytes 2")
    c("value size 3 bytes" in err, "get -v: " + err)
    c.eq(STORE.log[-1][2:], (2, 2), "--max-bytes: one Retrieve of 2 bytes")
    big = bytes(range(256)) * 1200     # 307200 bytes: a huge-page buffer
    with tempfile.NamedTemporaryFile() as f:
        f.write(big)
        f.flush()
        rc, out, err = run(["put", "--key-hex", "00ff", "-f", f.name])
        c.eq(rc, 0, "put -f FILE with --key-hex: " + err)
    n = len(STORE.log)
    rc, out, err = run(["get", "hex:00ff"])
    c(rc == 0 and out == big, "get of a value bigger than the first buffer")
    c.eq([e[2] for e in STORE.log[n:]], [4096, len(big)],
         "second Retrieve with the reported size")
    STORE.mdts = 6      # 256 KiB
    n = len(STORE.log)
    rc, out, err = run(["get", "hex:00ff"])
    c(rc == 4 and "MDTS: 262144 bytes" in err,
      "get of a value above MDTS: %d %s" % (rc, err))
    rc, out, err = run(["get", "hex:00ff", "--max-bytes", "256K"])
    c(rc == 0 and out == big[:256 << 10], "get --max-bytes MDTS: " + err)
    rc, out, err = run(["put", "k", "-f", "-"], stdin=big)
    c(rc == 4 and "MDTS" in err and len(STORE.log) == n + 2,
      "put of a value above MDTS, not sent: %d %s" % (rc, err))
    STORE.mdts = 8
    with tempfile.TemporaryDirectory() as d:
        kf = os.path.join(d, "key")
        with open(kf, "wb") as f:
            f.write(b"\x01\x02\n")
        rc, _, err = run(["put", "--key-file", kf, "-"], stdin=b"\x00bin\xff")
        c.eq(rc, 0, "put --key-file, value from stdin: " + err)
        c.eq(STORE.data.get(b"\x01\x02\n"), b"\x00bin\xff",
             "binary key and value")
        of = os.path.join(d, "out")
        rc, out, err = run(["get", "--key-file", kf, "-o", of])
        with open(of, "rb") as f:
            c((rc, out, f.read()) == (0, b"", b"\x00bin\xff"), "get -o FILE")
    rc, out, _ = run(["get", "--hex", "--key-hex", "01020a"])
    c.eq(out, b"0062696eff\n", "get --hex")
    rc, _, err = run(["put", "hexval", "hex:c0ffee"])
    c(rc == 0 and STORE.data.get(b"hexval") == b"\xc0\xff\xee", "VALUE hex:")
    rc, _, err = run(["put", "empty", "--value-hex", ""])
    c(rc == 0 and STORE.data.get(b"empty") == b"", "empty value: " + err)
    rc, out, err = run(["get", "empty", "-v"])
    c((rc, out) == (0, b"") and "value size 0" in err, "get of an empty value")
    rc, _, err = run(["put", "k"])
    c.eq(rc, 2, "put without a value")
    rc, _, err = run(["put", "k", "v", "--value-hex", "00"])
    c.eq(rc, 2, "put with two values")


@test
def fake_options_and_errors(c):
    STORE.__init__()
    rc, out, err = run(["put", "--if-exists", "nokey", "v"])
    c.eq(rc, 1, "put --if-exists of a missing key: exit status")
    c("NVMe status: KV Key Does Not Exist(0x4087)" in err, "message: " + err)
    c.eq(STORE.log[-1][0], kv.OPC_STORE, "a Store was sent")
    rc, _, _ = run(["put", "--if-absent", "k", "v1"])
    c.eq(rc, 0, "put --if-absent of a new key")
    rc, _, err = run(["put", "--if-absent", "k", "v2"])
    c.eq(rc, 3, "put --if-absent of an existing key: exit status")
    c("Key Exists(0x4089)" in err, "message: " + err)
    c.eq(STORE.data[b"k"], b"v1", "value kept")
    rc, _, err = run(["put", "--if-exists", "--if-absent", "k", "v"])
    c.eq(rc, 2, "both options")
    rc, out, err = run(["get", "missing"])
    c.eq((rc, out), (1, b""), "get of a missing key")
    c("NVMe status: KV Key Does Not Exist(0x87)" in err, "message: " + err)
    rc, out, _ = run(["exists", "k"])
    c.eq((rc, out), (0, b"k: exists\n"), "exists")
    rc, out, _ = run(["exists", "missing"])
    c.eq((rc, out), (1, b"missing: does not exist\n"), "exists, missing key")
    rc, out, _ = run(["exists", "-q", "missing"])
    c.eq((rc, out), (1, b""), "exists -q")
    c.eq(STORE.log[-1][0], kv.OPC_EXIST, "Exist opcode")
    rc, out, _ = run(["delete", "missing"])
    c.eq((rc, out), (0, b"delete: Success\n"),
         "delete of a missing key, EDNEK off")
    rc, out, _ = run(["config", "--ednek", "on"])
    c(rc == 0 and out.startswith(b"config: Success\nednek     : on"),
      "config --ednek on: %r" % out)
    rc, _, err = run(["delete", "missing"])
    c.eq(rc, 1, "delete of a missing key, EDNEK on: exit status")
    rc, out, _ = run(["delete", "k"])
    c.eq((rc, out, STORE.data), (0, b"delete: Success\n", {}), "delete")
    c.eq(STORE.log[-1][0], kv.OPC_DELETE, "Delete opcode")
    rc, out, _ = run(["config"])
    c(rc == 0 and out.startswith(b"ednek     : on"), "config shows EDNEK")
    run(["config", "--ednek", "off"])
    c(not STORE.ednek, "config --ednek off")
    STORE.not_ready = 3
    rc, _, err = run(["put", "k", "v"])
    c(rc == 0 and STORE.data.get(b"k") == b"v",
      "Namespace Not Ready is retried: " + err)
    STORE.value_max = 4
    rc, _, err = run(["put", "k", "12345"])
    c(rc == 3 and "Invalid Value Size(0x85)" in err, "value too big: " + err)


@test
def fake_list(c):
    STORE.__init__()
    keys = [b"a", b"ab", b"abc", b"b", b"\x00\x01", b"\xff" * 16] + \
        [b"key%03d" % i for i in range(50)]
    for k in keys:
        STORE.data[k] = b"v"
    want = [kv.show_key(k).encode() for k in sorted(keys)]
    rc, out, err = run(["list", "--buffer-size", "44"])
    c.eq(rc, 0, "list: " + err)
    c.eq(out.splitlines(), want, "every key in order, two per List")
    c(all(e[0] == kv.OPC_LIST and e[2] == 44 for e in STORE.log),
      "List commands of 44 bytes")
    c.eq(STORE.log[0][1], b"", "the first List from key length 0")
    c(b"hex:0001" in out and b"hex:" + b"ff" * 16 in out,
      "binary keys as hex:")
    n = len(STORE.log)
    rc, out, _ = run(["list"])
    c.eq(out.splitlines(), want, "list with the default buffer")
    c.eq(STORE.log[n][2], 65536, "default List buffer: 64 KiB")
    STORE.mdts = 1
    n = len(STORE.log)
    rc, out, _ = run(["list"])
    c.eq(out.splitlines(), want, "list with MDTS 8 KiB")
    c.eq(STORE.log[n][2], 8192, "default List buffer: MDTS 8 KiB")
    STORE.mdts = 8
    rc, out, _ = run(["list", "ab", "--max", "3"])
    c.eq(out.splitlines(), [b"ab", b"abc", b"b"], "list START --max 3")
    rc, out, _ = run(["list", "zzz"])
    c.eq((rc, out), (0, b"hex:" + b"ff" * 16 + b"\n"),
         "from a start key that does not exist")
    rc, out, _ = run(["list", "-x", "-n", "1", "--key-hex", "61"])
    c.eq(out, b"hex:61\n", "list --hex from --key-hex")
    rc, _, _ = run(["list", "--buffer-size", "43"])
    c.eq(rc, 2, "List buffer too small for two entries")
    STORE.data.clear()
    rc, out, _ = run(["list"])
    c.eq((rc, out), (0, b""), "empty namespace")


@test
def fake_info_and_devices(c):
    STORE.__init__()
    STORE.data[b"x"] = bytes(100)
    rc, out, err = run(["info"])
    text = out.decode()
    c.eq(rc, 0, "info: " + err)
    for want in ("device    : /dev/ng0n1 (namespace 1",
                 "capacity  : 1073741824",
                 "used      : 148 bytes", "key max   : 16 bytes",
                 "value max : 1048576 bytes", "max keys  : 100000",
                 "ednek     : off"):
        c(want in text, "info shows %r:\n%s" % (want, text))
    rc, out, _ = run(["info", "--json"])
    doc = json.loads(out)
    c.eq((doc["capacity_bytes"], doc["used_bytes"], doc["ednek"],
          doc["formats"][0]["max_keys"]), (1 << 30, 148, False, 100000),
         "info --json")
    saved = STORE.csi
    STORE.csi = 0
    try:
        rc, _, err = run(["-d", "/dev/ng0n1", "get", "x"])
        c.eq(rc, 4, "NVM namespace refused: exit status")
        c("not Key Value (CSI 1)" in err and "NVM" in err, "message: " + err)
        rc, _, err = run(["get", "x"])
        c.eq(rc, 4, "no KV namespace found: exit status")
        c("no Key Value namespace (CSI 1) among /dev/ng0n1" in err,
          "message: " + err)
    finally:
        STORE.csi = saved


@test
def fake_bench(c):
    STORE.__init__()
    rc, out, err = run(["bench", "--keys", "200", "--value-size", "100",
                        "--ops", "300", "--read-pct", "50", "--cleanup",
                        "--json", "-q"])
    c.eq(rc, 0, "bench: " + err)
    try:
        doc = json.loads(out)
    except ValueError:
        c(False, "bench --json is not one JSON object: %r" % out[:200])
        return
    ph = doc["phases"]
    c.eq(sorted(ph), ["cleanup", "load", "run"], "phases")
    c.eq(ph["load"]["op"]["store"]["ops"], 200, "load: 200 Stores")
    run_ops = ph["run"]["op"]
    c.eq(sum(o["ops"] for o in run_ops.values()), 300, "run: 300 commands")
    c(set(run_ops) == {"retrieve", "store"}, "run: Retrieves and Stores")
    c.eq(run_ops["retrieve"]["mismatches"], 0, "values read back")
    c.eq(ph["cleanup"]["op"]["delete"]["ops"], 200, "cleanup: 200 Deletes")
    for p in ph.values():
        for o in p["op"].values():
            c(o["errors"] == 0 and o["ops_per_s"] > 0 and
              0 < o["p50_us"] <= o["p99_us"] <= o["max_us"],
              "figures: %r" % o)
    c.eq((doc["keys"], doc["value_size"], doc["jobs"]), (200, 100, 1),
         "parameters in the report")
    rc, out, err = run(["bench", "--keys", "10", "--value-size", "1K",
                        "--ops", "0", "-q"])
    lines = out.decode().splitlines()
    c(rc == 0 and lines[0].split()[:4] == ["phase", "op", "ops", "errors"]
      and lines[1].split()[:3] == ["load", "store", "10"],
      "bench table: %r %s" % (lines, err))
    # Two processes (each with its own copy of the fake namespace, so only
    # Stores): the phases are shared out and the figures merged.
    rc, out, err = run(["bench", "--keys", "101", "--value-size", "64",
                        "--ops", "51", "--read-pct", "0", "--jobs", "2",
                        "--json", "-q"])
    try:
        doc = json.loads(out)
        got = (rc, doc["jobs"], doc["phases"]["load"]["op"]["store"]["ops"],
               doc["phases"]["run"]["op"]["store"]["ops"],
               doc["phases"]["run"]["op"]["store"]["errors"])
    except (ValueError, KeyError) as e:
        got = (rc, repr(e), out[:200], err)
    c.eq(got, (0, 2, 101, 51, 0), "bench --jobs 2")
    rc, _, _ = run(["bench", "--read-pct", "101"])
    c.eq(rc, 2, "--read-pct 101")
    rc, _, _ = run(["bench", "--keys", "1000", "--key-prefix", "x" * 14])
    c.eq(rc, 2, "--key-prefix leaving too few digits")


@test
def host_refused_buffer_retried(c):
    """EINVAL from the kernel on a big buffer: the tool compacts memory
    and sends the command again from a fresh buffer; the value arrives
    whole, a Retrieve's bytes land in the caller's buffer, and a refusal
    that lasts is reported as the OSError."""
    st = FakeStore()
    dev = FakeDevice("/dev/fake", st)
    compacted = []
    saved = kv.compact_memory
    kv.compact_memory = lambda: compacted.append(1)
    try:
        value = bytes(range(256)) * 2048        # 512 KiB
        st.einval_from = kv.HUGE_FROM
        st.einval = 2
        dev.store(b"big", value)
        c.eq(st.data.get(b"big"), value, "stored after two refusals")
        c.eq(len(compacted), 2, "memory compacted before each retry")
        addrs = [e[1] for e in st.log if e[0] == "EINVAL"]
        c(len(set(addrs)) == 2, "the retry used a fresh buffer")
        st.einval = 1
        got, full = dev.retrieve(b"big")
        c.eq((got, full), (value, len(value)), "retrieved after a refusal")
        st.einval, st.einval_from = 1, 0
        try:
            dev.retrieve(b"big", max_bytes=4096)
            c(False, "a small buffer is not retried")
        except OSError as e:
            c.eq(e.errno, 22, "small buffer: EINVAL passed on")
        st.einval, st.einval_from = kv.HUGE_RETRIES + 1, kv.HUGE_FROM
        try:
            dev.store(b"big2", value)
            c(False, "a lasting refusal raises")
        except OSError as e:
            c.eq(e.errno, 22, "lasting refusal: EINVAL")
        c(b"big2" not in st.data, "nothing stored on a lasting refusal")
    finally:
        kv.compact_memory = saved


def main():
    passed = failed = 0
    for fn in tests:
        c = Check()
        try:
            fn(c)
        except Exception:
            c.failed.append("exception:\n" + traceback.format_exc())
        if c.failed:
            failed += 1
            print("FAIL %s.%s" % (SUITE, fn.__name__))
            for why in c.failed:
                print("    " + why.replace("\n", "\n    "))
        else:
            passed += 1
            print("PASS %s.%s" % (SUITE, fn.__name__))
    print("%s: %d passed, %d failed" % (SUITE, passed, failed))
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
