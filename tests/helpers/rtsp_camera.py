#!/usr/bin/python3
# rtsp_camera.py - a real RTSP camera for the tests: GStreamer's RTSP server streaming a test pattern as RTP/JPEG, over TCP or UDP as the client asks.
#
# usage: rtsp_camera.py ADDR PORT PATH   (prints "ready" once it listens)
# Debian's python3 (python3-gi), not a PATH one: the typelibs are Debian's.
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# 10 frames a second of 320x240: a camera's stream, small enough for the emulator.
LAUNCH = ("( videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 "
          "! jpegenc ! rtpjpegpay name=pay0 pt=26 )")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: rtsp_camera.py ADDR PORT PATH")
    addr, port, path = sys.argv[1:]
    Gst.init(None)
    server = GstRtspServer.RTSPServer(address=addr, service=port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(LAUNCH)
    factory.set_shared(True)
    server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_camera: cannot listen on {addr}:{port}")
    print("ready", flush=True)
    GLib.MainLoop().run()


main()
