"""A bounded load test: ``bench/loadtest.py`` runs as a second process against a real
``spacecoop serve`` on 127.0.0.1 (20 clients for 5 s, mixing pages, RDF and SPARQL) and
every request succeeds. ``make loadtest`` runs the same for 30 s and prints the figures."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

LOADTEST = Path(__file__).resolve().parent.parent / "bench" / "loadtest.py"
CLIENTS, SECONDS = 20, 5


def test_twenty_clients_for_five_seconds_get_no_error(server: str) -> None:
    command = [sys.executable, LOADTEST, "--url", server, "--json"]
    command += ["--clients", str(CLIENTS), "--duration", str(SECONDS)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 60)
    result = json.loads(finished.stdout)

    assert result["errors"] == 0, result["first_errors"]
    assert finished.returncode == 0
    assert result["clients"] == CLIENTS and result["seconds"] >= SECONDS
    assert result["requests"] >= 10 * SECONDS  # served, not stalled
    assert all(kind["requests"] > 0 for kind in result["by_kind"].values())
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]
    with urllib.request.urlopen(server + "/index.html", timeout=10) as answer:
        assert answer.status == 200  # and the server is still up
