#!/usr/bin/python3
"""A stand-in desktop notification server for the end-to-end tests.

CI has no notification daemon, so tests/desktop.rs starts this inside the test's private D-Bus
session (.ci/with-keychain). It owns org.freedesktop.Notifications, implements the methods of
the Desktop Notifications Specification that clients call (GetCapabilities,
GetServerInformation, Notify, CloseNotification), and appends every notification to a file as
one JSON line: {"app": ..., "summary": ..., "body": ...}. The test reads that file.

Usage: notification-sink.py LOG_FILE
Prints "ready" once it owns the name; exits 1 if another server already does. Exits when its
stdin closes (the test went away) or on SIGTERM.

Needs the system Python's D-Bus bindings: apt packages python3-dbus and python3-gi (.ci/setup).
"""

import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Sink(dbus.service.Object):
    def __init__(self, bus, log_path):
        super().__init__(bus, PATH)
        self.log_path = log_path
        self.last_id = 0

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("keyshelf-notification-sink", "keyshelf", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        if replaces_id:
            notification_id = int(replaces_id)
        else:
            self.last_id += 1
            notification_id = self.last_id
        line = json.dumps({"app": str(app_name), "summary": str(summary), "body": str(body)}) + "\n"
        # One write of a whole line to a file opened for appending: a reader never sees half of one.
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
        return dbus.UInt32(notification_id)

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        # Reason 3: closed by a call to CloseNotification.
        self.NotificationClosed(notification_id, dbus.UInt32(3))

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, notification_id, reason):
        pass


def main():
    if len(sys.argv) != 2:
        print("usage: notification-sink.py LOG_FILE", file=sys.stderr)
        return 2
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    try:
        name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    except dbus.exceptions.NameExistsException:
        print(f"notification-sink: {NAME} is already owned on this session bus", file=sys.stderr)
        return 1
    sink = Sink(bus, sys.argv[1])
    loop = GLib.MainLoop()
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_HUP | GLib.IO_ERR | GLib.IO_IN, lambda *_: loop.quit() or False)
    print("ready", flush=True)
    loop.run()
    del sink, name
    return 0


if __name__ == "__main__":
    sys.exit(main())
