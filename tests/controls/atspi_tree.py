"""Prints the accessibility tree of one running program as JSON, as a screen reader sees it:
each node's role, name, states and box in screen coordinates. Run with the system Python,
which has pyatspi: ``atspi_tree.py PID``; it fails while the program's window does not yet
show a control (ask again: the list of programs is read once per process)."""

import json
import sys

import pyatspi

CONTROLS = {
    "push button",
    "text",
    "password text",
    "check box",
    "radio button",
    "combo box",
    "page tab",
    "spin button",
    "toggle button",
    "slider",
    "list item",
    "table cell",
    "menu item",
    "link",
}


def nodes(acc, out, depth=0):
    if depth > 40 or len(out) > 3000:
        return
    try:
        states = acc.getState()
        box = None
        try:
            e = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            box = [e.x, e.y, e.width, e.height]
        except NotImplementedError:
            pass
        out.append(
            {
                "role": acc.getRoleName(),
                "name": acc.name or "",
                "description": acc.description or "",
                "states": sorted(pyatspi.stateToString(s) for s in states.getStates()),
                "box": box,
            }
        )
        for i in range(min(acc.childCount, 500)):
            child = acc.getChildAtIndex(i)
            if child is not None:
                nodes(child, out, depth + 1)
    except Exception:  # a node that went away while walking
        return


def tree(pid):
    for app in pyatspi.Registry.getDesktop(0):
        try:
            if app is None or app.get_process_id() != pid:
                continue
        except Exception:
            continue
        out = []
        for window in app:
            if window is not None and window.getState().contains(pyatspi.STATE_SHOWING):
                nodes(window, out)
        if any(n["role"] in CONTROLS and n["box"] and n["box"][2] > 0 for n in out):
            return out
    return None


def main():
    found = tree(int(sys.argv[1]))
    if not found:
        sys.exit(f"no window of process {sys.argv[1]} shows a control yet")
    print(json.dumps(found))


main()
