"""What a browser without JavaScript sends for a page's form: its controls, read from the
HTML as the browser would read them, and the submit button Enter presses (the first)."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class PageForm(HTMLParser):
    """The first <form method="post"> of a page whose class holds `css_class`."""

    def __init__(self, html: str, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.inside = self.done = False
        self.fields: list[tuple[str, str]] = []  # what the browser sends, buttons aside
        self.buttons: list[tuple[str, dict[str, str | None]]] = []  # submit buttons, in order
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.css_class in (a.get("class") or "").split():
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self.buttons.append((name or "", a))
            elif kind in ("radio", "checkbox"):
                if "checked" in a and name:
                    self.fields.append((name, a.get("value") or "on"))
            elif name:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self.buttons.append((name or "", a))
        elif tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "select":
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The parser drops the one line break that follows <textarea>.
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self.fields += [(self._select, v) for v in chosen[-1:]]
            self._select = None

    def button_names(self) -> list[str]:
        """The submit buttons' names, in the order of the page (the first is Enter's)."""
        return [name for name, _ in self.buttons]

    def submission(self, button: str | None = None, **changes: str) -> MultiDict:
        """What the form sends when `button` is pressed (None: Enter in a text field,
        which presses the first submit button), with the `changes` typed or chosen."""
        pressed = self.buttons[0] if button is None else self._button(button)
        data = MultiDict([(k, v) for k, v in self.fields if k not in changes])
        for key, value in changes.items():
            data.add(key, value)
        name, attrs = pressed
        if name:
            data.add(name, attrs.get("value") or "")
        return data

    def _button(self, name: str):
        for pressed in self.buttons:
            if pressed[0] == name:
                return pressed
        raise AssertionError(f"no submit button named {name!r} in the form")
