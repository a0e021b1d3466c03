"""The focused object (the control the keyboard is on), from the accessibility API: its role,
its name and where it is on the screen, so that just it can be described.

Linux: AT-SPI, over the accessibility bus (jeepney, pure Python): the focused object of the
active window's application, found by walking its showing objects (tens of milliseconds).
Windows: UI Automation's focused element (comtypes). macOS: the system-wide AX focused element
(pyobjc's ApplicationServices; VocaLens needs the accessibility permission it already asks
for its shortcuts).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from vocalens.core import CaptureError, tr

ACCESSIBLE, COMPONENT = "org.a11y.atspi.Accessible", "org.a11y.atspi.Component"
ROOT = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
FOCUSED, SHOWING = 12, 25  # AT-SPI state bits
MOST_OBJECTS = 5000  # a walk stops here: a huge document is not searched to its end
TIMEOUT = 0.5  # seconds for each question to an application
APP_SECONDS = 1.5  # an application's whole walk; a slower (or frozen) one is passed over


@dataclass(frozen=True)
class FocusedObject:
    role: str  # "push button", as the accessibility API names it
    name: str  # its accessible name; "" when it has none (an unlabelled icon)
    left: int
    top: int
    width: int
    height: int

    @property
    def label(self) -> str:
        """How it is announced first: 'Push button "Save"', 'Push button, no name'."""
        role = self.role[:1].upper() + self.role[1:] if self.role else "Object"
        return f"{role} “{self.name}”" if self.name else f"{role}, no name"


def focused_object(pid: int | None = None) -> FocusedObject:
    """The focused object (of the application with ``pid`` first, when given); CaptureError
    with the way forward when there is none or this system cannot say."""
    ask = {"win32": _uia_focus, "darwin": _ax_focus}.get(sys.platform)
    if ask is None and not sys.platform.startswith("linux"):
        raise CaptureError(
            tr("Describing the focused object is not available on this system."),
            tr("Describe the active window or a region instead."),
        )
    try:
        return ask() if ask is not None else _atspi_focus(pid)
    except CaptureError:
        raise
    except Exception as exc:  # no accessibility bus, an application that does not answer
        raise CaptureError(
            tr("The accessibility service could not say what has the focus ({reason}).").format(
                reason=exc
            ),
            tr(
                "Turn on your desktop's accessibility support (a screen reader does), or describe "
                "the active window instead."
            ),
        ) from None


class _Bus:
    def __init__(self) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        self._address, self._call = DBusAddress, new_method_call
        with open_dbus_connection(bus="SESSION") as session:
            where = DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus")
            address = session.send_and_get_reply(new_method_call(where, "GetAddress")).body[0]
        self.connection = open_dbus_connection(bus=address)

    def ask(self, name: str, path: str, iface: str, method: str, sig: str | None = None,
            body: tuple[Any, ...] = ()) -> Any:  # fmt: skip
        msg = self._call(self._address(path, name, iface), method, sig, body)
        return self.connection.send_and_get_reply(msg, timeout=TIMEOUT).body

    def states(self, name: str, path: str) -> int:
        low, high = self.ask(name, path, ACCESSIBLE, "GetState")[0]
        return int(low) | int(high) << 32

    def children(self, name: str, path: str) -> list[tuple[str, str]]:
        return list(self.ask(name, path, ACCESSIBLE, "GetChildren")[0])

    def pid(self, name: str) -> int:
        return int(
            self.ask("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "GetConnectionUnixProcessID", "s", (name,))[0]
        )  # fmt: skip


def _atspi_focus(pid: int | None) -> FocusedObject:
    from jeepney.wrappers import DBusErrorResponse

    bus = _Bus()
    try:
        pids = {app: bus.pid(app[0]) for app in bus.children(*ROOT)}
        apps = [app for app, owner in pids.items() if owner != os.getpid()]
        if pid is not None:  # the active window's application first
            apps.sort(key=lambda app: pids[app] != pid)
        for app in apps:
            try:  # a frozen or dying application is passed over, not waited for
                found = _focused_in(bus, app, time.monotonic() + APP_SECONDS)
                if found is not None:
                    return _describe(bus, *found)
            except (TimeoutError, DBusErrorResponse):
                continue
    finally:
        bus.connection.close()
    raise CaptureError(
        tr("No object has the keyboard focus that the accessibility service can see."),
        tr("Move the focus to the control, or describe the active window instead."),
    )


def _focused_in(bus: _Bus, root: tuple[str, str], deadline: float) -> tuple[str, str] | None:
    """Depth first through the showing objects, the focused one's (name, path); raises
    ``TimeoutError`` past ``deadline``."""
    stack, seen = [root], 0
    while stack and seen < MOST_OBJECTS:
        if time.monotonic() > deadline:
            raise TimeoutError(tr("the application answers too slowly"))
        node = stack.pop()
        seen += 1
        state = bus.states(*node)
        if state >> FOCUSED & 1:
            return node
        if node != root and not state >> SHOWING & 1:
            continue
        stack.extend(reversed(bus.children(*node)))
    return None


def _describe(bus: _Bus, name: str, path: str) -> FocusedObject:
    from jeepney import DBusAddress, Properties

    left, top, width, height = bus.ask(name, path, COMPONENT, "GetExtents", "u", (0,))[0]
    role = str(bus.ask(name, path, ACCESSIBLE, "GetRoleName")[0])
    get = Properties(DBusAddress(path, name, ACCESSIBLE)).get("Name")
    label = bus.connection.send_and_get_reply(get, timeout=TIMEOUT).body[0][1]
    return FocusedObject(role, str(label).strip(), int(left), int(top), int(width), int(height))


def from_uia(element: Any) -> FocusedObject:
    """A UI Automation element (IUIAutomationElement) as a focused object."""
    rect = element.CurrentBoundingRectangle
    role = str(element.CurrentLocalizedControlType or "object")
    name = str(element.CurrentName or "").strip()
    width, height = rect.right - rect.left, rect.bottom - rect.top
    return FocusedObject(role, name, int(rect.left), int(rect.top), int(width), int(height))


def _uia_focus() -> FocusedObject:
    import comtypes.client

    comtypes.client.GetModule("UIAutomationCore.dll")
    from comtypes.gen.UIAutomationClient import CUIAutomation, IUIAutomation

    automation = comtypes.client.CreateObject(CUIAutomation, interface=IUIAutomation)
    return from_uia(automation.GetFocusedElement())


def from_ax(attribute: Any, point_and_size: Any) -> FocusedObject:
    """The AX focused element as a focused object: ``attribute(name)`` reads one of its
    attributes (None when it has none), ``point_and_size(position, size)`` turns AXValues into
    ((x, y), (width, height))."""
    role = attribute("AXRoleDescription") or attribute("AXRole") or "object"
    name = attribute("AXTitle") or attribute("AXDescription") or ""
    (x, y), (width, height) = point_and_size(attribute("AXPosition"), attribute("AXSize"))
    return FocusedObject(str(role), str(name).strip(), int(x), int(y), int(width), int(height))


def _ax_focus() -> FocusedObject:
    import ApplicationServices as ax

    system = ax.AXUIElementCreateSystemWide()
    error, focused = ax.AXUIElementCopyAttributeValue(system, "AXFocusedUIElement", None)
    if error or focused is None:
        raise CaptureError(
            tr("macOS did not say which object has the focus."),
            tr("Allow VocaLens in System Settings → Privacy & Security → Accessibility."),
        )

    def attribute(name: str) -> Any:
        error, value = ax.AXUIElementCopyAttributeValue(focused, name, None)
        return None if error else value

    def point_and_size(position: Any, size: Any) -> tuple[tuple[float, float], tuple[float, float]]:
        point = ax.AXValueGetValue(position, ax.kAXValueCGPointType, None)[1]
        extent = ax.AXValueGetValue(size, ax.kAXValueCGSizeType, None)[1]
        return (point.x, point.y), (extent.width, extent.height)

    return from_ax(attribute, point_and_size)
