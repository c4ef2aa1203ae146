#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Offline checks of powercut-check (tests/tools/powercut-check) on a plain
file standing in for the device: that its verify step tells a device that
kept everything from one that lost unflushed writes, and that it catches
lost or damaged durable data.  The cut is simulated by rewriting slots with
what the write step's state says a drive may (or may not) hold.

Run by run_tests.sh like a test binary: one "PASS powercut.NAME" or
"FAIL powercut.NAME" line per test, then "RESULT <passed> <failed>".
"""

import json
import os
import subprocess
import sys
import tempfile

SUITE = "powercut"
HERE = os.path.dirname(os.path.abspath(__file__))


def find_tool():
    d = HERE
    for _ in range(4):
        cand = os.path.join(d, "tests", "tools", "powercut-check")
        if os.path.isfile(cand):
            return cand
        d = os.path.dirname(d)
    raise SystemExit("powercut-check not found")


TOOL = find_tool()


def run(*args):
    p = subprocess.run([sys.executable, TOOL] + list(args),
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def setup(tmp, writes=300):
    dev = os.path.join(tmp, "dev")
    state = os.path.join(tmp, "state")
    with open(dev, "wb") as f:
        f.truncate(64 * 512)
    rc, out = run("write", dev, state, "--seed", "5", "--writes",
                  str(writes), "--slots", "32")
    assert rc == 0, out
    with open(state) as f:
        return dev, state, json.load(f)


def record_of(dev, slot, bs=512):
    with open(dev, "rb") as f:
        f.seek(slot * bs)
        return f.read(bs)


def test_kept_everything(tmp):
    dev, state, st = setup(tmp)
    assert any(st["pending"]), "the run left no unflushed record"
    rc, out = run("verify", dev, state, "--expect-none-lost")
    assert rc == 0, out
    rc, out = run("verify", dev, state, "--expect-lost")
    assert rc == 3, out


def test_lost_unflushed(tmp):
    dev, state, st = setup(tmp, writes=40)
    # A drive that lost its cache: slots with unflushed records hold their
    # durable record again.  A run of the same seed with no writes after
    # the first pass holds each slot's first record.
    dev2 = os.path.join(tmp, "dev2")
    state2 = os.path.join(tmp, "state2")
    with open(dev2, "wb") as f:
        f.truncate(64 * 512)
    rc, out = run("write", dev2, state2, "--seed", "5", "--writes", "0",
                  "--slots", "32")
    assert rc == 0, out
    # With --writes 0 every slot holds its first record (seq slot + 1); use
    # only slots whose durable record is still that first one.
    changed = 0
    with open(dev, "r+b") as f:
        for slot, pend in enumerate(st["pending"]):
            if pend and st["durable"][slot] == slot + 1:
                f.seek(slot * 512)
                f.write(record_of(dev2, slot))
                changed += 1
    assert changed, "seed 5 left no slot to roll back"
    rc, out = run("verify", dev, state, "--expect-lost")
    assert rc == 0, out
    rc, out = run("verify", dev, state, "--expect-none-lost")
    assert rc == 3, out


def test_durable_damaged(tmp):
    dev, state, st = setup(tmp)
    slot = next(i for i, p in enumerate(st["pending"]) if not p)
    with open(dev, "r+b") as f:
        f.seek(slot * 512 + 100)
        f.write(b"\xff" * 8)
    rc, out = run("verify", dev, state)
    assert rc == 1 and "ERROR" in out, out


def test_durable_rolled_back(tmp):
    dev, state, st = setup(tmp, writes=600)
    dev2 = os.path.join(tmp, "dev2")
    with open(dev2, "wb") as f:
        f.truncate(64 * 512)
    rc, out = run("write", dev2, os.path.join(tmp, "s2"), "--seed", "5",
                  "--writes", "0", "--slots", "32")
    assert rc == 0, out
    # A slot whose durable record is newer than its first: an older record
    # there means durable data was lost.
    slot = next(i for i, d in enumerate(st["durable"]) if d != i + 1)
    with open(dev, "r+b") as f:
        f.seek(slot * 512)
        f.write(record_of(dev2, slot))
    rc, out = run("verify", dev, state)
    assert rc == 1 and "was durable" in out, out


def test_help_and_usage(tmp):
    rc, out = run("--help")
    assert rc == 0 and "fs-work" in out, out
    rc, out = run("verify")
    assert rc == 2, out


def test_fs_work_and_verify(tmp):
    d = os.path.join(tmp, "fs")
    os.mkdir(d)
    log = os.path.join(tmp, "log")
    rc, out = run("fs-work", d, log, "--seconds", "0.3")
    assert rc == 0, out
    rc, out = run("fs-verify", d, log)
    assert rc == 0 and " 0 lost" in out, out
    with open(log) as f:
        name = f.readline().split()[0]
    with open(name, "ab") as f:
        f.write(b"x")
    rc, out = run("fs-verify", d, log)
    assert rc == 1, out


def main():
    passed = failed = 0
    for name, fn in sorted(globals().items()):
        if not name.startswith("test_") or not callable(fn):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                fn(tmp)
            except AssertionError as e:
                print(f"FAIL {SUITE}.{name[5:]}: {e}")
                failed += 1
                continue
        print(f"PASS {SUITE}.{name[5:]}")
        passed += 1
    print(f"{SUITE}: {passed} passed, {failed} failed")
    print(f"RESULT {passed} {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
