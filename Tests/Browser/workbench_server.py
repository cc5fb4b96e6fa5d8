"""Starts `platform-sim serve` on a free loopback port with a temporary results database, and
stops it: shared by the browser suite and the load suite."""
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request


class WorkbenchServer:
    def __init__(self, binary, root, extra_args=(), start_timeout=120, database=None):
        self.folder = tempfile.mkdtemp(prefix="workbench-suite-")
        self.database = database or os.path.join(self.folder, "results.sqlite")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--host", "127.0.0.1", "--db", self.database, *extra_args],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines = queue.Queue()
        self.output = []

        def pump():
            for line in self.process.stdout:
                self.output.append(line)
                lines.put(line)
        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + start_timeout
        self.url = None
        while time.time() < deadline and self.url is None:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if "PlatformSim workbench at " in line:
                self.url = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        if self.url is None:
            self.stop()
            raise RuntimeError("platform-sim serve did not start:\n" + "".join(self.output))
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("the server is not on loopback: " + self.url)

    def get(self, path, timeout=30):
        with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8")

    def post(self, path, body, timeout=30):
        request = urllib.request.Request(self.url + path, data=body.encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
