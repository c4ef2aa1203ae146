#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one bench/run results folder into results.json, results.md and
plots (gnuplot, PNG).  Usage: bench/report.py [--check] RESULTS_DIR

Reads RESULTS_DIR/env.txt (host side: QEMU version, git commit, ...),
RESULTS_DIR/raw/bench/records.tsv (written by bench/guest.sh in the VM)
and, for the ssd section, RESULTS_DIR/ssd/host.json and vm.json (written
by bench/ssd-sim), and for the zns and kv sections
RESULTS_DIR/zns/model-*.txt and RESULTS_DIR/kv/model-*.txt
(nvmev-znssim's and nvmev-kvsim's predictions, written by bench/run).
Writes results.md (= results-main.md, the sections of the VM,
results-ssd.md, the SSD kind, results-zns.md, the ZNS kind,
results-kv.md, the KV kind, and results-multi.md, several devices at
once), results.json and the plots.
--check: exit 1 when a section that ran is missing or a figure is not a
number, or a KV command failed (used by the smoke run; no timing is ever
judged).
"""
import json
import math
import os
import shutil
import subprocess
import sys

SECTIONS = ["matrix", "accuracy", "idle", "wakeup", "power", "paths",
            "memory", "ssd", "zns", "kv", "multi"]
# Records a section writes, when not named after it.
SECTION_RECORDS = {"ssd": "ssdvm", "zns": "znsvm", "kv": "kvvm",
                   "power": "power_idle"}
DEV_ORDER = ["nvmev-zero", "nvmev-default", "nullblk-mem", "nullblk-nomem",
             "brd", "qemu-nvme"]
DEV_LABEL = {
    "nvmev-zero": "nvmev zero-latency",
    "nvmev-default": "nvmev default (Optane-class)",
    "nullblk-mem": "null_blk memory_backed=1",
    "nullblk-nomem": "null_blk memory_backed=0",
    "brd": "brd",
    "qemu-nvme": "QEMU -device nvme (null-co)",
}
REF = "nullblk-mem"


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def load_records(path):
    recs = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            sec, _, rest = line.partition("\t")
            d = {}
            for kv in rest.split(" "):
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    d[k] = num(v)
            recs.setdefault(sec, []).append(d)
    return recs


def load_env(path):
    env = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                if k:
                    env[k] = v
    return env


def pct(measured, target):
    if not target:
        return None
    return (measured - target) / target * 100


def f1(v, fmt="%.1f"):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, str):
        return v
    return fmt % v


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out)


def point_name(r):
    return "%s %s QD%d" % (r["rw"], r["bs"], int(r["qd"]))


def build(recs, env, outdir):
    res = {"_dir": outdir, "env": env, "guest": (recs.get("env") or [{}])[0]}
    # Throughput matrix, with the ratio to null_blk (memory_backed).
    matrix = recs.get("matrix", [])
    ref = {point_name(r): r for r in matrix if r["dev"] == REF}
    for r in matrix:
        b = ref.get(point_name(r))
        r["ratio_iops"] = r["iops"] / b["iops"] if b and b["iops"] else None
    res["matrix"] = matrix
    # Accuracy.
    acc = recs.get("accuracy", [])
    qd1 = [r for r in acc if r["kind"] == "qd1"]
    floor = next((r for r in qd1 if r["target_us"] == 0), None)
    for r in qd1:
        t = r["target_us"]
        r["err_mean_pct"] = pct(r["mean_us"], t)
        r["err_p50_pct"] = pct(r["p50_us"], t)
        r["err_p99_pct"] = pct(r["p99_us"], t)
        # The floor: a zero-latency run right before this one (guest.sh
        # records it with each target), else the target-0 row.
        fm = r.get("floor_mean_us", floor["mean_us"] if floor else None)
        fp = r.get("floor_p50_us", floor["p50_us"] if floor else None)
        if fm is not None and t:
            r["floor_mean_us"], r["floor_p50_us"] = fm, fp
            r["net_mean_us"] = r["mean_us"] - fm
            r["err_net_pct"] = pct(r["net_mean_us"], t)
            r["net_p50_us"] = r["p50_us"] - fp
            r["err_net_p50_pct"] = pct(r["net_p50_us"], t)
    res["accuracy_qd1"] = qd1
    qd32 = [r for r in acc if r["kind"] == "qd32"]
    for r in qd32:
        r["model_iops"] = r["units"] / (r["lat_us"] / 1e6)
        r["model_mean_us"] = 32 * r["lat_us"] / r["units"]
        r["err_iops_pct"] = pct(r["iops"], r["model_iops"])
        r["err_mean_pct"] = pct(r["mean_us"], r["model_mean_us"])
    res["accuracy_qd32"] = qd32
    bw = next((r for r in acc if r["kind"] == "bw"), None)
    if bw:
        bz = next((r for r in acc if r["kind"] == "bw_zero"), {})
        bw["xfer_us"] = bw["bs"] / bw["target_mb_s"]
        bw["model_mean_us"] = bw["qd"] * bw["xfer_us"]
        bw["err_mb_s_pct"] = pct(bw["mb_s"], bw["target_mb_s"])
        bw["err_mean_pct"] = pct(bw["mean_us"], bw["model_mean_us"])
        bw["zero_profile_mb_s"] = bz.get("mb_s")
    res["accuracy_bw"] = bw
    # Idle cost.
    # section_power's windows are its own (build_power).
    idle = [r for r in recs.get("idle", [])
            if not str(r["phase"]).startswith("power-")]
    for r in idle:
        r["cpu_pct_of_one"] = r["cpu_ns"] / (r["window_s"] * 1e9) * 100
        r["wakeups_per_s"] = r["vol_switches"] / r["window_s"]
    res["idle"] = idle
    # Wake-up penalty.
    wake = []
    steady = {}
    for r in recs.get("wakeup", []):
        if r["idle_s"] == 0:
            steady[r["dev"]] = r["mean_us"]
    for r in recs.get("wakeup", []):
        if r["idle_s"] == 0:
            continue
        v = r.pop("samples_us")
        s = [float(x) for x in str(v).split(":") if x]
        r["first_us"] = s
        r["first_mean_us"] = sum(s) / len(s) if s else None
        r["first_max_us"] = max(s) if s else None
        r["steady_mean_us"] = steady.get(r["dev"])
        r["penalty_us"] = (r["first_mean_us"] - r["steady_mean_us"]
                           if s and r["steady_mean_us"] else None)
        wake.append(r)
    res["wakeup"] = wake
    res["memory"] = recs.get("memory", [])
    for r in res["memory"]:
        gib = float(str(r["capacity"]).rstrip("G"))
        r["pages_kb"] = r["backing_pages"] * 4
        r["backing_kb_per_gib"] = r["pages_kb"] / r["written_mb"] * 1024
        r["full_backing_mib"] = r["backing_kb_per_gib"] * gib / 1024
    res["profile"] = []
    for r in recs.get("profile", []):
        path = os.path.join(res["_dir"], "raw", "bench", r["report"])
        top = []
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                top = [l.rstrip() for l in f
                       if l.strip() and not l.startswith("#")][:25]
        res["profile"].append({"dev": r["dev"], "top": top})
    res["section_seconds"] = {r["section"]: r["seconds"]
                              for r in recs.get("timing", [])}
    res["zns"] = build_zns(recs, outdir)
    res["kv"] = build_kv(recs, outdir)
    res["multi"] = build_multi(recs, outdir)
    res["power"] = build_power(recs)
    res["paths"] = build_paths(recs)
    res["multi_plan"] = (recs.get("multi_plan") or [{}])[0]
    res["ssd"] = {}
    for k in ("host", "vm"):
        path = os.path.join(outdir, "ssd", k + ".json")
        if os.path.exists(path):
            with open(path) as f:
                res["ssd"][k] = json.load(f)
    return res


# The host settings section_power measures, in its order.
POWER_LABEL = {
    "apst": "APST, the kernel's table (default: PS3 after 100 ms, PS4 "
            "after 2 s more)",
    "apst-ps3": "APST, pm_qos_latency_tolerance_us=25000 (stops in PS3)",
    "off": "APST off (pm_qos_latency_tolerance_us=0): PS0, idle backoff "
           "up to sleep_max_us=100000",
    "off-fast": "APST off, nvmev loaded with sleep_max_us=100",
}
# Exit latency each state advertises, µs (src/pure/power.c).
POWER_EXLAT_US = [0, 0, 0, 10000, 90000]


def build_power(recs):
    out = []
    for r in recs.get("power_idle", []):
        v = r["variant"]
        r["cpu_pct_of_one"] = None
        idle = [i for i in recs.get("idle", []) if i["phase"] == "power-" + v]
        if idle:
            i = idle[0]
            r["cpu_pct_of_one"] = i["cpu_ns"] / (i["window_s"] * 1e9) * 100
            r["wakeups_per_s"] = i["vol_switches"] / i["window_s"]
            r["window_s"] = i["window_s"]
        r["exlat_us"] = float(POWER_EXLAT_US[int(r["state"])]) \
            if int(r["state"]) < len(POWER_EXLAT_US) else None
        r["wake"] = []
        for w in recs.get("power_wake", []):
            if w["variant"] != v:
                continue
            smp = [float(x) for x in str(w["samples"]).split(":") if x]
            r["wake"].append({"idle_s": w["idle_s"], "samples_us": smp,
                              "mean_us": sum(smp) / len(smp) if smp else None,
                              "max_us": max(smp) if smp else None,
                              "wakeups": w["wakeups"]})
        # The counters from the host's setting on (start) to the end.
        st = {(x["phase"], int(x["ps"])): x
              for x in recs.get("power_state", []) if x["variant"] == v}
        r["states"] = []
        for ps in range(len(POWER_EXLAT_US)):
            a, b = st.get(("start", ps)), st.get(("end", ps))
            if not a or not b:
                continue
            looks = b["looks"] - a["looks"]
            late = (b["look_late_mean_ns"] * b["looks"] -
                    a["look_late_mean_ns"] * a["looks"])
            r["states"].append({
                "ps": ps, "entries": b["entries"] - a["entries"],
                "time_ms": b["time_ms"] - a["time_ms"], "looks": looks,
                "look_late_mean_us": late / looks / 1e3 if looks else 0.0,
                "look_late_max_us": b["look_late_max_ns"] / 1e3})
        out.append(r)
    return out


def markdown_power(res):
    pw = res.get("power") or []
    if not pw:
        return []
    md = [run_line(res), "",
          "### Idle cost and first I/O per host setting (nvmev default "
          "profile; `BENCH_SECTIONS=power bench/run`)", ""]
    md.append("Each setting is a fresh load. Idle: the module's threads "
              "over the window that starts %s s after the last I/O, in the "
              "state reached then. First I/O: 4 KiB reads at QD1 by fio, "
              "each after the given idle time (`--thinktime`); the steady "
              "figure is the same read back to back." % "4")
    md.append("")
    rows = []
    for r in pw:
        rows.append([POWER_LABEL.get(r["variant"], r["variant"]),
                     "PS%d" % int(r["state"]),
                     f1(r["exlat_us"], "%d"),
                     f1(r["cpu_pct_of_one"], "%.3f"),
                     f1(r.get("wakeups_per_s")),
                     f1(r["steady_mean_us"])])
    md.append(table(["host setting", "state reached", "its exit latency µs",
                     "idle: % of one CPU", "idle: wake-ups/s",
                     "steady QD1 read mean µs"], rows))
    md.append("")
    rows = []
    for r in pw:
        for w in r["wake"]:
            rows.append([POWER_LABEL.get(r["variant"], r["variant"]),
                         f1(w["idle_s"], "%d"),
                         " ".join(f1(x, "%.0f") for x in w["samples_us"]),
                         f1(w["mean_us"]), f1(w["max_us"]),
                         f1(w["wakeups"], "%d")])
    md.append(table(["host setting", "idle s", "first I/O µs (each)",
                     "mean µs", "max µs", "wake-ups counted"], rows))
    md.append("")
    md.append("Per state (debugfs, from the host's setting on to the end "
              "of the runs above): entries, time, and the dispatcher's "
              "looks at the doorbells planned in the state; late is how "
              "long after the planned time it looked (the plan is the "
              "state's exit latency, or the next APST transition if "
              "sooner); the max is since the load.")
    md.append("")
    rows = []
    for r in pw:
        for st in r["states"]:
            if not st["entries"] and not st["looks"]:
                continue
            rows.append([POWER_LABEL.get(r["variant"], r["variant"]),
                         "PS%d" % int(st["ps"]), f1(st["entries"], "%d"),
                         f1(st["time_ms"], "%d"), f1(st["looks"], "%d"),
                         f1(st["look_late_mean_us"]),
                         f1(st["look_late_max_us"])])
    md.append(table(["host setting", "state", "entries", "time ms", "looks",
                     "look late mean µs", "look late max µs"], rows))
    md.append("")
    cmds(md, ["guest: insmod nvmev.ko %s%s; echo QOS > /sys/class/nvme/"
              "nvmeX/power/pm_qos_latency_tolerance_us" % (
                  res["guest"].get("nvmev_params", "").replace(";", " "),
                  " [sleep_max_us=100]"),
              "guest: fio --rw=randread --bs=4k --iodepth=1 --thinktime="
              "IDLE_S --thinktime_blocks=1 --number_ios=N ...",
              "guest: cat /sys/kernel/debug/nvmev/nvmev0/stats"])
    return md


PATHS_LABEL = {
    "block": "block device, io_uring",
    "ng": "/dev/ngXnY, io_uring_cmd",
    "tcp": "nvmet bdev over TCP 127.0.0.1",
    "loop": "nvmet bdev over loop",
}


def build_paths(recs):
    rows = recs.get("paths", [])
    base = {(r["kind"], r["rw"], r["bs"], r["qd"]): r for r in rows
            if r["path"] == "block"}
    for r in rows:
        b = base.get((r["kind"], r["rw"], r["bs"], r["qd"]))
        r["ratio_block"] = (r["iops"] / b["iops"]
                            if b and b["iops"] else None)
    return {"rows": rows, "notes": recs.get("paths_note", [])}


def markdown_paths(res):
    p = res.get("paths") or {}
    if not p.get("rows"):
        return []
    md = [run_line(res), "",
          "### The same namespace through each path (`BENCH_SECTIONS=paths "
          "bench/run`)", ""]
    md.append("nvm: the load-time device with the zero-latency profile, "
              "fio on a region written once beforehand (256 MiB in a full "
              "run); zns: a `kind=zns` device (default geometry), one empty "
              "zone written sequentially per path (fio `--zonemode=zbd`). "
              "Completion latency in µs; × block = IOPS against the block "
              "device at the same point.")
    md.append("")
    rows = []
    for r in p["rows"]:
        rows.append(["%s %s %s QD%d" % (r["kind"], r["rw"], r["bs"],
                                        int(r["qd"])),
                     PATHS_LABEL.get(r["path"], r["path"]),
                     f1(r["iops"], "%.0f"), f1(r["mb_s"]), f1(r["mean_us"]),
                     f1(r["p50_us"]), f1(r["p99_us"]),
                     f1(r["ratio_block"], "%.2f")])
    md.append(table(["point", "path", "IOPS", "MB/s", "mean", "p50", "p99",
                     "× block"], rows))
    md.append("")
    for n in p["notes"]:
        if n.get("note") == "no_nvme_loop_module":
            md.append("The loop transport is missing: this guest kernel "
                      "(%s) is built without CONFIG_NVME_TARGET_LOOP." %
                      res["guest"].get("kernel", "?"))
            md.append("")
    cmds(md, ["guest: fio --direct=1 --ioengine=io_uring --filename="
              "/dev/nvmeXn1 --rw=RW --bs=4k --iodepth=QD --randseed=42 ...",
              "guest: fio --ioengine=io_uring_cmd --cmd_type=nvme "
              "--filename=/dev/ngXn1 (same points)",
              "guest: nvmet: subsystem with namespace 1 = /dev/nvmeXn1, "
              "port tcp 127.0.0.1:4420 (docs/fabrics.md); nvme connect -t "
              "tcp -a 127.0.0.1 -s 4420 -n NQN; the same fio points on the "
              "fabric's /dev/nvmeYn1",
              "guest: insmod nvmev.ko memmap_start=4G memmap_size=2M "
              "capacity=1G kind=zns cpus=1,2; blkzone reset -o Z -c 1; fio "
              "--zonemode=zbd --rw=write --bs=128k --iodepth=1 [--ioengine="
              "io_uring_cmd --cmd_type=nvme on /dev/ngXn1]"])
    return md


def check_paths(res):
    p = res.get("paths") or {}
    have = {r["path"] for r in p.get("rows", [])}
    bad = ["paths: no %s results" % k for k in ("block", "ng", "tcp")
           if k not in have]
    if not any(r["kind"] == "zns" for r in p.get("rows", [])):
        bad.append("paths: no zns results")
    return bad


def check_power(res):
    bad = []
    for r in res.get("power") or []:
        if not isinstance(r.get("cpu_pct_of_one"), float):
            bad.append("power %s: no idle figure" % r["variant"])
        if not r["wake"] or any(w["mean_us"] is None for w in r["wake"]):
            bad.append("power %s: no first-I/O figure" % r["variant"])
        if len(r["states"]) != len(POWER_EXLAT_US):
            bad.append("power %s: %d per-state records" % (
                r["variant"], len(r["states"])))
    return bad


def load_kv(path):
    out = {}
    with open(path) as f:
        for word in f.read().split():
            if "=" in word:
                k, v = word.split("=", 1)
                out[k] = num(v)
    return out


def build_zns(recs, outdir):
    """One row per zns= setting: measured in the guest, predicted by
    nvmev-znssim (the same model code on a virtual clock)."""
    rows = {}
    for r in recs.get("znsvm", []):
        v = str(r["zns"])
        row = rows.setdefault(v, {"zns": v})
        if r["point"] == "write":
            path = os.path.join(outdir, "raw", "bench", "fio", r["fio"])
            try:
                with open(path) as f:
                    job = json.load(f)["jobs"][0]["write"]
                row["write_mb_s"] = job["bw_bytes"] / 1e6
            except (OSError, ValueError, KeyError, IndexError):
                row["write_mb_s"] = None
        elif r["point"] == "append":
            row["append_mb_s"] = r["mb_s"]
            row["append_lbas_ok"] = r["lbas_ok"]
        elif r["point"] in ("reset_full", "reset_empty"):
            us = [float(x) for x in str(r["us"]).split(",")]
            row[r["point"] + "_us"] = sum(us) / len(us)
            row[r["point"] + "_min_us"] = min(us)
            row[r["point"] + "_n"] = len(us)
            row[r["point"] + "_late_us"] = r.get("dev_late_us")
    for v, row in rows.items():
        path = os.path.join(outdir, "zns",
                            "model-%s.txt" % "".join(
                                c if c.isalnum() and not c.isupper() else "_"
                                for c in v))
        row["model"] = load_kv(path) if os.path.exists(path) else {}
        full = row.get("reset_full_min_us")
        empty = row.get("reset_empty_min_us")
        # The empty zone's reset is the guest's own round trip (the model
        # gives it only firmware time): the fastest full one net of the
        # fastest empty one is the erase.
        if full is not None and empty is not None:
            row["reset_net_us"] = full - empty + row["model"].get(
                "reset_empty_us", 0)
    return list(rows.values())


# A measured rate below this share of the model's: the guest, not the
# device, set the pace (under TCG a command's round trip through Python
# and the passthrough ioctl takes milliseconds).
KV_GUEST_BOUND = 0.5


def build_kv(recs, outdir):
    """One row per kv point: nvmev-kv bench in the guest, and nvmev-kvsim
    (the same model code on a virtual clock) on the same settings and
    workload."""
    rows = []
    for r in recs.get("kvvm", []):
        row = dict(r)
        row["kv"] = str(r["kv"])
        path = os.path.join(outdir, "kv", "model-%s.txt" % r["point"])
        row["model"] = load_kv(path) if os.path.exists(path) else {}
        row["model_cmd"] = None
        if os.path.exists(path):
            with open(path) as f:
                row["model_cmd"] = f.readline().strip()
        for k in ("put_ops_s", "mixed_ops_s"):
            meas, want = row.get(k), row["model"].get(k)
            row[k + "_ratio"] = meas / want if isinstance(meas, float) and \
                isinstance(want, float) and want else None
        # What the guest adds to each command: the measured mean latency
        # less the model's.
        for k in ("put_lat_us", "mixed_get_lat_us", "mixed_put_lat_us"):
            meas, want = row.get(k), row["model"].get(k)
            row[k.replace("_lat_us", "_guest_us")] = meas - want if \
                isinstance(meas, float) and isinstance(want, float) else None
        rows.append(row)
    return rows


def kv_label(r):
    size = int(r["value_size"])
    size = "%d KiB" % (size >> 10) if size >= 1024 and not size % 1024 \
        else "%d B" % size
    return "%s values, %s" % (size, "defaults (970 PRO-like flash)"
                               if r["kv"] == "-" else "`kv=%s`" % r["kv"])


def markdown_kv(res):
    rows = res.get("kv") or []
    if not rows:
        return []
    env = res["env"]
    secs = env.get("sections", "all")
    cmd = "bench/run" if secs == "all" else "BENCH_SECTIONS=%s bench/run" % secs
    if env.get("mode") == "smoke":
        cmd += " --smoke"
    r0 = rows[0]
    md = ["Run %s (%s mode), guest kernel %s; nvmev commit %s; command: "
          "`%s`." % (env.get("date", "?"), env.get("mode", "?"),
                     res["guest"].get("kernel", "?"), env.get("commit", "?"),
                     cmd)]
    md.append("")
    md.append("`nvmev-kv bench` in the guest (%d processes, each one "
              "synchronous passthrough command at a time) against what the "
              "model predicts for the same settings and workload "
              "(nvmev-kvsim, the same code on a virtual clock with no host "
              "overhead, %d clients). Each point loads %d keys of 16 bytes "
              "on a fresh 1 GiB namespace, then sends %d commands to random "
              "keys, %d%% Retrieves and the rest Stores that replace the "
              "value. error = (measured − model) / model; latency is the "
              "mean in µs as the process sees it (Python and the ioctl "
              "included)." % (r0["jobs"], r0["jobs"], r0["keys"], r0["ops"],
                              r0["read_pct"]))
    md.append("")
    t = []
    for r in rows:
        m = r["model"]
        label = kv_label(r)
        for name, key, rate in (
                ("load: Stores/s", "put_ops_s", True),
                ("load: Store latency µs", "put_lat_us", False),
                ("mixed: commands/s", "mixed_ops_s", True),
                ("mixed: Retrieve latency µs", "mixed_get_lat_us", False),
                ("mixed: Store latency µs", "mixed_put_lat_us", False)):
            meas, want = r.get(key), m.get(key)
            err = pct(meas, want) if isinstance(meas, float) and want else None
            note = ""
            if rate and r.get(key + "_ratio") is not None and \
                    r[key + "_ratio"] < KV_GUEST_BOUND:
                note = "guest-bound"
            fmt = "%.0f" if rate else "%.1f"
            t.append([label, name, f1(want, fmt), f1(meas, fmt),
                      f1(err, "%+.1f%%"), note])
        t.append([label, "device posted completions late by (debugfs, "
                  "mean over the run), µs", "-", f1(r.get("dev_late_us")),
                  "", ""])
    md.append(table(["point", "figure", "model", "measured", "error",
                     "note"], t))
    md.append("")
    md.append("guest-bound: the measured rate is below %d%% of the model's; "
              "the guest's own round trip (Python, the passthrough ioctl "
              "and the TCG guest's scheduling: the first columns below), "
              "not the device, set the pace." % (KV_GUEST_BOUND * 100))
    md.append("")
    md.append("What the guest adds to each command (measured mean − model "
              "mean), the measured spread of the mixed phase's Retrieves, "
              "and the commands that failed or returned a wrong value:")
    md.append("")
    t = []
    for r in rows:
        errs = sum(int(r.get(k, 0) or 0) for k in
                   ("put_errors", "mixed_get_errors", "mixed_put_errors"))
        t.append([kv_label(r), f1(r.get("put_guest_us")),
                  f1(r.get("mixed_get_guest_us")),
                  f1(r.get("mixed_put_guest_us")),
                  "%s / %s / %s" % (f1(r.get("mixed_get_p50_us")),
                                    f1(r.get("mixed_get_p99_us")),
                                    f1(r.get("mixed_get_max_us"))),
                  "%d / %d" % (errs, int(r.get("mixed_get_mismatches", 0)
                                         or 0))])
    md.append(table(["point", "load Store µs", "mixed Retrieve µs",
                     "mixed Store µs", "mixed Retrieve p50 / p99 / max µs",
                     "errors / wrong values"], t))
    md.append("")
    lines = []
    for r in rows:
        lines.append("guest: insmod nvmev.ko memmap_start=4G memmap_size=2M "
                     "capacity=%s kind=kv%s poll_idle_us=100000 cpus=1,2" % (
                         r["capacity"],
                         "" if r["kv"] == "-" else " kv=" + r["kv"]))
        lines.append("guest: nvmev-kv -d %s bench --keys %d --value-size %d "
                     "--ops %d --read-pct %d --jobs %d --json --quiet" % (
                         r.get("dev", "/dev/ngXn1"), r["keys"],
                         r["value_size"], r["ops"], r["read_pct"], r["jobs"]))
        if r.get("model_cmd"):
            lines.append("host:  " + r["model_cmd"])
    cmds(md, lines)
    return md


def check_kv(res):
    bad = []
    for r in res.get("kv") or []:
        for k in ("put_ops_s", "put_lat_us", "mixed_ops_s",
                  "mixed_get_lat_us", "mixed_put_lat_us"):
            if not isinstance(r.get(k), float) or \
                    not isinstance(r["model"].get(k), float):
                bad.append("kv %s: %s measured %r, model %r" % (
                    r["point"], k, r.get(k), r["model"].get(k)))
        for k in ("put_errors", "mixed_get_errors", "mixed_put_errors",
                  "mixed_get_mismatches"):
            if r.get(k):
                bad.append("kv %s: %s=%r" % (r["point"], k, r[k]))
        if r.get("rc"):
            bad.append("kv %s: nvmev-kv bench exited %r" % (r["point"],
                                                           r["rc"]))
    return bad


MULTI_LAYOUTS = ["one", "own4", "shared4"]
MULTI_LABEL = {
    "one": "1 device, its own dispatcher",
    "own4": "4 devices, each its own dispatcher",
    "shared4": "4 devices, one shared dispatcher",
}
# Dispatcher threads each layout must have (bench/guest.sh checks too).
MULTI_DISPATCHERS = {"one": 1, "own4": 4, "shared4": 1}


def multi_fio(outdir, name):
    """Each fio job (one per device) of a multi run, from its JSON."""
    rows = []
    path = os.path.join(outdir, "raw", "bench", "fio", str(name))
    try:
        with open(path) as f:
            jobs = json.load(f)["jobs"]
    except (OSError, ValueError, KeyError):
        return rows
    for j in jobs:
        d = j["read"] if j["read"]["io_bytes"] else j["write"]
        c = d["clat_ns"]
        p = c.get("percentile", {})
        rows.append({"name": j["jobname"], "iops": d["iops"],
                     "mb_s": d["bw_bytes"] / 1e6, "mean_us": c["mean"] / 1e3,
                     "p50_us": p.get("50.000000", 0) / 1e3,
                     "p99_us": p.get("99.000000", 0) / 1e3,
                     "ios": d["total_ios"]})
    return rows


def build_multi(recs, outdir):
    """Several devices at once (guest.sh section_multi): per layout, the
    devices, the module's threads' CPU while idle and under fio, and each
    device's fio figures (from the fio JSON), per round and summed up over
    the rounds."""
    vcpus = None
    env = (recs.get("env") or [{}])[0]
    if isinstance(env.get("vcpus"), float):
        vcpus = env["vcpus"]
    out = []
    for name in MULTI_LAYOUTS:
        devs = [d for d in recs.get("multi_dev", []) if d["layout"] == name]
        if not devs:
            continue
        first = min(d.get("round", 1) for d in devs)
        lay = {"layout": name, "phases": {}, "runs": {}, "sum": {},
               "devices": [d for d in devs if d.get("round", 1) == first]}
        for r in recs.get("multi", []):
            if r["layout"] != name:
                continue
            r = dict(r)
            w = r["window_s"]
            r["cpu_pct_of_one"] = r["cpu_ns"] / (w * 1e9) * 100
            r["disp_cpu_pct_of_one"] = r["disp_cpu_ns"] / (w * 1e9) * 100
            r["worker_cpu_pct_of_one"] = r["worker_cpu_ns"] / (w * 1e9) * 100
            r["disp_wakeups_per_s"] = r["disp_vol_switches"] / w
            r["guest_busy_pct_of_one"] = (
                r["guest_busy_ticks"] / r["guest_ticks"] * vcpus * 100
                if vcpus and r["guest_ticks"] else None)
            if r["phase"] == "idle":
                lay["phases"]["idle"] = r
            else:
                lay["runs"].setdefault(r["phase"], {})[
                    int(r.get("round", 1))] = {
                        "cpu": r, "io": multi_fio(outdir, r.get("fio"))}
        order = [d["name"] for d in lay["devices"]]
        for rw, rounds in lay["runs"].items():
            rows = [x for run in rounds.values() for x in run["io"]]
            cpu = [run["cpu"] for run in rounds.values()]
            if not rows:
                continue
            s = {"rounds": sorted(rounds),
                 "round_iops": [sum(x["iops"] for x in rounds[k]["io"])
                                for k in sorted(rounds)],
                 "dev_iops": [
                     sum(x["iops"] for x in rows if x["name"] == n) /
                     max(1, sum(1 for x in rows if x["name"] == n))
                     for n in order],
                 "mean_us": sum(x["mean_us"] for x in rows) / len(rows),
                 "p99_max_us": max(x["p99_us"] for x in rows)}
            s["iops"] = sum(s["round_iops"]) / len(s["round_iops"])
            if cpu:
                win = sum(c["window_s"] for c in cpu) * 1e9
                s["cpu_pct_of_one"] = sum(c["cpu_ns"] for c in cpu) / win * 100
                s["disp_cpu_pct_of_one"] = sum(c["disp_cpu_ns"]
                                               for c in cpu) / win * 100
                s["worker_cpu_pct_of_one"] = sum(c["worker_cpu_ns"]
                                                 for c in cpu) / win * 100
                # Per I/O: the threads' CPU over the completions the
                # devices posted in the same windows (debugfs).
                n = sum(c["completions"] for c in cpu)
                s["cpu_us_per_io"] = (sum(c["cpu_ns"] for c in cpu) / 1e3 / n
                                      if n else None)
                t = sum(c["guest_ticks"] for c in cpu)
                s["guest_busy_pct_of_one"] = (
                    sum(c["guest_busy_ticks"] for c in cpu) / t * vcpus * 100
                    if vcpus and t else None)
            lay["sum"][rw] = s
        out.append(lay)
    base = next((l for l in out if l["layout"] == "one"), None)
    for lay in out:
        for rw, s in lay["sum"].items():
            b = (base or {}).get("sum", {}).get(rw)
            s["x_one"] = s["iops"] / b["iops"] if b and b["iops"] else None
    return out


def multi_cmds(res):
    """The commands of the multi section, from its records."""
    lines = []
    lays = res.get("multi") or []
    for lay in lays:
        lines.append("# %s" % MULTI_LABEL[lay["layout"]])
        for d in lay["devices"]:
            if d["pci"] == "load-time":
                lines.append("guest: insmod nvmev.ko %s" %
                             str(d.get("params", "")).replace(";", " "))
                lines.append("guest: echo 0 > /sys/module/nvmev/parameters/"
                             "{read_lat_ns,write_lat_ns,read_bw_mbs,"
                             "write_bw_mbs}    # zero-latency profile, "
                             "every device")
                continue
            c = "guest: cd /sys/kernel/config/nvmev; mkdir %s; " \
                "echo %s > %s/cpus; " % (d["name"], d["cpus"], d["name"])
            if d["dispatcher"] != "-":
                c += "echo %s > %s/dispatcher; " % (d["dispatcher"], d["name"])
            lines.append(c + "echo 1 > %s/power" % d["name"])
        jobs = " ".join("--name=%s --filename=%s" % (d["name"], d["dev"])
                        for d in lay["devices"])
        first = [(rw, min(rounds)) for rw, rounds in lay["runs"].items()]
        for i, (rw, k) in enumerate(first):
            c = lay["runs"][rw][k]["cpu"]
            if i == 0:
                lines.append("guest: fio --direct=1 --ioengine=io_uring "
                             "--rw=write --bs=128k --iodepth=8 --size=%s %s"
                             "    # once: reads hit data" % (c["size"], jobs))
            lines.append("guest: fio --direct=1 --ioengine=io_uring --rw=%s "
                         "--bs=%s --iodepth=%d --size=%s --randseed=42 "
                         "--time_based --runtime=%d %s" % (
                             rw, c["bs"], c["qd"], c["size"],
                             c["runtime_s"], jobs))
    return lines


def run_line(res):
    """One line naming the run and the command, for a part published alone."""
    env = res["env"]
    secs = env.get("sections", "all")
    cmd = "bench/run" if secs == "all" else "BENCH_SECTIONS=%s bench/run" % secs
    if env.get("mode") == "smoke":
        cmd += " --smoke"
    return ("Run %s (%s mode), guest kernel %s, %s vCPUs (TCG); nvmev commit "
            "%s; host %s, load average %s at start, %s at end; command: `%s`."
            % (env.get("date", "?"), env.get("mode", "?"),
               res["guest"].get("kernel", "?"),
               f1(res["guest"].get("vcpus"), "%d"), env.get("commit", "?"),
               env.get("host", "?"), env.get("load_start", "?"),
               env.get("load_end", "?"), cmd))


def markdown_multi(res):
    lays = res.get("multi") or []
    if not lays:
        return []
    md = [run_line(res)]
    md.append("")
    md.append("Each layout on a fresh load of the module: the NVM kind with "
              "the zero-latency profile, RAM backing, 1 GiB per device; "
              "`nvmev0` is the load-time device, `mb1`-`mb3` are configfs "
              "devices. Both four-device layouts use the same CPUs: every "
              "dispatcher on vCPU 1, one worker per device on vCPU 2 "
              "(nvmev0, mb2) or 3 (mb1, mb3); with its own dispatcher each "
              "device has a thread of its own on vCPU 1, shared they have "
              "one, `nvmev_mbg` (the load-time device with `dispatcher=mbg`, "
              "the others with `dispatcher` = `mbg`). fio and the rest of "
              "the guest are not pinned. CPU = the run time of the module's "
              "threads (`/proc/<tid>/schedstat`) in percent of one CPU; "
              "guest busy = all of the guest's CPUs (`/proc/stat`, out of "
              "%s)." % f1((res["guest"].get("vcpus") or 0) * 100, "%d"))
    md.append("")
    md.append("### Several devices: idle cost")
    md.append("")
    ph = next((l["phases"].get("idle") for l in lays
               if l["phases"].get("idle")), None)
    if ph:
        md.append("Over %s s, from %s s after the last device came up; "
                  "I/O = completions the devices posted in the window "
                  "(debugfs)." % (f1(ph["window_s"], "%.0f"),
                                  f1(ph.get("settle_s"), "%.0f")))
        md.append("")
    rows = []
    for lay in lays:
        r = lay["phases"].get("idle")
        if not r:
            continue
        rows.append([MULTI_LABEL[lay["layout"]],
                     "%d + %d" % (r["dispatchers"], r["workers"]),
                     f1(r["cpu_ns"] / 1e6, "%.2f"),
                     f1(r["cpu_pct_of_one"], "%.3f"),
                     f1(r["disp_cpu_pct_of_one"], "%.3f"),
                     f1(r["worker_cpu_pct_of_one"], "%.3f"),
                     f1(r["disp_wakeups_per_s"]),
                     f1(r["guest_busy_pct_of_one"]),
                     f1(r["completions"], "%d")])
    md.append(table(["layout", "threads (dispatchers + workers)", "CPU ms",
                     "% of one CPU", "dispatchers %", "workers %",
                     "dispatcher wake-ups/s", "guest busy %", "I/O"], rows))
    md.append("")
    md.append("### Several devices: throughput, fio on all devices at once")
    md.append("")
    plan = res.get("multi_plan") or {}
    rounds = int(plan.get("rounds", 1) or 1)
    md.append("4 KiB, QD32, io_uring, direct, one fio job per device, "
              "time-based; %s. IOPS per device in the order of the devices "
              "(nvmev0 / mb1 / mb2 / mb3) and their sum%s; × 1 device = the "
              "sum against the one-device layout; latency = fio completion "
              "latency, mean over the devices and the worst device's p99; "
              "module CPU over the fio runs (their start and exit included) "
              "and per I/O (over the completions the devices posted, "
              "debugfs)." % (
                  "%d rounds over the layouts, every other one in reverse "
                  "order, each layout loaded afresh in each round" % rounds
                  if rounds > 1 else "one round",
                  ", means over the rounds, and the sum of each round"
                  if rounds > 1 else ""))
    md.append("")
    rows = []
    for rw in ("randread", "randwrite"):
        for lay in lays:
            s = lay["sum"].get(rw)
            if not s:
                continue
            rows.append([MULTI_LABEL[lay["layout"]], rw,
                         " / ".join(f1(x, "%.0f") for x in s["dev_iops"]),
                         f1(s["iops"], "%.0f"),
                         ", ".join(f1(x, "%.0f") for x in s["round_iops"]),
                         f1(s["x_one"], "%.2f"),
                         f1(s["mean_us"]), f1(s["p99_max_us"]),
                         "%s (%s / %s)" % (
                             f1(s.get("cpu_pct_of_one")),
                             f1(s.get("disp_cpu_pct_of_one")),
                             f1(s.get("worker_cpu_pct_of_one"))),
                         f1(s.get("cpu_us_per_io")),
                         f1(s.get("guest_busy_pct_of_one"))])
    md.append(table(["layout", "rw", "IOPS per device", "IOPS sum",
                     "sum per round", "× 1 device", "mean µs",
                     "p99 µs (worst)",
                     "module CPU % of one (dispatchers / workers)",
                     "module CPU µs per I/O", "guest busy %"], rows))
    md.append("")
    cmds(md, multi_cmds(res))
    return md


def check_multi(res, recs):
    bad = []
    lays = {l["layout"]: l for l in res.get("multi") or []}
    plan = res.get("multi_plan") or {}
    want = str(plan.get("layouts", "")).split(",")
    if not plan or not all(w in MULTI_LAYOUTS for w in want):
        return ["multi: no plan of layouts (%r)" % plan]
    rounds = range(1, int(plan.get("rounds", 1) or 1) + 1)
    for name in want:
        lay = lays.get(name)
        if not lay:
            bad.append("multi: no %s layout" % name)
            continue
        idle = lay["phases"].get("idle")
        if not idle:
            bad.append("multi %s: no idle result" % name)
        elif idle["dispatchers"] != MULTI_DISPATCHERS[name]:
            bad.append("multi %s: %d dispatcher threads, want %d" % (
                name, idle["dispatchers"], MULTI_DISPATCHERS[name]))
        for rw in str(plan.get("rw", "")).split(","):
            for k in rounds:
                run = lay["runs"].get(rw, {}).get(k)
                if not run:
                    bad.append("multi %s %s round %d: no result" % (
                        name, rw, k))
                    continue
                if len(run["io"]) != len(lay["devices"]):
                    bad.append("multi %s %s round %d: %d fio jobs (%s) for "
                               "%d devices" % (name, rw, k, len(run["io"]),
                                               run["cpu"].get("fio"),
                                               len(lay["devices"])))
                for x in run["io"]:
                    if not all(isinstance(x[f], (int, float)) for f in
                               ("iops", "mean_us", "p99_us")):
                        bad.append("multi %s %s round %d: %r" % (
                            name, rw, k, x))
    return bad


def markdown_zns(res):
    rows = res.get("zns") or []
    if not rows:
        return []
    env = res["env"]
    secs = env.get("sections", "all")
    cmd = "bench/run" if secs == "all" else "BENCH_SECTIONS=%s bench/run" % secs
    if env.get("mode") == "smoke":
        cmd += " --smoke"
    md = ["Run %s (%s mode), guest kernel %s; nvmev commit %s; command: "
          "`%s`." % (env.get("date", "?"), env.get("mode", "?"),
                     res["guest"].get("kernel", "?"), env.get("commit", "?"),
                     cmd)]
    md.append("")
    md.append("Measured in the guest against what the model predicts "
              "(nvmev-znssim, the same code on a virtual clock with no host "
              "overhead). The namespace has 32 zones of 64 MiB. error = "
              "(measured − model) / model.")
    md.append("")
    t = []
    for r in rows:
        m = r["model"]
        label = "defaults (ZN540-like)" if r["zns"] == "-" else "`zns=%s`" % r["zns"]
        for name, meas, key in (
                ("sequential write MB/s (fio zbd, 128 KiB)", r.get("write_mb_s"), "write_mb_s"),
                ("Zone Append MB/s (4 processes, 64 KiB)", r.get("append_mb_s"), "append_mb_s"),
                ("reset of a full zone µs, mean of %s" % r.get("reset_full_n"), r.get("reset_full_us"), "reset_full_us"),
                ("reset of a full zone µs, fastest", r.get("reset_full_min_us"), "reset_full_us"),
                ("reset of an empty zone µs, fastest", r.get("reset_empty_min_us"), "reset_empty_us"),
                ("reset of a full zone, fastest net of the fastest empty, µs", r.get("reset_net_us"), "reset_full_us"),
                ("reset of a full zone: device posted it late by (debugfs, mean), µs", r.get("reset_full_late_us"), None)):
            want = m.get(key) if key else None
            err = pct(meas, want) if meas is not None and want else None
            t.append([label, name, f1(want), f1(meas), f1(err, "%+.1f%%")])
    md.append(table(["zns=", "point", "model", "measured", "error"], t))
    md.append("")
    ok = [r for r in rows if r.get("append_lbas_ok") == 1]
    md.append("Zone Append LBAs returned tile each zone exactly (no overlap, "
              "no gap): %d of %d points." % (len(ok), len(rows)))
    md.append("")
    md.append("A reset's latency in the guest = the model's + how late the "
              "device posted it (the worker's wake-up in the TCG guest, "
              "debugfs `late_mean_ns`) + the guest's own round trip (the "
              "empty zone's reset).")
    md.append("")
    return md


def header(res):
    env, g = res["env"], res["guest"]
    md = []
    md.append("Run %s (%s mode): guest kernel %s, %s vCPUs (TCG), %s MiB RAM; "
              "QEMU %s; %s; nvmev commit %s; host %s, load average %s at "
              "start, %s at end." % (
                  env.get("date", "?"), g.get("mode", "?"), g.get("kernel", "?"),
                  f1(g.get("vcpus"), "%d"), f1(g.get("mem_kb", 0) / 1024, "%d"),
                  env.get("qemu", "?"), g.get("fio", "?"), env.get("commit", "?"),
                  env.get("host", "?"), env.get("load_start", "?"),
                  env.get("load_end", "?")))
    if g.get("nvmev_params"):
        md.append("")
        md.append("nvmev load parameters: `%s`." % g["nvmev_params"].replace(
            ";", " "))
    if env.get("sections", "all") != "all" or env.get("nvmev_extra"):
        md.append("")
        md.append("Experiment: sections `%s`, extra nvmev parameters `%s`." %
                  (env.get("sections"), env.get("nvmev_extra") or "none"))
    md.append("")
    return md


def has_main(res):
    return bool(res["matrix"] or res["accuracy_qd1"] or res["idle"] or
                res["wakeup"] or res["memory"] or res.get("profile"))


def markdown_main(res, plots):
    md = []
    if not has_main(res):
        return md
    md.append("### Throughput (4 KiB random, 128 KiB sequential; io_uring, "
              "direct; completion latency in µs)")
    md.append("")
    rows = []
    mx = res["matrix"]
    points = []
    for r in mx:
        if point_name(r) not in points:
            points.append(point_name(r))
    for p in points:
        for d in DEV_ORDER:
            for r in mx:
                if r["dev"] == d and point_name(r) == p:
                    rows.append([p, DEV_LABEL[d], f1(r["iops"], "%.0f"),
                                 f1(r["mb_s"]), f1(r["mean_us"]),
                                 f1(r["p50_us"]), f1(r["p99_us"]),
                                 f1(r["p999_us"]),
                                 f1(r["ratio_iops"], "%.2f")])
    md.append(table(["point", "device", "IOPS", "MB/s", "mean", "p50", "p99",
                     "p99.9", "× null_blk(mem)"], rows))
    md.append("")
    md.append("### Timing accuracy, QD1 4 KiB random read (read_bw_mbs=0, "
              "so the target is read_lat_ns)")
    md.append("")
    md.append("err = (measured − target) / target. floor = the same "
              "point with the zero-latency profile, run just before each "
              "target; net = measured − floor, the part the model added; "
              "device late = debugfs late_mean_ns over the run (how late "
              "nvmev posted each completion after its model's deadline).")
    md.append("")
    rows = []
    for r in res["accuracy_qd1"]:
        t = r["target_us"]
        if not t:
            continue
        rows.append([f1(t, "%d"), f1(r["mean_us"]), f1(r["p50_us"]),
                     f1(r["p99_us"]), f1(r["err_mean_pct"]),
                     f1(r["err_p50_pct"]), f1(r["err_p99_pct"]),
                     "%s / %s" % (f1(r.get("floor_mean_us")),
                                  f1(r.get("floor_p50_us"))),
                     f1(r.get("err_net_pct")), f1(r.get("err_net_p50_pct")),
                     f1(r["dev_late_us"])])
    md.append(table(["target µs", "mean µs", "p50 µs", "p99 µs",
                     "mean err %", "p50 err %", "p99 err %",
                     "floor mean / p50 µs", "net mean err %",
                     "net p50 err %", "device late µs"], rows))
    md.append("")
    if res["accuracy_qd32"]:
        md.append("### Timing accuracy, QD32 4 KiB random read, nr_units=4 "
                  "(model: IOPS = 4 / lat, mean latency = 32 × lat / 4)")
        md.append("")
        rows = []
        for r in res["accuracy_qd32"]:
            rows.append([f1(r["lat_us"], "%d"), f1(r["model_iops"], "%.0f"),
                         f1(r["iops"], "%.0f"), f1(r["err_iops_pct"]),
                         f1(r["model_mean_us"]), f1(r["mean_us"]),
                         f1(r["err_mean_pct"]), f1(r["p99_us"]),
                         f1(r["dev_late_us"])])
        md.append(table(["lat µs", "model IOPS", "IOPS", "IOPS err %",
                         "model mean µs", "mean µs", "mean err %", "p99 µs",
                         "device late µs"], rows))
        md.append("")
    bw = res["accuracy_bw"]
    if bw:
        md.append("### Bandwidth-limited sequential read (128 KiB, QD8, "
                  "read_lat_ns=0, read_bw_mbs=%d)" % bw["target_mb_s"])
        md.append("")
        md.append(table(["target MB/s", "MB/s", "err %", "model mean µs",
                         "mean µs", "mean err %", "device late µs",
                         "zero-latency profile MB/s"],
                        [[f1(bw["target_mb_s"], "%d"), f1(bw["mb_s"]),
                          f1(bw["err_mb_s_pct"]), f1(bw["model_mean_us"]),
                          f1(bw["mean_us"]), f1(bw["err_mean_pct"]),
                          f1(bw["dev_late_us"]),
                          f1(bw["zero_profile_mb_s"])]]))
        md.append("")
    md.append("### Idle cost of nvmev's threads")
    md.append("")
    rows = []
    for r in res["idle"]:
        label = {"after_load": "idle after load (from 2 s after load)",
                 "after_burst": "idle from 1 s after a burst of I/O"}.get(
                     r["phase"], r["phase"])
        rows.append([label, f1(r["window_s"], "%d"),
                     f1(r["cpu_ns"] / 1e6, "%.2f"),
                     f1(r["cpu_pct_of_one"], "%.3f"),
                     f1(r["wakeups_per_s"]),
                     f1(r["invol_switches"], "%d")])
    md.append(table(["phase", "window s", "CPU ms", "% of one CPU",
                     "wake-ups/s", "involuntary switches"], rows))
    md.append("")
    md.append("### Wake-up penalty (4 KiB read at QD1 after an idle pause)")
    md.append("")
    rows = []
    for r in res["wakeup"]:
        rows.append([DEV_LABEL.get(r["dev"], r["dev"]), f1(r["idle_s"], "%d"),
                     " ".join(f1(x, "%.0f") for x in r["first_us"]),
                     f1(r["first_mean_us"]), f1(r["steady_mean_us"]),
                     f1(r["penalty_us"])])
    md.append(table(["device", "idle s", "first I/O µs (each)", "mean µs",
                     "steady QD1 mean µs", "penalty µs"], rows))
    md.append("")
    md.append("### Memory and load time (RAM backing, `capacity=`)")
    md.append("")
    rows = []
    for r in res["memory"]:
        rows.append([str(r["capacity"]), f1(r["load_s"], "%.2f"),
                     f1(r["meta_kb"], "%d"), f1(r["slab_kb"], "%d"),
                     "%d MiB → %d KiB (pages: %d KiB)" % (
                         r["written_mb"], r["backing_kb"], r["pages_kb"]),
                     f1(r["backing_kb_per_gib"] / 1024, "%.0f"),
                     f1(r["full_backing_mib"], "%.0f")])
    md.append(table(["capacity", "load s", "at load KiB (MemFree)",
                     "at load KiB (Slab)", "written → MemFree drop",
                     "backing pages MiB per GiB written",
                     "full device, projected MiB"], rows))
    md.append("")
    for r in res.get("profile", []):
        md.append("### perf profile, QD32 4 KiB random read, %s (top symbols)"
                  % DEV_LABEL.get(r["dev"], r["dev"]))
        md.append("")
        md.append("```")
        md.extend(r["top"])
        md.append("```")
        md.append("")
    plots = [p for p in plots if not p.startswith("ssd-")]
    if plots:
        md.append("Plots: " + ", ".join("[%s](%s)" % (p, p) for p in plots))
        md.append("")
    if res["section_seconds"]:
        md.append("Section times (s): " + ", ".join(
            "%s %d" % (k, v) for k, v in res["section_seconds"].items()))
        md.append("")
    return md


def cmds(md, lines):
    md.append("Commands:")
    md.append("")
    md.append("```")
    for c in lines:
        md.append(c)
    md.append("```")
    md.append("")


def markdown_ssd(res, plots):
    """The SSD kind: nvmev-ssdsim on the host (bench/ssd-sim host) and the
    module in the VM against the simulator (guest.sh section_ssd and
    bench/ssd-sim vm)."""
    host, vm = res["ssd"].get("host"), res["ssd"].get("vm")
    env = res["env"]
    md = []
    if not host and not vm:
        return md
    secs = env.get("sections", "all")
    what = "bench/run" if secs == "all" else \
        "BENCH_SECTIONS=%s bench/run" % secs
    md.append("Run %s (%s mode), `%s`; nvmev commit %s; host %s, load "
              "average %s at start, %s at end. Simulator figures are "
              "deterministic (virtual clock, fixed seeds), except the "
              "wall-clock speed, which depends on the host's load." % (
                  env.get("date", "?"), env.get("mode", "?"), what,
                  env.get("commit", "?"), env.get("host", "?"),
                  env.get("load_start", "?"), env.get("load_end", "?")))
    md.append("")
    if host and host.get("waf"):
        md.append("### SSD kind: write amplification (nvmev-ssdsim)")
        md.append("")
        md.append("Uniform random 4 KiB writes at QD32 after a full "
                  "sequential fill; measured = the interval WAF (WAFi) "
                  "over the last capacity written. Analytic: greedy GC in "
                  "the fluid limit (= FIFO under uniform random writes), "
                  "ρ = (u − 1) / ln u, WA = 1 / (1 − u), where ρ = user "
                  "pages / pages of the lines holding data = lines − "
                  "gc_fg_lines − 1.5. Sequential overwrites: WA 1.")
        md.append("")
        rows = []
        for r in host["waf"]:
            rows.append([r["profile"], f1(r["op_pct"], "%d"), r["workload"],
                         "%s, %s" % (r["capacity"], r["written"]),
                         f1(r["lines"], "%d"),
                         f1(r.get("lines_holding"), "%.1f"),
                         f1(r.get("rho"), "%.4f"),
                         f1(r["analytic_waf"], "%.3f"),
                         f1(r["measured_waf"], "%.3f"),
                         f1(r.get("waf_cumulative"), "%.3f"),
                         f1(r["err_pct"], "%+.1f")])
        md.append(table(["profile", "op %", "writes", "capacity, written",
                         "lines", "lines holding data", "ρ", "analytic WA",
                         "measured WA (last capacity)",
                         "cumulative WAF (whole run)", "error %"], rows))
        md.append("")
        cmds(md, [r["run"]["cmd"] for r in host["waf"]])
    if host and host.get("cliff"):
        md.append("### SSD kind: the write cliff (nvmev-ssdsim, 4 KiB "
                  "random writes, QD32, after a full sequential fill)")
        md.append("")
        md.append("First = the first row after the fill (the drive's spare "
                  "still free); steady = mean of the last third of the "
                  "rows. Time 0 is the end of the fill.")
        md.append("")
        rows = []
        for r in host["cliff"]:
            rows.append([r["profile"], r["capacity"],
                         f1(r["interval_s"], "%g"),
                         f1(r["first_mb_s"], "%.0f"),
                         f1(r["steady_mb_s"], "%.0f"),
                         "%s-%s" % (f1(r["steady_from_s"], "%.0f"),
                                    f1(r["seconds"], "%.0f")),
                         f1(r["steady_waf_interval"], "%.2f"),
                         f1(r["phase_mb_s"], "%.0f")])
        md.append(table(["profile", "capacity", "row s", "first MB/s",
                         "steady MB/s", "steady window s", "steady WAFi",
                         "whole phase MB/s"], rows))
        md.append("")
        cmds(md, [r["run"]["cmd"] for r in host["cliff"]])
    if host and host.get("figures"):
        md.append("### SSD kind: expected figures (docs/ssd.md) against "
                  "nvmev-ssdsim, idle drive, 4 KiB")
        md.append("")
        md.append("Expected from the formulas of docs/ssd.md, with the "
                  "geometry the simulator printed (QD1 read: mean tR over "
                  "the page types). Rows marked ≤ are upper bounds.")
        md.append("")
        rows = []
        seen = []
        for r in host["figures"]:
            fmt = "%.0f" if r["expected"] > 1000 else "%.1f"
            rows.append([r["profile"], r["capacity"], r["figure"],
                         ("≤ " if r["relation"] == "<=" else "") +
                         f1(r["expected"], fmt), f1(r["measured"], fmt),
                         f1(r["err_pct"], "%+.1f")])
            if r["cmd"] not in seen:
                seen.append(r["cmd"])
        md.append(table(["profile", "capacity", "figure", "expected",
                         "measured", "error %"], rows))
        md.append("")
        cmds(md, seen)
    if host and host.get("speed"):
        md.append("### SSD kind: simulator speed (one core)")
        md.append("")
        rows = []
        for r in host["speed"]:
            rows.append([r["label"], f1(r["commands"], "%d"),
                         f1(r["sim_s"], "%.1f"), f1(r["wall_s"], "%.2f"),
                         f1(r["speed_x"], "%.1f"),
                         f1(r["kcmd_per_wall_s"], "%.0f")])
        md.append(table(["run (commands above)", "commands",
                         "simulated s", "wall s", "simulated s / wall s",
                         "k commands / wall s"], rows))
        md.append("")
    if vm and vm.get("vm"):
        md.append("### SSD kind: the module (in the VM) against the "
                  "simulator, same workload")
        md.append("")
        md.append("nvmev `kind=ssd` in the guest: fio fill (128 KiB, QD8), "
                  "then fio 4 KiB uniform random writes with replacement "
                  "(`--norandommap --randrepeat=0`) at QD32; WAF from "
                  "debugfs counters (random phase: Δnand / Δhost writes "
                  "from the end of the fill). The simulator runs the same "
                  "profile, capacity, fill and amount with seeds 1-3 "
                  "(mean [min-max]). Latency under TCG is not comparable "
                  "(the guest cannot issue I/O at the model's pace); WAF "
                  "is.")
        md.append("")
        rows = []
        for e in vm["vm"]:
            m = e["module"]
            rng = lambda v: "%.3f [%.3f-%.3f]" % (sum(v) / len(v), min(v),
                                                  max(v)) \
                if v and None not in v else "-"
            rows.append([m["profile"],
                         "`ssd=%s`" % m["ssd"] if str(m.get("ssd", "-"))
                         not in ("-", "") else "profile's",
                         "%d MiB" % (m["capacity"] >> 20),
                         "%s / %s" % (f1(e.get("module_lines"), "%d"),
                                      f1(e.get("lines"), "%d")),
                         "fill + %.2fx" % (m["rand_bytes"] / m["capacity"]),
                         f1(e.get("module_waf_rand"), "%.3f"),
                         rng(e["sim_waf_rand"]),
                         f1(e.get("diff_rand_pct"), "%+.1f"),
                         f1(e.get("module_waf_whole"), "%.3f"),
                         rng(e["sim_waf_whole"]),
                         f1(e.get("diff_whole_pct"), "%+.1f"),
                         "%d / %d" % (e.get("module_gc_fg_lines", 0),
                                      e.get("module_gc_bg_lines", 0)),
                         "%s / %s" % (f1(m.get("fill_s")),
                                      f1(m.get("rand_s")))])
        md.append(table(["profile", "settings", "capacity",
                         "lines module / sim",
                         "written", "module WAF (random)",
                         "sim WAF (random)", "difference %",
                         "module WAF (whole)", "sim WAF (whole)",
                         "difference %", "module GC lines fg / bg",
                         "guest fill / random s"], rows))
        md.append("")
        cmds(md, ["guest: insmod nvmev.ko memmap_start=4G memmap_size=2M "
                  "capacity=%dM kind=ssd profile=%s%s cpus=1,2" % (
                      e["module"]["capacity"] >> 20, e["module"]["profile"],
                      " ssd=%s" % e["module"]["ssd"]
                      if str(e["module"].get("ssd", "-")) not in ("-", "")
                      else "")
                  for e in vm["vm"]] +
             ["guest: fio --rw=write --bs=128k --iodepth=8 --size=%d "
              "(io_uring, direct)" % vm["vm"][0]["module"]["capacity"],
              "guest: fio --rw=randwrite --bs=4k --iodepth=%d --size=%d "
              "--io_size=%d --norandommap --randrepeat=0" % (
                  vm["vm"][0]["module"]["qd"],
                  vm["vm"][0]["module"]["capacity"],
                  vm["vm"][0]["module"]["rand_bytes"])] +
             ["host: " + e["cmd"] for e in vm["vm"]])
        md.append("Module GC lines: lines reclaimed in the foreground / "
                  "in the background (`gc_bg_lines`, in the flash's idle "
                  "time) during the run; the simulator at QD32 leaves the "
                  "flash no idle time, so its GC is all foreground.")
        md.append("")
    ssd_plots = [p for p in plots if p.startswith("ssd-")]
    if ssd_plots:
        md.append("Plots: " + ", ".join("[%s](%s)" % (p, p)
                                        for p in ssd_plots))
        md.append("")
    return md


def gnuplot_ssd(outdir, res):
    host = res["ssd"].get("host") or {}
    cl = [c for c in host.get("cliff", []) if c.get("series")]
    if not cl or not shutil.which("gnuplot"):
        return []
    plots = []
    for c in cl:
        with open(os.path.join(outdir, "ssd-cliff-%s.dat" % c["profile"]),
                  "w") as f:
            # Rows are stamped with their end: draw each over its span.
            f.write("# row_start_s_after_fill mb_s\n")
            start = 0.0
            for t, v in c["series"]:
                f.write("%g %g\n" % (start, v))
                start = t
            if c["series"]:
                f.write("%g %g\n" % (start, c["series"][-1][1]))
    plots = ", ".join(
        "'ssd-cliff-%s.dat' using 1:2 with steps lw 2 title '%s %s'" % (
            c["profile"], c["profile"], c["capacity"]) for c in cl)
    script = """
