"""A tiny DOM over ``html.parser``: enough to find labels, buttons, links and messages.

Why: the mock's unit tests read a page the way a person does (the label next to a field, the
button with a given text) without a browser; ``Page`` wraps a Flask test client's response.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.test import TestResponse

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}


@dataclass
class Element:
    """One HTML element: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the element's text with runs of whitespace collapsed to one space."""
        parts: list[str] = []

        def walk(node: Element | str) -> None:
            if isinstance(node, str):
                parts.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self) -> Iterator[Element]:
        """Yield this element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Return the elements with ``tag`` whose attributes equal ``attrs`` (``class_`` for
        class, matched as one of the element's classes)."""
        found = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            ok = True
            for name, value in attrs.items():
                name = name.rstrip("_").replace("_", "-")
                if name == "class":
                    ok = value in el.attrs.get("class", "").split()
                else:
                    ok = el.attrs.get(name) == value
                if not ok:
                    break
            if ok:
                found.append(el)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        """Return the one element matching (see find_all); fail the test if there are 0 or 2+."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'} {attrs}>, found {len(found)}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID_TAGS:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class Page:
    """A screen the console returned: its status, its HTML as elements, and shortcuts to the
    things a person reads on it."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        builder = _TreeBuilder()
        builder.feed(self.html)
        builder.close()
        self.root = builder.root

    @property
    def text(self) -> str:
        """Return all text of the body, whitespace collapsed."""
        return self.root.find("body").text

    @property
    def h1(self) -> str:
        """Return the text of the page's one <h1>."""
        return self.root.find("h1").text

    @property
    def alert(self) -> str | None:
        """Return the text of the role="alert" message, if any."""
        found = self.root.find_all(role="alert")
        assert len(found) <= 1, "more than one role=alert message"
        return found[0].text if found else None

    @property
    def status_message(self) -> str | None:
        """Return the text of the role="status" message, if any."""
        found = self.root.find_all(role="status")
        assert len(found) <= 1, "more than one role=status message"
        return found[0].text if found else None

    @property
    def buttons(self) -> list[str]:
        """Return the texts of the page's <button> elements, in order."""
        return [b.text for b in self.root.find_all("button")]

    @property
    def links(self) -> dict[str, str]:
        """Return each link's text mapped to its href."""
        return {a.text: a.attrs.get("href", "") for a in self.root.find_all("a")}

    @property
    def labels(self) -> dict[str, Element]:
        """Return each <label>'s text mapped to the control its ``for`` names."""
        found = {}
        for label in self.root.find_all("label"):
            target = label.attrs.get("for")
            assert target, f"label {label.text!r} has no for="
            found[label.text] = self.root.find(id=target)
        return found

    def button(self, text: str) -> Element:
        """Return the one <button> whose text is ``text``."""
        found = [b for b in self.root.find_all("button") if b.text == text]
        assert len(found) == 1, f"expected one button {text!r}; buttons: {self.buttons}"
        return found[0]

    def form_of(self, button_text: str) -> Element:
        """Return the <form> that holds the button ``button_text``."""
        target = self.button(button_text)
        for form in self.root.find_all("form"):
            if any(el is target for el in form.iter()):
                return form
        raise AssertionError(f"button {button_text!r} is not inside a form")

    def csrf_token(self, button_text: str | None = None) -> str:
        """Return the CSRF token of the form with ``button_text`` (default: the last form,
        which is the page's own; the sign-out form in the header comes first)."""
        form = self.form_of(button_text) if button_text else self.root.find_all("form")[-1]
        return form.find("input", name="csrf_token").attrs["value"]
