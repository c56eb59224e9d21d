"""The 'what helps me' handout: one A4 page an assistant hands to a supply teacher.

The same template serves the browser print view and the PDF. The handout shows the profile's
practical parts only: never the CP / CIN status, flags or the parent/carer view. The PDF is made
to fit one page: first with a smaller font, then, for an absurdly long profile, by cutting each
section short with a pointer to the pupil's record.
"""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from semh import pdf

STYLESHEET = "css/profile-print.css"
TEMPLATE = "pupils/profile/handout.html"
CONTINUED = "continued in the pupil's record"

# (context key, profile field, heading on the handout), in the order a supply teacher needs them.
SECTIONS = (
    ("strategies", "strategies_that_help", "Strategies that help me"),
    ("triggers", "triggers", "What can make things harder for me"),
    ("signs", "early_warning_signs", "How you can tell I'm struggling"),
    ("unhelpful", "what_does_not_help", "What does not help"),
    ("communication", "communication_preferences", "How to communicate with me"),
    ("voice", "pupil_voice", "In my own words"),
    ("strengths", "strengths_and_interests", "My strengths and interests"),
)

# Font steps: classes fit-0 … fit-4 of the stylesheet, 11pt down to 7.5pt. FIT_WEIGHTS: the weight
# (about the characters on the page) above which each next step is probably needed; measured on
# sample profiles, and only a first guess: the PDF is checked and the step moved up or down.
MAX_FIT = 4
FIT_WEIGHTS = (2700, 3000, 3700, 5000)
# Characters each section may keep. The first is always applied (nothing longer fits a page at any
# font); the smaller ones are tried in turn, at the smallest font, until the page fits. Strategies,
# the part that matters most, keep half as much again.
CLIP_BUDGETS = (1600, 1100, 800, 550, 350, 200)
STRATEGY_SHARE = 1.5
LINE_COST = 40  # a line break costs about as much room as this many characters


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    clipped: bool = False

    @property
    def is_list(self) -> bool:
        return len(self.lines) > 1

    @property
    def weight(self) -> int:
        return sum(len(line) + LINE_COST for line in self.lines)


@dataclass(frozen=True)
class HandoutPdf:
    content: bytes
    fit: int
    clipped: bool
    renders: int


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _clip(lines: list[str], budget: int) -> tuple[list[str], bool]:
    """The lines that fit ``budget`` characters; a long last line is cut at a word."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) + LINE_COST <= budget:
            kept.append(line)
            used += len(line) + LINE_COST
            continue
        room = budget - used - LINE_COST
        if room > 40:
            kept.append(line[:room].rsplit(" ", 1)[0].rstrip(" ,;:.") + " …")
        return kept, True
    return kept, False


def handout_sections(profile, budget: int = CLIP_BUDGETS[0]) -> dict[str, Section]:
    """The handout's sections from the profile, each cut to ``budget`` characters."""
    sections = {}
    for key, field_name, title in SECTIONS:
        lines = _lines(getattr(profile, field_name)) if profile is not None else []
        share = int(budget * STRATEGY_SHARE) if key == "strategies" else budget
        lines, clipped = _clip(lines, share)
        sections[key] = Section(title=title, lines=lines, clipped=clipped)
    return sections


def estimate_fit(sections: dict[str, Section]) -> int:
    """The font step these sections probably need to fit one page."""
    weight = sum(section.weight for section in sections.values())
    return sum(weight > limit for limit in FIT_WEIGHTS)


def handout_context(*, pupil, profile, school, printed_by) -> dict:
    """What the handout template needs; the font step is estimated (the PDF then checks it)."""
    sections = handout_sections(profile)
    return {
        "pupil": pupil,
        "profile": profile,
        "school": school,
        "printed_by": printed_by,
        "printed_at": timezone.localtime(),
        "sections": sections,
        "fit": estimate_fit(sections),
        "continued": CONTINUED,
    }


def _render(context: dict):
    # Through the one PDF helper: nothing a profile's text might smuggle in is fetched.
    html = render_to_string(TEMPLATE, {**context, "for_pdf": True})
    document, _warnings = pdf.render_document(html, stylesheets=[STYLESHEET])
    return document


def render_handout_pdf(*, pupil, profile, school, printed_by) -> HandoutPdf:
    """The handout as a one-page A4 PDF, in the largest font step that fits one page."""
    base = handout_context(pupil=pupil, profile=profile, school=school, printed_by=printed_by)
    renders = 0

    def attempt(fit, budget):
        nonlocal renders
        renders += 1
        sections = handout_sections(profile, budget)
        document = _render({**base, "fit": fit, "sections": sections})
        return document if len(document.pages) == 1 else None

    fit, budget = base["fit"], CLIP_BUDGETS[0]
    document = attempt(fit, budget)
    if document is not None:  # the estimate fits: would a larger font fit too?
        while fit > 0 and (larger := attempt(fit - 1, budget)) is not None:
            fit, document = fit - 1, larger
    while document is None and fit < MAX_FIT:
        fit += 1
        document = attempt(fit, budget)
    for budget in CLIP_BUDGETS[1:] if document is None else ():
        if (document := attempt(fit, budget)) is not None:
            break
    if document is None:  # not seen with the budgets above; never hand out a second page
        sections = handout_sections(profile, budget)
        document = _render({**base, "fit": fit, "sections": sections})
        document = document.copy(document.pages[:1])
    return HandoutPdf(
        content=pdf.write_pdf(document).pdf,
        fit=fit,
        clipped=any(section.clipped for section in handout_sections(profile, budget).values()),
        renders=renders,
    )