set terminal png size 1000,500 noenhanced
set output 'ssd-cliff.png'
set title 'SSD kind (nvmev-ssdsim): 4 KiB random writes, QD32, on a full drive'
set xlabel 'simulated time since the end of the sequential fill (s)'
set ylabel 'MB/s per row'
set key top right
set grid
set yrange [0:*]
plot %s
""" % plots
    return ["ssd-cliff.png"] if run_gnuplot(outdir, script) else []


def gnuplot(outdir, res):
    """Write the plots; returns the PNG names (none without gnuplot)."""
    if not shutil.which("gnuplot"):
        return []
    made = []
    qd1 = [r for r in res["accuracy_qd1"] if r["target_us"] > 0]
    if qd1:
        dat = os.path.join(outdir, "accuracy.dat")
        with open(dat, "w") as f:
            f.write("# target_us mean_us p99_us net_mean_us p50_us "
                    "net_p50_us\n")
            for r in qd1:
                f.write("%g %g %g %g %g %g\n" % (
                    r["target_us"], r["mean_us"], r["p99_us"],
                    r.get("net_mean_us", r["mean_us"]), r["p50_us"],
                    r.get("net_p50_us", r["p50_us"])))
        hi = max(max(r["p99_us"] for r in qd1), 1000) * 1.5
        script = """
