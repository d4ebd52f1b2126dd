"""The demo LMS's HTTP server: cheroot (CherryPy's WSGI server), threaded, with keep-alive.

werkzeug's development server closes every connection after one response (``Connection:
close``), so each request of a client costs a TCP handshake, an ``accept`` and a new thread; at
thousands of score POSTs a second that was half of the LMS's CPU. cheroot keeps connections open
(idle ones wait in a selector, not in a thread), as a real LMS's web server does. Stopping the
server closes the kept-alive connections too: a stopped LMS answers nobody.

Each request's environ carries ``demo_lms.drop``: calling it closes the client's connection
without an answer (the fault mode "the web server died after the grade was written").
"""
from __future__ import annotations

import socket
import sys
from typing import Any, Callable

from cheroot import wsgi
from cheroot.workers import threadpool

from .faults import DROP_KEY

IDLE_SECONDS = 75.0  # like nginx's keepalive_timeout
THREADS = 32  # requests served at once (the worker keeps 16 in flight per platform)


class DemoServer:
    """A cheroot server bound at creation (so its port is known), served by `serve_forever`."""

    def __init__(self, host: str, port: int, app: Callable, access_log: bool = False):
        # A deep accept queue: a burst of new connections (24 clients at once) must wait, not be reset.
        self._server = wsgi.Server((host, port), _AccessLog(app) if access_log else app, numthreads=THREADS,
                                   request_queue_size=128,
                                   timeout=IDLE_SECONDS, shutdown_timeout=1, server_name="demo-lms")
        self._server.requests = _DaemonPool(self._server, min=THREADS, max=-1)
        self._server.gateway = _DroppingGateway
        self._server.prepare()  # binds the socket, starts the threads

    @property
    def server_port(self) -> int:
        return self._server.bind_addr[1]

    def serve_forever(self, poll_interval: float | None = None) -> None:
        self._server.serve()

    def shutdown(self) -> None:
        self._server.stop()

    def server_close(self) -> None:
        self._server.stop()


class _DroppingGateway(wsgi.Gateway_10):
    """cheroot's WSGI 1.0 gateway plus ``environ["demo_lms.drop"]``."""

    def get_environ(self):
        env = super().get_environ()
        env[DROP_KEY] = self._drop
        return env

    def _drop(self) -> None:
        """Shut the socket both ways; cheroot then believes the headers went out and closes it."""
        req = self.req
        req.close_connection = True
        req.sent_headers = True  # nothing more is written: the client reads an end of stream
        try:
            req.conn.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _DaemonPool(threadpool.ThreadPool):
    """cheroot's pool with daemon threads: a test or script that never stops its LMS still exits."""

    def _spawn_worker(self):
        worker = threadpool.WorkerThread(self.server)
        worker.name = f"demo-lms {worker.name}"
        worker.daemon = True
        worker.start()
        return worker


class _AccessLog:
    """One line per request on stderr, like werkzeug's."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable):
        def logged(status: str, headers, exc_info=None):
            query = environ.get("QUERY_STRING")
            print(f'{environ.get("REMOTE_ADDR", "-")} "{environ["REQUEST_METHOD"]} {environ.get("PATH_INFO", "")}'
                  f'{"?" + query if query else ""}" {status.split(" ", 1)[0]}', file=sys.stderr, flush=True)
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)


def make_server(host: str, port: int, app: Callable, access_log: bool = False) -> DemoServer:
    """A threaded keep-alive server for `app` on host:port (0 = a free port)."""
    return DemoServer(host, port, app, access_log)
