#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one bench/run results folder into results.json, results.md and
plots (gnuplot, PNG).  Usage: bench/report.py [--check] RESULTS_DIR

Reads RESULTS_DIR/env.txt (host side: QEMU version, git commit, ...) and
RESULTS_DIR/raw/bench/records.tsv (written by bench/guest.sh in the VM).
--check: exit 1 when a section is missing or a figure is not a number
(used by the smoke run; no timing is ever judged).
"""
import json
import math
import os
import shutil
import subprocess
import sys

SECTIONS = ["matrix", "accuracy", "idle", "wakeup", "memory"]
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
    idle = recs.get("idle", [])
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
    return res


def markdown(res, plots):
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
    if plots:
        md.append("Plots: " + ", ".join("[%s](%s)" % (p, p) for p in plots))
        md.append("")
    if res["section_seconds"]:
        md.append("Section times (s): " + ", ".join(
            "%s %d" % (k, v) for k, v in res["section_seconds"].items()))
        md.append("")
    return "\n".join(md)


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
    for s in SECTIONS:
        if not recs.get(s):
            bad.append("section %s has no results" % s)
    for s, rows in recs.items():
        for r in rows:
            for k, v in r.items():
                vals = v if isinstance(v, list) else [v]
                if k.endswith(("_us", "_ns", "iops", "mb_s")) and \
                        (not vals or not all(isinstance(x, float)
                                             for x in vals)):
                    bad.append("%s: %s=%r is not a number" % (s, k, v))
    if not res.get("accuracy_bw"):
        bad.append("no bandwidth-limited result")
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
    plots = gnuplot(outdir, res)
    md = markdown(res, plots)
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