set terminal png size 800,600 noenhanced
set output 'accuracy.png'
set title 'nvmev QD1 4 KiB read: measured completion latency vs target'
set xlabel 'target read latency (us)'
set ylabel 'measured (us)'
set logscale xy
set key top left
set grid
set xrange [10:%g]
set yrange [10:%g]
plot x title 'identity (measured = target)' lc rgb 'black', \\
  'accuracy.dat' using 1:2 with linespoints pt 7 title 'mean', \\
  'accuracy.dat' using 1:4 with linespoints pt 9 title 'mean - zero-latency floor', \\
  'accuracy.dat' using 1:5 with linespoints pt 13 title 'p50', \\
  'accuracy.dat' using 1:6 with linespoints pt 11 title 'p50 - zero-latency floor p50', \\
  'accuracy.dat' using 1:3 with linespoints pt 5 title 'p99'
""" % (hi, hi)
        if run_gnuplot(outdir, script):
            made.append("accuracy.png")
    mx = res["matrix"]
    points = []
    for r in mx:
        if point_name(r) not in points:
            points.append(point_name(r))
    devs = [d for d in DEV_ORDER if any(r["dev"] == d for r in mx)]
    if mx:
        dat = os.path.join(outdir, "throughput.dat")
        with open(dat, "w") as f:
            f.write("# point " + " ".join(devs) + "\n")
            for p in points:
                vals = []
                for d in devs:
                    r = next((r for r in mx if r["dev"] == d
                              and point_name(r) == p), None)
                    vals.append("%g" % r["ratio_iops"] if r and
                                r["ratio_iops"] is not None else "NaN")
                f.write('"%s" %s\n' % (p, " ".join(vals)))
        cols = ", ".join("'throughput.dat' using %d:xtic(1) title '%s'" % (
            i + 2, DEV_LABEL[d]) for i, d in enumerate(devs))
        script = """
