"""Command line: ``python -m csapi.emulator [options]`` serves the CS emulator.

    python -m csapi.emulator --port 8900 --seed demo
    python -m csapi.emulator --seed scale:20000:4 --speed 10 --state var/emulator.json
    python -m csapi.emulator --error-rate 0.1 --fault-path '/jobs$' --latency-ms 200

The account flags (--domain, --user, --password, --project-id, --ak, --sk) replace the first
tenant's login; the seeded tenants are listed at start without their secrets. Fault flags define one
fault rule (optionally limited to --fault-path); with ``--control`` faults can be changed at run time
with ``POST /_emulator/faults``, and the other ``/_emulator`` operations answer.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from werkzeug.serving import make_server

from .app import Emulator
from .clock import Clock
from .faults import DEFAULT_TOKEN_LIFETIME, FaultRule, Faults


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m csapi.emulator", description="Serve the CS emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--seed", default="demo", help="demo | empty | scale:N | scale:N:T (default demo)")
    parser.add_argument("--state", metavar="FILE", help="load state from FILE if it exists, save it there")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="emulated seconds per real second (0 freezes)"
    )
    parser.add_argument("--failure-rate", type=float, default=0.08, help="share of job runs that fail")
    parser.add_argument("--random-seed", type=int, default=0, help="seed of run failures and faults")
    account = parser.add_argument_group("first tenant's login (defaults: the demo account)")
    for flag in ("domain", "user", "password", "project-id", "ak", "sk"):
        account.add_argument(f"--{flag}")
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=float, default=0.0)
    faults.add_argument("--latency-jitter-ms", type=float, default=0.0)
    faults.add_argument("--error-rate", type=float, default=0.0, help="share of 500/502/503 answers")
    faults.add_argument("--error-statuses", default="500,502,503")
    faults.add_argument("--throttle-rate", type=float, default=0.0, help="share of 429 answers")
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After of 429 answers (seconds)")
    faults.add_argument("--truncate-rate", type=float, default=0.0, help="share of truncated bodies")
    faults.add_argument("--non-json-rate", type=float, default=0.0, help="share of non-JSON bodies")
    faults.add_argument("--fault-path", help="regex: apply the faults above only to matching paths")
    faults.add_argument("--token-lifetime", type=float, default=DEFAULT_TOKEN_LIFETIME, help="seconds")
    parser.add_argument("--quiet", action="store_true", help="no request log")
    parser.add_argument(
        "--services",
        default="cs,dli",
        help="the APIs to serve: cs, dli or cs,dli (default both, on the same port)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="serve the /_emulator control API (state, reset, clock, faults, stats, tenants); off by default",
    )
    return parser


def build_emulator(args: argparse.Namespace) -> Emulator:
    rule = FaultRule(
        path=args.fault_path,
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        error_rate=args.error_rate,
        error_statuses=[int(s) for s in args.error_statuses.split(",") if s],
        throttle_rate=args.throttle_rate,
        retry_after=args.retry_after,
        truncate_rate=args.truncate_rate,
        non_json_rate=args.non_json_rate,
    )
    active = any(
        (
            rule.latency_ms,
            rule.latency_jitter_ms,
            rule.error_rate,
            rule.throttle_rate,
            rule.truncate_rate,
            rule.non_json_rate,
        )
    )
    faults = Faults([rule] if active else [], seed=args.random_seed, token_lifetime=args.token_lifetime)
    account = {
        "domain": args.domain,
        "user": args.user,
        "password": args.password,
        "project_id": args.project_id,
        "ak": args.ak,
        "sk": args.sk,
    }
    return Emulator(
        seed=args.seed,
        clock=Clock(speed=args.speed),
        faults=faults,
        account={k: v for k, v in account.items() if v},
        state_file=args.state,
        failure_rate=args.failure_rate,
        random_seed=args.random_seed,
        control=args.control,
        services=tuple(x.strip() for x in args.services.split(",") if x.strip()),
    )


def describe(emulator: Emulator, url: str, state_file: str | None = None) -> str:
    """What the emulator serves and where its logins are -- never the secrets themselves."""
    lines = [
        f"CS emulator on {url} (seed {emulator.seed_spec}, clock speed {emulator.clock.speed})",
        f"  CS endpoint: {url}   DLI endpoint: {url}   IAM endpoint: {url}   VPC endpoint: {url}",
    ]
    for i, t in enumerate(emulator.tenants[:10], start=1):
        lines.append(f"  tenant {i}: domain={t.domain} user={t.user} project_id={t.project_id} ak={t.ak}")
    if len(emulator.tenants) > 10:
        lines.append(f"  ... and {len(emulator.tenants) - 10} more tenants")
    where = [f"the state file {state_file} (readable by its owner only)"] if state_file else []
    if emulator.control:
        where.append(f"GET {url}/_emulator/tenants")
    where.append("csapi.emulator.seed (the seeds' accounts)")
    lines.append(f"  passwords and SKs: in {'; '.join(where)}")
    if emulator.control:
        lines.append(f"  control API: {url}/_emulator/(state|reset|clock|faults|stats|tenants)")
    else:
        lines.append("  control API: off (start with --control to serve /_emulator/...)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    emulator = build_emulator(args)
    if args.quiet:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(args.host, args.port, emulator, threaded=True)
    url = f"http://{args.host}:{server.server_port}"
    print(describe(emulator, url, args.state), flush=True)
    stop = threading.Event()

    def saver() -> None:
        while not stop.wait(5.0):
            if emulator.dirty:
                emulator.save_state()

    if args.state:
        emulator.save_state()
        threading.Thread(target=saver, name="state-saver", daemon=True).start()

    def shutdown(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        if args.state:
            emulator.save_state()
    return 0


if __name__ == "__main__":
    sys.exit(main())
