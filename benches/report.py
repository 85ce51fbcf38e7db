#!/usr/bin/env python3
"""Writes BENCHMARKS.md (to stdout) from criterion's target/criterion/**/new/estimates.json and
the callgrind counts in target/callgrind/*.json. Run by benches/run.sh; not edited by hand."""

import glob
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRITERION = os.path.join(ROOT, "target", "criterion")
CALLGRIND = os.path.join(ROOT, "target", "callgrind")

# (group, floor id, library id, openidconnect id, kind, target text, target check)
# kind "time": ratio = time / floor time; "throughput": ratio = floor time / time.
ROWS = [
    ("register_sequential", "floor", "library", "openidconnect", "time", "≤ 1.10×", lambda r: r <= 1.10),
    ("register_client_cpu", "floor", "library", "openidconnect", "time", "≤ 1.20×", lambda r: r <= 1.20),
    ("register_concurrent_64", "floor", "library", "openidconnect", "throughput", "≥ 0.90×", lambda r: r >= 0.90),
    ("discovery", "floor", "library", "openidconnect_document", "time", "—", None),
    ("issuer_to_register", "floor", "library", "openidconnect", "time", "≤ 1.10×", lambda r: r <= 1.10),
    ("parse_fixtures", "floor_value", "library", "openidconnect", "time", "≤ 1.00×", lambda r: r <= 1.00),
    ("serialize_client_metadata", "floor_value", "library", "openidconnect", "time", "—", None),
]

INSTRUCTION_TARGET = 1.25


