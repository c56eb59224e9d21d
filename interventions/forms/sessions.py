"""The register form (one row of tap targets per pupil) and the form cancelling a session."""

from django import forms

from incidents.selectors import recording_staff

from ..models import Attendance
from ..services.sessions import REGISTER_MARKS

ENGAGEMENT_CHOICES = [("", "Not rated")] + [(str(n), str(n)) for n in range(1, 6)]


class RegisterForm(forms.Form):
    """Every pupil on the register (``rows`` from ``selectors.register_rows``) starts as attended,
    so sending the form untouched saves everyone attended. Per pupil: ``att_<enrolment id>``,
    ``eng_<id>`` (1–5, only for a pupil who attended: ignored otherwise) and ``why_<id>``."""

    delivered_by = forms.ModelChoiceField(queryset=None, label="Delivered by")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, school, actor, rows, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        staff = recording_staff(school, first=actor)
        self.fields["delivered_by"].queryset = staff
        self.fields["delivered_by"].label_from_instance = lambda u: u.name
        self.fields["delivered_by"].initial = session.delivered_by_id if session else actor.pk
        if session is not None:
            self.fields["note"].initial = session.note
        for row in rows:
            key, mark = row["enrolment"].pk, row["mark"]
            taken = mark is not None and mark.attendance in REGISTER_MARKS
            self.fields[f"att_{key}"] = forms.ChoiceField(
                label=row["pupil"].full_name,
                choices=[(a.value, a.label) for a in REGISTER_MARKS],
                widget=forms.RadioSelect,
                required=False,
                initial=mark.attendance if taken else Attendance.ATTENDED,
            )
            self.fields[f"eng_{key}"] = forms.TypedChoiceField(
                label="Engagement",
                choices=ENGAGEMENT_CHOICES,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
                initial=str(mark.engagement) if taken and mark.engagement else "",
            )
            self.fields[f"why_{key}"] = forms.CharField(
                label="Reason (optional)",
                required=False,
                max_length=200,
                initial=mark.reason if taken else "",
            )

    def pupil_rows(self):
        """Each row of the register with its three bound fields, for the template."""
        for row in self.rows:
            key = row["enrolment"].pk
            yield {
                **row,
                "attendance": self[f"att_{key}"],
                "engagement": self[f"eng_{key}"],
                "reason": self[f"why_{key}"],
            }

    def clean(self):
        """Only the session's own values stay in ``cleaned_data`` (the marks: ``marks()``)."""
        data = super().clean()
        self.mark_data = {k: data.pop(k) for k in list(data) if k[:4] in ("att_", "eng_", "why_")}
        return data

    def marks(self) -> dict:
        """{enrolment id: (attendance, reason, engagement)} for ``record_session``: an
        untouched pupil attended; engagement only for a pupil who attended."""
        data, marks = self.mark_data, {}
        for row in self.rows:
            key = row["enrolment"].pk
            attendance = data.get(f"att_{key}") or Attendance.ATTENDED
            attended = attendance == Attendance.ATTENDED
            marks[key] = (
                attendance,
                "" if attended else data.get(f"why_{key}", ""),
                data.get(f"eng_{key}") if attended else None,
            )
        return marks


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label="Why did the session not run?",
        max_length=200,
        help_text="For example: school trip, staff absence, room needed for exams.",
        error_messages={"required": "Say why the session did not run."},
    )
