"""What a security reviewer does with a run's artifacts: look for anything that helps sign in.

``find_leaks(folder, secrets)`` opens every file under ``folder`` (and every file inside a zip,
such as a Playwright trace): every image, and every image embedded in HTML, Markdown or JSON as a
data URI, goes through zbar; every text is searched for each secret in every spelling the
harness's redaction knows (grouped, cased, URL-encoded). It returns one line per finding.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from e2e.evidence.redaction import spellings
from e2e.qr import zbar_decode_all

DATA_URI = re.compile(rb"data:image/(?:png|jpeg|webp);base64,([A-Za-z0-9+/=]+)")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def find_leaks(folder: Path, secrets: Iterable[str]) -> list[str]:
    """Every readable QR code and every secret found in the files under ``folder``."""
    forms = sorted({form for secret in secrets if secret for form in spellings(secret)},
                   key=len, reverse=True)
    found: list[str] = []
    for name, data in _files(folder):
        found += [f"{name}: a readable QR code" for _ in _qr_codes(name, data)]
        text = data.decode("utf-8", "replace")
        found += [f"{name}: contains {form[:4]}… (a secret)" for form in forms if form in text]
    return found


def _files(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield str(path.relative_to(folder)), data
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f"{path.name}!{member}", archive.read(member)


def _qr_codes(name: str, data: bytes) -> Iterator[None]:
    images = [data] if name.lower().endswith(IMAGE_SUFFIXES) else []
    images += [base64.b64decode(blob) for blob in DATA_URI.findall(data)]
    for blob in images:
        try:
            gray = Image.open(io.BytesIO(blob)).convert("L")
        except (UnidentifiedImageError, OSError):
            continue
        yield from (None for _ in zbar_decode_all(gray))


def assert_second_factor_masked(steps: Iterable[Any], folder: Path) -> None:
    """The QR code and key at 2.5 and the Recovery Code at 2.7 were painted out, and no picture
    in ``folder`` holds a readable QR code (whatever the device, scale or language)."""
    masked = {step.id: {region["what"] for region in step.masked} for step in steps}
    assert {"QR code", "key"} <= masked.get("2.5", set()), masked
    assert "Recovery Code" in masked.get("2.7", set()), masked
    assert find_leaks(folder, []) == []
