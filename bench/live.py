"""Serial write → Socket.IO client receive latency, lanebox vs the bare stack.

Four devices (toledo-continuous scale, aim-barcode, mrz-reader, etd-ascii)
on real ptys, each sent a frame at 10 Hz carrying a sequence number; 1, 10
and 50 python-socketio clients in this process record when each frame
reaches them. The same frames go through bench/bare_stack.py (a minimal
pyserial loop + Flask-SocketIO, on the same production server) in the same
run, so the ratio is fair. Also prints each server's memory and CPU, its
master and worker processes together (RSS summed: pages they share count
twice). On a shared machine one round of a case varies by ±20 %: with
--repeat N the stacks take turns going first and the median ratio closes
the report. Usage: python bench/live.py [seconds] [--repeat N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from drivers.simulators.device import DeviceSimulator  # noqa: E402
from drivers.simulators.etd_ascii import EtdSimulator  # noqa: E402
from drivers.simulators.ports import PtyPort  # noqa: E402

HERE = Path(__file__).resolve().parent
KEY = re.compile(r"BN(\d{6})")
DEVICES = (("scale-1", "scale", "toledo-continuous"), ("barcode-1", "barcode", "aim-barcode"),
           ("document-1", "document", "mrz-reader"), ("trace-1", "trace", "etd-ascii"))


def frame(kind: str, n: int) -> bytes:
    if kind == "scale":  # gross, kg, stable, weight digits = n
        return b"\x02\x2a\x30\x20" + f"{n:06d}".encode() + b"000000\r"
    if kind == "barcode":
        return f"]C0BN{n:06d}\r\n".encode()
    if kind == "document":
        line2 = f"BN{n:06d}<0UTO7408122F1204159ZE184226B<<<<<10"
        return f"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n{line2}\r\n".encode()
    return f"RES BN{n:06d} CLEAR\r\n".encode()


def key_of(message: dict) -> tuple[str, int] | None:
    data = message.get("data")
    if data is None:  # bare stack: the line itself
        text = message["text"]
        match = KEY.search(text)
        if match:
            return message["device_id"], int(match.group(1))
        if text.startswith("\x02"):  # a Toledo frame: the weight digits
            return message["device_id"], int(text[4:10])
        return None  # e.g. the first line of a passport
    kind = message["kind"]
    if kind == "scale":
        return message["device_id"], int(data["weight"])
    text = {"barcode": lambda: data["text"], "document": lambda: data["mrz"]["document_number"],
            "trace": lambda: data["sample_id"]}[kind]()
    match = KEY.search(text or "")
    return (message["device_id"], int(match.group(1))) if match else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ports() -> dict[str, PtyPort]:
    ports = {}
    for device_id, kind, _ in DEVICES:
        sim = EtdSimulator() if kind == "trace" else DeviceSimulator()
        ports[device_id] = PtyPort(sim).start()
    return ports


def start_lanebox(ports: dict[str, PtyPort], workdir: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    devices = "".join(f'[[devices]]\nid = "{d}"\nkind = "{k}"\ndriver = "{drv}"\nport = "{ports[d].path}"\n'
                      for d, k, drv in DEVICES)
    config = workdir / "lane.toml"
    config.write_text(f'[lane]\nid = "BENCH-1"\n[server]\nport = {port}\ndata_dir = "data"\n{devices}')
    cli = [sys.executable, "-m", "lanebox"]
    subprocess.run([*cli, "users", "add", "--config", str(config), "--username", "bench", "--role", "viewer",
                    "--password-stdin"], input="bench quiet sparrow\n", text=True, check=True, capture_output=True)
    process = subprocess.Popen([*cli, "serve", "--config", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:  # type: ignore[union-attr]
        if "serving on" in line:
            break
    url = f"http://127.0.0.1:{port}"
    token = requests.post(f"{url}/api/v1/session", json={"username": "bench", "password": "bench quiet sparrow"},
                          timeout=10).json()["token"]
    return process, url, token


def start_bare(ports: dict[str, PtyPort]) -> tuple[subprocess.Popen, str, str | None]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "bare_stack.py"), str(port),
                                *[ports[d].path for d, _, _ in DEVICES]], stdout=subprocess.PIPE, text=True)
    process.stdout.readline()  # type: ignore[union-attr]
    return process, f"http://127.0.0.1:{port}", None


CLIENTS_PER_PROCESS = 10


def client_worker(url: str, token: str | None, count: int, pipe) -> None:
    """A process holding ``count`` clients; replies with every (key, arrival)."""
    arrivals: list[tuple[tuple[str, int] | None, float]] = []
    lock = threading.Lock()
    clients = []

    def on_reading(message: dict) -> None:
        now = time.monotonic()
        with lock:
            arrivals.append((key_of(message), now))

    for _ in range(count):
        client = socketio.Client(reconnection=False)
        client.on("reading", on_reading, namespace="/live")
        client.connect(url, namespaces=["/live"], auth={"token": token} if token else None,
                       transports=["websocket"], wait_timeout=10)
        clients.append(client)
    pipe.send("ready")
    pipe.recv()  # "collect"
    with lock:
        pipe.send(list(arrivals))
    for client in clients:
        client.disconnect()


def measure(stack: str, clients_n: int, seconds: float) -> dict[str, float]:
    """One case. Clients live in worker processes of at most 10 each, so the
    Python client side (one GIL per process) is not what gets measured."""
    ports = start_ports()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        process, url, token = (start_lanebox(ports, Path(tmp)) if stack == "lanebox" else start_bare(ports))
        # the bare stack names devices dev0..dev3 in DEVICES order
        names = {d: (d if stack == "lanebox" else f"dev{i}") for i, (d, _, _) in enumerate(DEVICES)}
        sent: dict[tuple[str, int], float] = {}
        workers = []
        try:
            for first in range(0, clients_n, CLIENTS_PER_PROCESS):
                parent_end, child_end = context.Pipe()
                worker = context.Process(target=client_worker, daemon=True,
                                         args=(url, token, min(CLIENTS_PER_PROCESS, clients_n - first), child_end))
                worker.start()
                workers.append((worker, parent_end))
            for _, pipe in workers:
                pipe.recv()  # ready
            time.sleep(1.0)  # devices connected, ETD identified
            for device_id, kind, _ in DEVICES:  # warm-up frame, not timed: the Toledo
                ports[device_id].device.send(frame(kind, 0))  # framer learns "no checksum" here
            time.sleep(0.3)
            cpu_before = _cpu_seconds(process.pid)
            ticks = int(seconds * 10)
            start = time.monotonic()
            for n in range(1, ticks + 1):
                for device_id, kind, _ in DEVICES:
                    sent[(names[device_id], n)] = time.monotonic()
                    ports[device_id].device.send(frame(kind, n))
                delay = start + n * 0.1 - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            cpu = _cpu_seconds(process.pid) - cpu_before
            time.sleep(2.0)  # let the last frames arrive
            rss_mb = _rss_mb(process.pid)
            latencies = []
            for _, pipe in workers:
                pipe.send("collect")
                latencies += [arrived - sent[key] for key, arrived in pipe.recv() if key in sent]
        finally:
            for worker, _ in workers:
                worker.join(10)
            process.terminate()
            process.wait(10)
            for port in ports.values():
                port.close()
    ms = sorted(x * 1000 for x in latencies)
    return {"p50": statistics.median(ms), "p99": ms[int(len(ms) * 0.99) - 1], "delivered": len(ms),
            "expected": len(sent) * clients_n, "rss_mb": rss_mb, "cpu_pct": 100 * cpu / seconds}


def _tree(pid: int) -> list[int]:
    """The server's processes: the master and its worker(s)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