def estimate(group, bench):
    path = os.path.join(CRITERION, group, *([bench] if bench else []), "new", "estimates.json")
    try:
        with open(path) as file:
            return json.load(file)["mean"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def shown(ns):
    if ns is None:
        return "—"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def ratio(kind, value, floor):
    if value is None or floor is None:
        return None
    return value / floor if kind == "time" else floor / value


def ratio_text(value):
    return "—" if value is None else f"{value:.2f}×"


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    lscpu = command("lscpu")
    keep = ("Architecture", "Model name", "CPU(s)", "Thread(s) per core", "CPU max MHz", "L2 cache", "L3 cache")
    lines = [line for line in lscpu.splitlines() if line.split(":")[0].strip() in keep]
    return "\n".join(lines), platform.release()


def criterion_tables(out):
    out.append("| work | floor | this library | ratio to floor | openidconnect 4.1 | ratio to floor | library / openidconnect | target | met |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for group, floor_id, lib_id, oidc_id, kind, target, check in ROWS:
        floor, lib, oidc = (estimate(group, b) for b in (floor_id, lib_id, oidc_id))
        lib_ratio, oidc_ratio = ratio(kind, lib, floor), ratio(kind, oidc, floor)
        versus = ratio(kind, lib, oidc)
        met = "—" if check is None or lib_ratio is None else ("yes" if check(lib_ratio) else "**no**")
        unit = " per batch of 64" if kind == "throughput" else ""
        out.append(
            f"| `{group}`{unit} | {shown(floor)} | {shown(lib)} | {ratio_text(lib_ratio)} | {shown(oidc)} "
            f"| {ratio_text(oidc_ratio)} | {ratio_text(versus)} | {target} | {met} |"
        )
    out.append("")
    discover = estimate("discovery", "openidconnect_discover_async")
    out.append(
        f"`discovery` compares the document GET and its typed read; openidconnect's own "
        f"`discover_async` also GETs the key set: {shown(discover)}. The throughput ratio is "
        f"floor time / client time (higher is better)."
    )
    out.append("")
    out.append("| other rows | time | target | met |")
    out.append("|---|---|---|---|")
    # A bench_function id "a/b" outside a group is stored as one folder, "a_b".
    warm = estimate("provider_cache_warm_configuration_lookup", "")
    out.append(f"| warm `ProviderCache` lookup | {shown(warm)} | < 200 ns | {'—' if warm is None else ('yes' if warm < 200 else '**no**')} |")
    cold = estimate("cold_lookups", "library_1000")
    out.append(f"| 1,000 concurrent cold lookups (one fetch, asserted) | {shown(cold)} | 1 fetch | yes |")
    none, recorder = estimate("telemetry", "library_no_recorder"), estimate("telemetry", "library_prometheus_recorder")
    if none and recorder:
        delta = (recorder / none - 1) * 100
        out.append(f"| register with the Prometheus recorder vs none | {shown(recorder)} vs {shown(none)} ({delta:+.1f} %) | < 3 % | {'yes' if delta < 3 else '**no** (see noise)'} |")
    out.append("")
    out.append("| store (`benches/store.rs`) | FileStore | PostgresStore |")
    out.append("|---|---|---|")
    # A bench_function id "a/b/c" outside a group is stored as one folder, "a_b_c".
    for row, label in (("ensure_registered_warm", "`ensure_registered` on a warm store (one read, no request)"),
                       ("compare_and_swap_8_way", "8 tasks, one committed compare-and-swap each, same record")):
        file, postgres = estimate(f"store_{row}_file", ""), estimate(f"store_{row}_postgres", "")
        out.append(f"| {label} | {shown(file)} | {shown(postgres)} |")
    out.append("")
    out.append("The file store syncs each write (file and directory), so its swap row is the disk's flush "
               "time; the PostgreSQL server of the run is private, on loopback, with fsync off.")
    out.append("")


def callgrind_table(out):
    counts = {}
    for path in glob.glob(os.path.join(CALLGRIND, "*.json")):
        with open(path) as file:
            run = json.load(file)
        counts[(run["operation"], run["client"])] = run["instructions"] / run["iterations"]
    if not counts:
        out.append("No callgrind counts: run `bash benches/callgrind.sh`.\n")
        return
    out.append("| operation | floor | this library | ratio | openidconnect 4.1 | ratio | target | met |")
    out.append("|---|---|---|---|---|---|---|---|")
    for operation in ("register", "register_unvalidated", "discovery", "warm_lookup"):
        # The unvalidated registration is compared with the same floor as the registration.
        floor_of = "register" if operation == "register_unvalidated" else operation
        floor = counts.get((floor_of, "floor"))
        lib, oidc = (counts.get((operation, c)) for c in ("library", "openidconnect"))
        def n(v):
            return "—" if v is None else f"{v:,.0f}"
        lib_ratio = lib / floor if lib and floor else None
        oidc_ratio = oidc / floor if oidc and floor else None
        targeted = operation in ("register", "discovery")
        target = f"≤ {INSTRUCTION_TARGET:.2f}×" if targeted else "—"
        met = "—" if lib_ratio is None or not targeted else ("yes" if lib_ratio <= INSTRUCTION_TARGET else "**no**")
        out.append(f"| {operation} | {n(floor)} | {n(lib)} | {ratio_text(lib_ratio)} | {n(oidc)} | {ratio_text(oidc_ratio)} | {target} | {met} |")
    out.append("")


PROFILE = """\
## Targets missed: what the profile shows

From `callgrind_annotate --inclusive=yes target/callgrind/register-library.out` (and
`discovery-library.out`), client thread only, before any change; the causes, largest first,
with the share of the library's instructions per call. Changed so far: the first one
(`registration_client_uri` origin check: register 113,517 → 95,867 instructions per call).

**register** (library ≈ 2.3× the floor's instructions before the change, ≈ 2.0× after):
- `oidc_registration::exchange::client_uri_problem` / `client_uri_refusal`: **~24 %**
  (changed: a uri under a home URL's own `scheme://authority` text is accepted after one parse,
  the uri's, and the refusal text is built only when refusing). The
  answer's `registration_client_uri` is checked against the endpoint's and the issuer's origins by
  three `Url::parse` calls (the uri, the endpoint, the issuer), then `PlainHttp::allows` parses
  the uri once more as `http::Uri` (still so: next, skip that parse for an `https:` uri).
- `RegistrationResponse::from_json`: ~17 %, of which `json::parse_object_tolerating` ~11 %
  (the raw map) plus the typed read of the echoed metadata beside it (`client_metadata::wire::
  read_lenient`, ~3 %) and dropping both (`drop_in_place<RegistrationResponse>` ~4 %).
- `build_request`: ~8 % (the endpoint parsed as `url::Url` and again as `http::Uri`).
- `ClientMetadata::validate`: ~4 % (`validation::metadata::parse_uri` per URL).
- `alloc::fmt::format_inner`: ~3 % (strings built on the success path).
- `indexmap` inserts and lookups: ~7 % (serde_json's `preserve_order`).
- telemetry `OperationSpan::start`: ~1.6 % with no recorder installed.

**discovery** (library ≈ 1.8× the floor's instructions):
- `oidc_types::json::parse_object` into a `Map<String, Value>`: ~40 % (the floor does this
  too, but with `preserve_order` every insert goes through `IndexMap`: `insert_full` ~5 %).
- `oidc_discovery::configuration::refused_http`: **~27 %**. Every endpoint (15 of them) is
  parsed by `Url::parse` and then, when it is http, again as `http::Uri` by `PlainHttp::allows`;
  the issuer the same way twice more (`refused_http` then `check_issuer`). For an `https:` URL
  the answer is known without parsing (only `http` can be refused); the benchmark's loopback
  endpoints are http, so the real-world saving is larger than this server shows.
- `oidc_http::util::redact_url`: ~5 % (the shown URL built eagerly in `get`, `get_json`,
  `fetch_document`, `read_configuration`, used only on errors).
- `ProviderMetadata::from_json_object_with` + drop: ~11 %.

**warm lookup**: 1,749 instructions per hit (the string lookup before parsing landed on main
before this work; main's own run timed it at ~114 ns). The timing in the table above is from
this noisy run; the instruction count is the measure to compare.
"""


def main():
    out = []
    cpu, kernel = machine()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.append("# Benchmarks\n")
    out.append("Generated by `benches/report.py` from criterion's estimates and the callgrind counts; "
               "regenerate, do not edit.\n")
    out.append("## How to run\n")
    out.append("```sh\nbash benches/run.sh   # criterion (short times), callgrind, then this file\n```\n")
    out.append("The sequential rows run under `taskset -c 0`: client and server threads on the same core, "
               "so neither waits for the other to be scheduled on the second core. The concurrent rows "
               "(64 tasks on a 2-worker runtime, 1,000 cold lookups) are not pinned. Client CPU is the "
               "CPU time of every thread of the process but the server's (per-thread `schedstat`, the "
               "clock `CLOCK_THREAD_CPUTIME_ID` reads), returned to criterion through `iter_custom`.\n")
    out.append("The server (`benches/support/mod.rs`) is hyper on 127.0.0.1 with keep-alive, on its own "
               "thread: a fixed discovery document (the lego fixture with the loopback origin and a "
               "registration endpoint) and a registration endpoint that splices credentials into the "
               "posted body. The three registration bodies are checked equal as JSON before measuring.\n")
    out.append(f"## Machine\n\nDate: {now}. Kernel: {kernel}.\n\n```text\n{cpu}\n```\n")
    out.append("A shared 2-core machine with other builds (clippy, a fuzzer) running during the run: the "
               "timings move by tens of percent between runs (the sequential floor measured 27 µs in one "
               "run and 41 µs in the next), so a timing ratio here says little; the instruction counts "
               "are the repeatable measure.\n")
    out.append("## Timings (criterion, mean)\n")
    criterion_tables(out)
    out.append("## Instructions per operation (callgrind, client thread only)\n")
    out.append("`bash benches/callgrind.sh`: `valgrind --tool=callgrind --collect-atstart=no "
               "--toggle-collect='*callgrind*measured*'` around a fixed number of operations after "
               "a 200-operation warm-up; the server thread's instructions are outside `measured` and "
               "not collected.\n")
    callgrind_table(out)
    out.append(PROFILE)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
