"""A small Chrome DevTools Protocol client over WebSocket, standard library only.

It starts a headless Chromium of its own on 127.0.0.1 with a fresh profile, opens
one page and drives it: navigate, run JavaScript, fill and submit forms, capture
screenshots. Only what the admin browser test needs.
"""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
]


class CdpError(Exception):
    pass


class WebSocket:
    """Client side of RFC 6455, enough for DevTools: text frames, ping, close."""

    def __init__(self, url, timeout=60):
        if not url.startswith("ws://127.0.0.1:"):
            raise CdpError("refusing a DevTools address that is not on 127.0.0.1: " + url)
        rest = url[len("ws://"):]
        hostport, path = rest.split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("DevTools closed the connection during the handshake")
            head += chunk
        status, _, self.buffer = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise CdpError("WebSocket handshake refused: " + status.decode(errors="replace"))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(max(65536, count - len(self.buffer)))
            if not chunk:
                raise CdpError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        length = len(payload)
        if length < 126:
            header.append(0x80 | length)
        elif length < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", length)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", length)
        mask = os.urandom(4)
        header += mask
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + masked)

    def _send_control(self, opcode, payload=b""):
        mask = os.urandom(4)
        frame = bytes([0x80 | opcode, 0x80 | len(payload)]) + mask
        frame += bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(frame)

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            final, opcode = first & 0x80, first & 0x0F
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            if second & 0x80:
                mask = self._read(4)
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(length)))
            else:
                data = self._read(length)
            if opcode == 0x9:
                self._send_control(0xA, data)
                continue
            if opcode == 0x8:
                raise CdpError("DevTools closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                message += data
                if final:
                    return message.decode()

    def close(self):
        try:
            self._send_control(0x8)
        except OSError:
            pass
        self.sock.close()


class Browser:
    """One headless Chromium with one page, for the length of a test run."""

    def __init__(self, chromium="chromium", width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="as-chromium-")
        self.process = subprocess.Popen(
            [chromium] + CHROMIUM_FLAGS + [
                "--user-data-dir=" + self.profile,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=%d,%d" % (width, height),
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.port = self._devtools_port()
        self.ws = WebSocket(self._page_socket())
        self.next_id = 0
        self.events = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        # confirm() dialogs would block the page; the test always answers yes.
        self.send("Page.addScriptToEvaluateOnNewDocument",
                  source="window.confirm = function () { return true; };")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _devtools_port(self):
        marker = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise CdpError("Chromium exited with status %s" % self.process.returncode)
            if os.path.exists(marker):
                with open(marker) as handle:
                    first = handle.readline().strip()
                if first.isdigit():
                    return int(first)
            time.sleep(0.1)
        raise CdpError("Chromium did not open its DevTools port")

    def _page_socket(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % self.port, timeout=10) as answer:
            targets = json.load(answer)
        for target in targets:
            if target.get("type") == "page":
                return target["webSocketDebuggerUrl"]
        raise CdpError("Chromium has no page target")

    def send(self, method, **params):
        self.next_id += 1
        wanted = self.next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == wanted:
                if "error" in message:
                    raise CdpError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        self.ws.sock.settimeout(timeout)
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(index)
            message = json.loads(self.ws.receive())
            if "method" in message:
                self.events.append(message)
        raise CdpError("no %s within %ss" % (method, timeout))

    def goto(self, url, timeout=60):
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired", timeout)

    def run(self, expression, timeout=60):
        """The value of a JavaScript expression; a promise is awaited."""
        self.ws.sock.settimeout(timeout)
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CdpError("JavaScript failed: %s\n%s" % (text, expression))
        return result.get("result", {}).get("value")

    def submit(self, form_selector, fields=None, button_selector=None, timeout=60):
        """Fills a form's fields (name -> value; a list ticks checkboxes) and submits it
        by clicking its button, then waits for the next page."""
        script = """(function () {
            var form = document.querySelector(%s);
            if (!form) { throw new Error('no form ' + %s); }
            var fields = %s;
            Object.keys(fields).forEach(function (name) {
                var value = fields[name];
                var inputs = form.querySelectorAll('[name="' + name + '"]');
                if (inputs.length === 0) { throw new Error('no field ' + name); }
                inputs.forEach(function (input) {
                    if (input.type === 'checkbox' || input.type === 'radio') {
                        input.checked = Array.isArray(value) ? value.indexOf(input.value) >= 0
                            : input.value === value;
                    } else {
                        input.value = value;
                    }
                });
            });
            var button = %s ? form.querySelector(%s) : form.querySelector('[type=submit]');
            button.click();
            return true;
        })()""" % (
            json.dumps(form_selector), json.dumps(form_selector), json.dumps(fields or {}),
            json.dumps(bool(button_selector)), json.dumps(button_selector or ""),
        )
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.run(script)
        self.wait_event("Page.loadEventFired", timeout)

    def text(self, selector="body"):
        return self.run("(document.querySelector(%s) || {innerText: ''}).innerText" % json.dumps(selector))

    def wait_for(self, expression, timeout=60, interval=0.25):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.run(expression)
            if value:
                return value
            time.sleep(interval)
        raise CdpError("still false after %ss: %s" % (timeout, expression))

    def screenshot(self, path):
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = int(max(size["width"], 1280))
        height = int(min(max(size["height"], 600), 6000))
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