def _cpu_seconds(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    total_kb = 0
    for member in _tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", type=float, nargs="?", default=10.0, help="sending time per case")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repeat", type=int, default=1, help="run each case this many times")
    args = parser.parse_args()
    os.chdir(HERE.parent)
    print(f"serial write -> Socket.IO client receive, 4 devices x 10 Hz, {args.seconds:.0f} s per case")
    print(f"{'clients':>7} {'stack':>8} {'p50 ms':>8} {'p99 ms':>8} {'delivered':>12} {'server RSS MB':>14} "
          f"{'server CPU %':>13}")
    ratios: dict[int, list[tuple[float, float]]] = {}
    for clients_n in args.clients:
        for round_n in range(args.repeat):
            # alternate which stack goes first, so a drift of the machine weighs on both alike
            order = ("bare", "lanebox") if round_n % 2 == 0 else ("lanebox", "bare")
            results = {stack: measure(stack, clients_n, args.seconds) for stack in order}
            for stack in ("bare", "lanebox"):
                r = results[stack]
                print(f"{clients_n:>7} {stack:>8} {r['p50']:>8.2f} {r['p99']:>8.2f} "
                      f"{r['delivered']:>5}/{r['expected']:<6} {r['rss_mb']:>14.1f} {r['cpu_pct']:>13.0f}")
            ratio = (results["lanebox"]["p50"] / results["bare"]["p50"],
                     results["lanebox"]["p99"] / results["bare"]["p99"])
            ratios.setdefault(clients_n, []).append(ratio)
            print(f"{clients_n:>7} {'ratio':>8} {ratio[0]:>8.2f} {ratio[1]:>8.2f}   (target <= 1.25)")
    if args.repeat > 1:
        print("median ratio over the rounds (lanebox / bare):")
        for clients_n, rounds in ratios.items():
            print(f"{clients_n:>7} {'median':>8} {statistics.median(r[0] for r in rounds):>8.2f} "
                  f"{statistics.median(r[1] for r in rounds):>8.2f}   (target <= 1.25)")


if __name__ == "__main__":
    main()
