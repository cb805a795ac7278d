"""Benchmark: the floor of the web stack alone, with no hub behind it, on loopback, 1 and 16 clients.

Why: the target ">= 1,500 ticket issues/s on SQLite at 16 clients, p95 <= 25 ms, clients on the same 2 cores" asks
for everything an issue costs (web stack, command, SQLite) to fit in what one Python process on one core can do. This
measures what the layers under the hub cost by themselves, one layer added at a time, each served in its own process
by uvicorn with httptools and uvloop and no access log, as the hub is:
  raw        a bare ASGI app: reads the body of POST /x, answers a fixed 201 JSON body (~200 bytes);
  starlette  the same as a plain async Starlette route;
  fastapi    the same as an async FastAPI route with a pydantic body model (one str field) and the hub's
             bearer-token dependency (HTTPBearer, token length checked);
  sqlite     fastapi plus one INSERT of a 10-column row and its commit per request, stdlib sqlite3 on the event
             loop (WAL, synchronous=NORMAL): the least a write on SQLite can cost.
The clients are separate processes on kept-alive connections with http.client, as in bench/http_lifecycle.py. For each:
requests/s, p50/p95 latency, the server process's CPU seconds per request (/proc/PID/stat utime+stime before and
after) and the clients' CPU per request (their process time), which the server cannot have.
Run: .venv/bin/python bench/web_floor.py [--seconds 8] [--apps raw starlette fastapi sqlite] [--clients 1 16]
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APPS = ("raw", "starlette", "fastapi", "sqlite")
# A fixed answer about the size of a ticket's: 201 and ~200 bytes of JSON.
ANSWER = json.dumps({"ticket_id": "7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b", "number": "A012", "queue_id": "qp-centre-a",
                     "item_id": "item-0001", "status": "waiting", "priority": "normal", "issued_at": "2026-12-01T10:00:00+08:00",
                     "ahead": 3}).encode()


def build_app(kind: str, db_path: str):
    """The app of one layer. Imports are here so that the client processes load no web framework."""
    if kind == "raw":
        async def raw(scope, receive, send):
            if scope["type"] != "http":  # lifespan: accept, nothing to do
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            more = True
            while more:
                message = await receive()
                more = message.get("more_body", False)
            await send({"type": "http.response.start", "status": 201,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]})
            await send({"type": "http.response.body", "body": ANSWER})
        return raw

    from starlette.responses import Response

    if kind == "starlette":
        from starlette.applications import Starlette
        from starlette.routing import Route

        async def x(request):
            await request.body()
            return Response(ANSWER, status_code=201, media_type="application/json")
        return Starlette(routes=[Route("/x", x, methods=["POST"])])

    from typing import Annotated

    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from pydantic import BaseModel

    bearer = HTTPBearer(auto_error=False)

    async def token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        """As the hub's any_actor, without the read of the device: the header parsed and checked."""
        if credentials is None or not credentials.credentials or len(credentials.credentials) > 200:
            raise HTTPException(401)
        return credentials.credentials

    class IssueIn(BaseModel):
        item_id: str

    app = FastAPI()
    db = None
    if kind == "sqlite":
        db = sqlite3.connect(db_path, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, site_id TEXT, queue_id TEXT, item_id TEXT,"
                   " number TEXT, priority TEXT, status TEXT, issued_at TEXT, device_token TEXT, ahead INTEGER)")
        db.commit()

    @app.post("/x", status_code=201)
    async def issue(body: IssueIn, device: Annotated[str, Depends(token)]):
        if db is not None:
            db.execute("INSERT INTO tickets (site_id, queue_id, item_id, number, priority, status, issued_at, device_token, ahead)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ("qp-centre", "qp-centre-a", body.item_id, "A012", "normal", "waiting", "2026-12-01T10:00:00+08:00",
                        device, 3))
            db.commit()
        return Response(ANSWER, status_code=201, media_type="application/json")
    return app


def serve(kind: str, port: int, db_path: str) -> None:
    import uvicorn

    uvicorn.run(build_app(kind, db_path), host="127.0.0.1", port=port, http="httptools", loop="uvloop",
                access_log=False, log_level="warning")


class Server:
    """One layer served by uvicorn in its own process (this file with --serve)."""

    def __init__(self, kind: str, folder: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(self.port),
                                      "--db", str(folder / f"{kind}.sqlite3")])
        for _ in range(300):
            try:
                post(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5))
                return
            except OSError:
                time.sleep(0.1)
            except AssertionError:
                self.stop()
                raise
        self.stop()
        raise RuntimeError(f"{kind} did not start")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


HEADERS = {"Authorization": "Bearer k7Qw2-bench-device-token-0123456789abcdef", "Content-Type": "application/json"}
BODY = json.dumps({"item_id": "item-0001"}).encode()


def post(conn: http.client.HTTPConnection) -> None:
    conn.request("POST", "/x", body=BODY, headers=HEADERS)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 201, (r.status, body)


def client(port, seconds, start, out):
    """One client as fast as it can on one kept-alive connection; reports its latencies and its own CPU time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    post(conn)  # connect outside the measure
    start.wait()
    cpu0, lat = time.process_time(), []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        post(conn)
        lat.append(time.perf_counter() - t)
    out.put((lat, time.process_time() - cpu0))


def measure(server: Server, clients: int, seconds: float) -> dict:
    out, start = mp.Queue(), mp.Event()
    procs = [mp.Process(target=client, args=(server.port, seconds, start, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # every client connected and waiting
    cpu0 = server.cpu_seconds()
    start.set()
    parts = [out.get(timeout=seconds + 30) for _ in procs]  # a client that failed: no endless wait
    cpu = server.cpu_seconds() - cpu0
    for p in procs:
        p.join()
    lat = sorted(x for part, _ in parts for x in part)
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1000  # noqa: E731
    n = len(lat)
    return {"rps": n / seconds, "p50": p(0.5), "p95": p(0.95), "server_ms": cpu / n * 1000,
            "client_ms": sum(c for _, c in parts) / n * 1000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--apps", nargs="+", choices=APPS, default=list(APPS))
    ap.add_argument("--clients", nargs="+", type=int, default=[1, 16])
    ap.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.db)
        return
    folder = Path(tempfile.mkdtemp(prefix="haoban-floor-"))
    print(f"{'app':<10} {'clients':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'server CPU ms/req':>18} {'clients CPU ms/req':>19}")
    for kind in args.apps:
        server = Server(kind, folder)
        try:
            for clients in args.clients:
                m = measure(server, clients, args.seconds)
                print(f"{kind:<10} {clients:>7} {m['rps']:7.0f} {m['p50']:7.2f} {m['p95']:7.2f} {m['server_ms']:18.3f}"
                      f" {m['client_ms']:19.3f}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
