"""Reading built HTML pages in tests: a small element tree (the standard library's parser)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path


class Element:
    """A parsed HTML element: tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    found.append(child)
                found.extend(child.iter(tag))
        return found

    def by_id(self, ident: str) -> Element:
        matches = [e for e in self.iter() if e.attrs.get("id") == ident]
        assert len(matches) == 1, f"expected one element with id={ident!r}, found {len(matches)}"
        return matches[0]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


_VOID_ELEMENTS = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "col", "area"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def read_page(site: Path, relative: str) -> Element:
    return parse_html((site / relative).read_text(encoding="utf-8"))


def href_target(page: str, href: str) -> str:
    """The site-relative file a relative ``href`` on ``page`` points to (without fragment)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0]))


def element_ids(page: Element) -> set[str]:
    """The ``id`` of every element of ``page``: the anchors a link's fragment may name."""
    return {e.attrs["id"] for e in page.iter() if "id" in e.attrs}