set terminal png size 1100,600 noenhanced
set output 'throughput.png'
set title 'IOPS relative to null_blk (memory_backed=1), same VM, same run'
set ylabel 'IOPS / null_blk(mem) IOPS (log scale)'
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set key outside right
set grid ytics
set logscale y
set yrange [0.001:*]
set xtics rotate by -20
plot %s
""" % cols
        if run_gnuplot(outdir, script):
            made.append("throughput.png")
    return made


def run_gnuplot(outdir, script):
    r = subprocess.run(["gnuplot"], input=script, text=True, cwd=outdir,
                       capture_output=True)
    if r.returncode != 0:
        sys.stderr.write("gnuplot: " + r.stderr)
        return False
    return True


def check(res, recs):
    bad = []
    ran = res["env"].get("sections", "all")
    ran = SECTIONS if ran == "all" else ran.split()
    for s in SECTIONS:
        if s in ran and not recs.get(SECTION_RECORDS.get(s, s)):
            bad.append("section %s has no results" % s)
    for s, rows in recs.items():
        for r in rows:
            for k, v in r.items():
                vals = v if isinstance(v, list) else [v]
                if k.endswith(("_us", "_ns", "iops", "mb_s")) and \
                        (not vals or not all(isinstance(x, float)
                                             for x in vals)):
                    bad.append("%s: %s=%r is not a number" % (s, k, v))
    if "accuracy" in ran and not res.get("accuracy_bw"):
        bad.append("no bandwidth-limited result")
    if "ssd" in ran:
        bad.extend(check_ssd(res))
    bad.extend(check_kv(res))
    if "multi" in ran:
        bad.extend(check_multi(res, recs))
    if "power" in ran:
        bad.extend(check_power(res))
    if "paths" in ran:
        bad.extend(check_paths(res))
    for r in res.get("zns") or []:
        for k in ("write_mb_s", "append_mb_s", "reset_full_us",
                  "reset_empty_us"):
            if not isinstance(r.get(k), float) or \
                    not isinstance(r["model"].get(k), float):
                bad.append("zns %s: %s measured %r, model %r" % (
                    r["zns"], k, r.get(k), r["model"].get(k)))
        if r.get("append_lbas_ok") != 1:
            bad.append("zns %s: Zone Append LBAs do not tile the zone" % r["zns"])
    return bad


def check_ssd(res):
    bad = []
    host, vm = res["ssd"].get("host"), res["ssd"].get("vm")
    if not host:
        return ["ssd: no simulator results (ssd/host.json)"]
    isnum = lambda v: isinstance(v, (int, float)) and not math.isnan(v)
    for k, fields in (("waf", ("analytic_waf", "measured_waf")),
                      ("cliff", ("first_mb_s", "steady_mb_s")),
                      ("figures", ("expected", "measured")),
                      ("speed", ("speed_x",))):
        if not host.get(k):
            bad.append("ssd: no %s results" % k)
        for r in host.get(k, []):
            for f in fields:
                if not isnum(r.get(f)):
                    bad.append("ssd %s: %s=%r" % (k, f, r.get(f)))
    if not vm or not vm.get("vm"):
        bad.append("ssd: no module-vs-simulator result (ssd/vm.json)")
    for e in (vm or {}).get("vm", []):
        for f in ("module_waf_rand", "sim_waf_rand_mean", "diff_rand_pct"):
            if not isnum(e.get(f)):
                bad.append("ssd vm: %s=%r" % (f, e.get(f)))
    return bad


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    do_check = args[0] == "--check"
    if do_check:
        args = args[1:]
    outdir = args[0]
    recs = load_records(os.path.join(outdir, "raw", "bench", "records.tsv"))
    env = load_env(os.path.join(outdir, "env.txt"))
    res = build(recs, env, outdir)
    plots = gnuplot(outdir, res) + gnuplot_ssd(outdir, res)
    head = header(res)
    main_md = markdown_main(res, plots)
    ssd_md = markdown_ssd(res, plots)
    zns_md = markdown_zns(res)
    kv_md = markdown_kv(res)
    multi_md = markdown_multi(res)
    power_md = markdown_power(res)
    paths_md = markdown_paths(res)
    # results-main.md / results-ssd.md / results-zns.md / results-kv.md /
    # results-multi.md:
    # what bench/publish puts between the markers of docs/performance.md;
    # results.md: all of them.
    for name, part in (("results-main.md", main_md),
                       ("results-ssd.md", ssd_md),
                       ("results-zns.md", zns_md),
                       ("results-kv.md", kv_md),
                       ("results-multi.md", multi_md),
                       ("results-power.md", power_md),
                       ("results-paths.md", paths_md)):
        path = os.path.join(outdir, name)
        if part:
            with open(path, "w") as f:
                f.write("\n".join((head if name == "results-main.md"
                                   else []) + part) + "\n")
        elif os.path.exists(path):
            os.remove(path)
    md = "\n".join(head + main_md +
                   (["## SSD kind", ""] + ssd_md if ssd_md else []) +
                   (["## ZNS kind", ""] + zns_md if zns_md else []) +
                   (["## KV kind", ""] + kv_md if kv_md else []) +
                   (["## Several devices", ""] + multi_md if multi_md else []) +
                   (["## Power states", ""] + power_md if power_md else []) +
                   (["## Paths", ""] + paths_md if paths_md else []))
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(md + "\n")
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    print(md)
    if do_check:
        bad = check(res, recs)
        for b in bad:
            print("bench: " + b, file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
