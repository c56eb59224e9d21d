"""Every form that creates a record is sent once, and a clash with a unique rule is a message.

A creating form carries a hidden ``submission_key`` (``SubmissionKeyField``, a fresh UUID each time
the form is first shown; ``SubmittedOnce`` adds it). Its service is wrapped in ``submitted_once``:
inside the service's transaction the key is claimed for the person and school (a ``Submission``
row under a unique index) and the record made is written against it. The same form sent again —
a double click, a retry after a dropped connection — finds the claim and gets the first record
back, so the view redirects to it as if it had just been saved. Two sent at the same moment
serialise on PostgreSQL's unique index: the second insert waits for the first transaction, then
fails, and the second request reads the committed claim. The key counts only for the person and
school that sent it: another person's or another school's use of the same key is a new form.

``unique_or_invalid`` turns the unique violation of a race (two new pupils with one UPN at the same
moment) into a ``ValidationError`` on the field; ``submit`` is how a view calls a creating service
and puts any ``ValidationError`` onto its form.
"""

import functools
import uuid
from contextlib import contextmanager

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from semh.models import Submission

SENT_ALREADY = "This form was sent already and what it recorded has since been removed."


def claim(*, school, actor, key) -> tuple[Submission, bool]:
    """Claim ``key`` for ``actor`` in ``school`` inside the caller's transaction:
    ``(submission, True)`` when this is its first use, ``(earlier submission, False)`` when the
    form was sent already (waiting, on PostgreSQL, for a concurrent first use to commit)."""
    try:
        with transaction.atomic():
            return Submission.objects.create(school=school, actor=actor, key=key), True
    except IntegrityError:
        earlier = Submission.objects.filter(school=school, actor=actor, key=key).first()
        if earlier is None:
            raise
        return earlier, False


def made(submission, record) -> None:
    """Write the record the claimed form created against its claim."""
    submission.target_type = ContentType.objects.get_for_model(record)
    submission.target_id = str(record.pk)
    submission.save(update_fields=["target_type", "target_id"])


def made_earlier(submission):
    """The record an earlier sending of the form created; ``ValidationError`` if it is gone."""
    record = None
    if submission.target_type_id:
        model = submission.target_type.model_class()
        record = model._base_manager.filter(pk=submission.target_id).first()
    if record is None:
        raise ValidationError(SENT_ALREADY)
    return record


def submitted_once(service):
    """Make a creating service idempotent by the form's key: the wrapped service takes an extra
    keyword ``submission_key`` (None: no key, always create) and returns the record it made, or the
    record the first sending made."""

    @functools.wraps(service)
    def once(*, actor, school, submission_key=None, **kwargs):
        if submission_key is None:
            return service(actor=actor, school=school, **kwargs)
        with transaction.atomic():
            submission, first = claim(school=school, actor=actor, key=submission_key)
            if not first:
                return made_earlier(submission)
            record = service(actor=actor, school=school, **kwargs)
            made(submission, record)
            return record

    return once


def is_unique_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) is not None:  # psycopg
        return cause.sqlstate == "23505"
    return "UNIQUE constraint failed" in str(error)  # SQLite


@contextmanager
def unique_or_invalid(message: str, *, field: str = NON_FIELD_ERRORS):
    """Run the insert or update inside a savepoint; if it breaks a unique rule (someone else
    saved the same thing a moment before), raise ``ValidationError`` with ``message`` on ``field``
    instead of a server error. The caller's transaction stays usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ValidationError({field: [message]}) from error


class SubmissionKeyField(forms.UUIDField):
    """The hidden key of one sending of a form. A missing or mangled key is no key (the record is
    created without the double-submit guard), never an error nobody can see."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class SubmittedOnce:
    """Form mixin for a form that creates a record: adds the hidden ``submission_key`` and, once
    valid, holds it as ``form.submission_key`` (out of ``cleaned_data``, so the values passed to
    the service are the record's own). A model form editing a saved record gets no key."""

    submission_key = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None or instance._state.adding:
            self.fields["submission_key"] = SubmissionKeyField()

    def full_clean(self):
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            self.submission_key = self.cleaned_data.pop("submission_key", None)


def put_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: each message on its field when the form has it, the
    rest at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        known = field in form.fields
        form.add_error(field if known else None, errors)


def submit(form, service, /, **kwargs):
    """Call ``service`` for the valid ``form``, with the form's submission key if it has one; what
    the service returns (a creating service: the record made, or made by the first sending), or
    None with the service's refusal on the form."""
    key = getattr(form, "submission_key", None)
    if key is not None:
        kwargs["submission_key"] = key
    try:
        return service(**kwargs)
    except ValidationError as error:
        put_errors(form, error)
        return None
