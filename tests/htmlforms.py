"""The forms a rendered page offers, read the way a browser reads them.

A sweep posts what the page itself would post (names, hidden values such as a submission key,
the options of each choice), so a field added to a form is covered without anyone listing it.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # an input's type ("text", "date", "checkbox" …), "select", "textarea", "button"
    values: list = field(default_factory=list)  # what the page sends as it stands
    options: list = field(default_factory=list)  # the values a select, radios or boxes offer
    multiple: bool = False  # several values may be sent (multi-select, group of boxes)
    required: bool = False


@dataclass
class Form:
    action: str  # the path it posts to ("" = the page itself)
    fields: dict = field(default_factory=dict)  # name -> Field


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._hx_posts = []  # an hx-post inside a form posts that form's fields elsewhere
        self._select = None
        self._option = None
        self._textarea = None

    def _field(self, name, kind, **flags):
        if name not in self._form.fields:
            self._form.fields[name] = Field(name=name, kind=kind, **flags)
        return self._form.fields[name]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(action=a.get("action") or "")
                self._hx_posts = []
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        if a.get("hx-post"):
            self._hx_posts.append(a["hx-post"])
        if tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        name = a.get("name")
        if not name:
            return
        if tag == "button" and (a.get("type") or "submit") == "submit":
            # A named button sends its value when it is the one pressed (check-in's zones).
            self._field(name, "button").options.append(a.get("value", ""))
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            f = self._field(name, kind, required="required" in a)
            if kind in ("checkbox", "radio"):
                value = a.get("value", "on")
                f.options.append(value)
                f.multiple = kind == "checkbox" and len(f.options) > 1
                if "checked" in a:
                    f.values.append(value)
            else:
                f.values = [a.get("value", "")]
        elif tag == "select":
            self._select = self._field(
                name, "select", multiple="multiple" in a, required="required" in a
            )
        elif tag == "textarea":
            self._textarea = self._field(name, "textarea", required="required" in a)
            self._textarea.values = [""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[0] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            for action in self._hx_posts:
                self.forms.append(Form(action=action, fields=dict(self._form.fields)))
            self._form = None
        elif tag == "option" and self._option is not None:
            option, self._option = self._option, None
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select.options.append(value)
            if option["selected"]:
                self._select.values.append(value)
        elif tag == "select" and self._select is not None:
            if not self._select.multiple and not self._select.values:
                self._select.values = self._select.options[:1]  # as a browser sends it
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.values[0] = self._textarea.values[0].removeprefix("\n")
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def post_forms(html: str) -> list[Form]:
    """Every ``<form method="post">`` of the page, plus one per ``hx-post`` inside a form."""
    reader = _Reader()
    reader.feed(html)
    return reader.forms
