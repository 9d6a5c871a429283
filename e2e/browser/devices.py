"""Browser contexts per device: the desktop the article was written on, phones, scale factors.

The article warns that "the web page may be rendered differently on different OS or devices", so
every device here runs the whole procedure. Phones use Playwright's descriptors, run in Chromium.
"""

from __future__ import annotations

from typing import Any

from e2e.errors import HarnessError

DESKTOP = "Desktop"
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}

# Devices of our own: name -> context options. Playwright's descriptors are available too.
CUSTOM_DEVICES: dict[str, dict[str, Any]] = {
    DESKTOP: {"viewport": DESKTOP_VIEWPORT, "device_scale_factor": 1},
    "Desktop HiDPI 2x": {"viewport": DESKTOP_VIEWPORT, "device_scale_factor": 2},
    "Desktop HiDPI 3x": {"viewport": DESKTOP_VIEWPORT, "device_scale_factor": 3},
    "Desktop Dark": {"viewport": DESKTOP_VIEWPORT, "device_scale_factor": 1,
                     "color_scheme": "dark"},
}
PHONES = ("Pixel 7", "iPhone 14")
MATRIX = (DESKTOP, "Desktop HiDPI 2x", "Desktop HiDPI 3x", "Desktop Dark", *PHONES)


class UnknownDevice(HarnessError, ValueError):
    """A device name that is neither ours nor one of Playwright's descriptors."""


def context_options(playwright_devices: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """Return ``Browser.new_context`` options for device ``name`` (run in Chromium)."""
    if name in CUSTOM_DEVICES:
        return dict(CUSTOM_DEVICES[name])
    if name not in playwright_devices:
        close = [d for d in playwright_devices if name.lower() in d.lower()][:8]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownDevice(
            f"unknown device {name!r}. Use one of {', '.join(MATRIX)} or any Playwright device "
            f"descriptor name.{hint}"
        )
    options = dict(playwright_devices[name])
    options.pop("default_browser_type", None)  # every device runs in Chromium here
    return options
