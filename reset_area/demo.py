"""Demo Reset Area for ``seed_demo``: rooms, a school day, planned sessions and a term of visits.

Synthetic and deterministic for a given ``rng`` and day. Patterns a SENCo would recognise: Monday
first thing and Friday afternoon are busy, so is the period after lunch; a few pupils come often,
most of them less and less as the term goes on (reintegration working), one more and more.
Idempotent: a school that already has Reset Area placements is left as it is.

Everything is written through the Reset Area's own services, as the staff named in ``staff``
(the SENCo sets up, the assistant checks pupils in and out), backdated with their ``at``: the
rules, the derived minutes and the audit rows are the real ones. The two seclusions are the
incidents app's restrictive-intervention records, written by its services (the record through
check-out, the follow-up as the SENCo and each member of staff involved).
"""

import math
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Vocabulary, VocabularyKind
from incidents.services.restrictive import record_debrief, record_parent_report, save_statement
from incidents.vocabulary import ensure_school_vocabulary
from pupils.models import PrimaryNeed, SenStatus
from semh.access import Role
from semh.calendar import school_days
from semh.models import Period, School, Term, User

from .models import MissingPupil, PlannedPlacement, Reason, Resolution, Room, VisitOutcome, Zone
from .selectors import duty_staff_ids
from .services.missing import flag_missing_pupils, resolve_missing
from .services.placements import add_placement
from .services.rooms import create_room, set_duty, set_up_typical_school_day
from .services.visits import CheckInRefused, check_in, check_out

ROOMS = {
    School.Phase.PRIMARY: [("The Nest", 6), ("Calm Corner", 3)],
    "default": [("The Hub", 8), ("Reset Room", 4)],
}
PURPOSES = [
    "Soft start and regulation",
    "Zones of Regulation check-in",
    "Regulation session",
    "End-of-day reflection",
    "Calm start after lunch",
]
# How likely an unplanned visit is to start in each period (by name), and on each weekday.
PERIOD_WEIGHT = {"P1": 3.0, "P2": 1.5, "Break": 0.6, "P3": 1.4, "Lunch": 0.8, "P4": 2.6, "P5": 2.2}
WEEKDAY_WEIGHT = [1.5, 1.0, 0.9, 1.0, 1.35]
OUTCOME_NOTES = ["Went to the library to finish work", "Met with the SENCo", "Phoned home"]
SECLUSION = {
    "what_happened_before": "Ran from the classroom and tried to leave the site.",
    "deescalation_tried": "Calm voice, offered choices, space, change of face.",
    "necessity": ["injury_self"],
    "necessity_detail": "Heading for the main road through the car park gate.",
    "pupil_injured": False,
    "staff_injured": False,
    "support_offered": "Debrief with the pupil and their key adult the next morning.",
}


def _term_window(school, today):
    """Start of the current (or latest) term to yesterday; ten weeks back when no terms."""
    terms = list(Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on"))
    if not terms:
        return today - timedelta(weeks=10), today - timedelta(days=1), today + timedelta(weeks=4)
    term = terms[0]
    return term.starts_on, min(term.ends_on, today - timedelta(days=1)), term.ends_on


def _at(day, clock):
    return timezone.make_aware(datetime.combine(day, clock))


def seed_reset_area(*, school, pupils, staff, rng):
    """Rooms, periods, placements and a term of realistic visits for one demo school."""
    with scopes_disabled(), transaction.atomic():
        senco = staff.get(Role.SENCO) or next(iter(staff.values()))
        set_up_typical_school_day(actor=senco, school=school)
        ensure_school_vocabulary(school)
        rooms = [
            Room.objects.filter(school=school, name=name).first()
            or create_room(actor=senco, school=school, name=name, capacity=capacity)
            for name, capacity in ROOMS.get(school.phase, ROOMS["default"])
        ]
        today = timezone.localdate()
        assistant = staff.get(Role.ASSISTANT)
        on_duty = duty_staff_ids(rooms[0], today)
        if assistant and assistant.pk not in on_duty:
            staff_on_duty = [*User.objects.filter(pk__in=on_duty), assistant]
            set_duty(actor=senco, school=school, room=rooms[0], day=today, staff=staff_on_duty)
        if PlannedPlacement.objects.filter(room__school=school).exists():
            return
        _DemoTerm(school, pupils, staff, rng, rooms, today).seed()


class _DemoTerm:
    def __init__(self, school, pupils, staff, rng, rooms, today):
        self.school, self.staff, self.rng, self.rooms, self.today = school, staff, rng, rooms, today
        self.first, self.last, self.term_end = _term_window(school, today)
        self.periods = list(Period.objects.filter(school=school))
        self.by_weekday = {d: [p for p in self.periods if p.weekday == d] for d in range(5)}
        self.strategies = list(
            Vocabulary.objects.filter(school=school, kind=VocabularyKind.STRATEGY, is_active=True)
        )
        sen = [p for p in pupils if p.sen_status != SenStatus.NONE]
        sen.sort(key=lambda p: (p.primary_need != PrimaryNeed.SEMH, str(p.upn)))
        self.planned_pupils = sen[:6]
        self.frequent = sen[:14]
        # Weekly rate of unplanned visits and its change over the term, per frequent pupil.
        self.rates = {
            p.pk: (rng.uniform(0.6, 2.2), rng.choice([-0.9, -0.7, -0.6, -0.5, 0.0, 0.0, 0.8]))
            for p in self.frequent
        }
        self.recorder = staff.get(Role.ASSISTANT) or next(iter(staff.values()))
        self.senco = staff.get(Role.SENCO) or self.recorder
        roles = (Role.TEACHER, Role.SENCO, Role.ASSISTANT)
        self.referrers = [staff[r] for r in roles if r in staff]
        # Visits and missed sessions as planned here, then written through the services.
        self.visits, self.missed, self.busy = [], [], {}

    # -- building blocks ------------------------------------------------------------------

    def _free(self, pupil, start, end):
        spans = self.busy.setdefault(pupil.pk, [])
        if any(s < end and start < e for s, e in spans):
            return False
        spans.append((start, end))
        return True

    def _visit(self, *, pupil, room, arrived, left, reason, placement=None):
        rng = self.rng
        if reason == Reason.PLANNED:
            zone_in = rng.choices([Zone.GREEN, Zone.YELLOW, Zone.BLUE], [5, 3, 2])[0]
        elif reason == Reason.SELF_REFERRAL:
            zone_in = rng.choices([Zone.YELLOW, Zone.BLUE, Zone.RED], [5, 3, 2])[0]
        else:
            zone_in = rng.choices([Zone.RED, Zone.YELLOW, Zone.BLUE], [4, 5, 1])[0]
        visit = {
            "pupil": pupil,
            "room": room,
            "placement": placement,
            "arrived": arrived,
            "left": left,
            "reason": reason,
            "referred_by": rng.choice(self.referrers) if reason == Reason.REFERRED else None,
            "zone_on_arrival": zone_in,
        }
        if left is not None:
            outcome = rng.choices(
                [VisitOutcome.RETURNED, VisitOutcome.STAYED, VisitOutcome.WENT_HOME, "other"],
                [75, 9, 3, 13],
            )[0]
            visit["zone_on_leaving"] = rng.choices([Zone.GREEN, Zone.YELLOW, Zone.BLUE], [7, 2, 1])[
                0
            ]
            visit["outcome"] = outcome
            visit["outcome_note"] = rng.choice(OUTCOME_NOTES) if outcome == "other" else ""
        self.visits.append(visit)
        return visit

    # -- the term -------------------------------------------------------------------------

    def seed(self):
        placements = self._placements()
        for day in school_days(self.school, self.first, self.last):
            self._planned_day(day, placements)
            self._unplanned_day(day)
        self._today(placements)
        self._stale_open_visit()
        secluded = self._seclusions()
        self._write_visits(secluded)
        self._write_missed()
        self._seclusion_follow_up([v["record"] for v in secluded if "record" in v])
        flag_missing_pupils(school=self.school)  # today's, as the beat task would by now

    def _placements(self):
        learning = [p for p in self.periods if p.is_learning]
        slots = [("P1", 0), ("P1", 2), ("P4", 1), ("P2", 3), ("P5", 4), ("P1", 4), ("P4", 3)]
        placements = []
        for index, pupil in enumerate(self.planned_pupils):
            for name, weekday in slots[index % 3 :: 3][:2] or slots[:1]:
                period = next(
                    (p for p in learning if p.name == name and p.weekday == weekday), None
                )
                if period is None:
                    continue
                placements.append(
                    add_placement(
                        actor=self.senco,
                        school=self.school,
                        room=self.rooms[0] if index % 4 else self.rooms[-1],
                        pupil=pupil,
                        period=period,
                        starts_on=self.first,
                        ends_on=self.term_end,
                        purpose=PURPOSES[index % len(PURPOSES)],
                        at=_at(self.first, period.starts_at) - timedelta(days=3),
                    )
                )
        return placements

    def _planned_day(self, day, placements):
        for p in placements:
            if p.period.weekday != day.weekday():
                continue
            start, end = _at(day, p.period.starts_at), _at(day, p.period.ends_at)
            weeks_in = (day - self.first).days / 7
            if self.rng.random() < 0.88 - 0.01 * weeks_in:
                arrived = start + timedelta(minutes=self.rng.randint(0, 6))
                left = end - timedelta(minutes=self.rng.randint(0, 8))
                if self._free(p.pupil, arrived, left):
                    self._visit(
                        pupil=p.pupil,
                        room=p.room,
                        arrived=arrived,
                        left=left,
                        reason=Reason.PLANNED,
                        placement=p,
                    )
                continue
            resolution = self.rng.choices([Resolution.ABSENT, Resolution.CANCELLED], [7, 3])[0]
            self.missed.append(
                {
                    "placement": p,
                    "day": day,
                    "resolution": resolution,
                    "after": timedelta(minutes=self.rng.randint(2, 20)),
                    "note": "Parent rang in: unwell" if resolution == Resolution.ABSENT else "",
                }
            )

    def _unplanned_day(self, day, until=None):
        rng = self.rng
        periods = self.by_weekday.get(day.weekday(), [])
        if not periods:
            return
        weeks_total = max(1, (self.last - self.first).days / 7)
        progress = (day - self.first).days / 7 / weeks_total
        for pupil in self.frequent:
            rate, change = self.rates[pupil.pk]
            daily = rate / 5 * WEEKDAY_WEIGHT[day.weekday()] * max(0.1, 1 + change * progress)
            if rng.random() >= min(0.9, daily):
                continue
            period = rng.choices(periods, [PERIOD_WEIGHT.get(p.name, 1.0) for p in periods])[0]
            span = (
                datetime.combine(day, period.ends_at) - datetime.combine(day, period.starts_at)
            ).seconds // 60
            arrived = _at(day, period.starts_at) + timedelta(minutes=rng.randint(0, span - 1))
            stay = int(min(75, max(4, math.exp(rng.gauss(math.log(19), 0.55)))))
            left = arrived + timedelta(minutes=stay)
            if until is not None and arrived >= until:
                continue
            if until is not None and left > until:
                left = None  # still in now
            if not self._free(pupil, arrived, left or until):
                continue
            self._visit(
                pupil=pupil,
                room=self.rooms[0] if rng.random() < 0.85 else self.rooms[-1],
                arrived=arrived,
                left=left,
                reason=rng.choices([Reason.REFERRED, Reason.SELF_REFERRAL], [6, 4])[0],
            )

    def _today(self, placements):
        """Today so far, if it is a school day in term: some in now, one planned pupil missing."""
        now = timezone.now()
        periods = self.by_weekday.get(self.today.weekday(), [])
        in_term = self.last >= self.today - timedelta(days=1)
        if not periods or not in_term or now < _at(self.today, periods[0].starts_at):
            return
        if now >= _at(self.today, periods[-1].ends_at):
            return
        todays = [pl for pl in placements if pl.period.weekday == self.today.weekday()]
        for index, p in enumerate(todays):
            start = _at(self.today, p.period.starts_at)
            if now < start + timedelta(minutes=2) or index == 0:
                continue  # the first one stays missing (flagged at the end of seeding)
            arrived = start + timedelta(minutes=2)
            left = _at(self.today, p.period.ends_at)
            left = None if left > now else left
            if self._free(p.pupil, arrived, left or now):
                self._visit(
                    pupil=p.pupil,
                    room=p.room,
                    arrived=arrived,
                    left=left,
                    reason=Reason.PLANNED,
                    placement=p,
                )
        self._unplanned_day(self.today, until=now)

    def _stale_open_visit(self):
        """One visit left open at the end of the last school day, waiting to be corrected."""
        day = self.last
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        open_pupils = {v["pupil"].pk for v in self.visits if v["left"] is None}
        candidates = [p for p in self.frequent[6:] if p.pk not in open_pupils]
        if not candidates or day < self.first:
            return
        pupil = candidates[0]
        arrived = _at(day, time(14, 20))
        if self._free(pupil, arrived, arrived + timedelta(hours=12)):
            self._visit(
                pupil=pupil, room=self.rooms[0], arrived=arrived, left=None, reason=Reason.REFERRED
            )

    def _seclusions(self):
        """Two closed unplanned visits become seclusions: an older one followed up, a recent
        one still outstanding."""
        closed = [
            v
            for v in self.visits
            if v["left"]
            and v["reason"] != Reason.PLANNED
            and v["left"] - v["arrived"] >= timedelta(minutes=15)
        ]
        if len(closed) < 4:
            return []
        chosen = [closed[len(closed) // 3], closed[-3]]
        holders = [u for u in (self.recorder, self.staff.get(Role.TEACHER)) if u]
        for visit in chosen:
            # Written by the incidents app's one service through check-out; the room is the place.
            visit["seclusion"] = {
                **SECLUSION,
                "started_at": visit["arrived"] + timedelta(minutes=3),
                "ended_at": visit["arrived"] + timedelta(minutes=11),
                "staff_involved": holders,
            }
        return chosen

    # -- writing it through the services --------------------------------------------------

    def _write_visits(self, secluded):
        """Closed visits first, in the order they happened (each checked in and out), then the
        ones still open, so no pupil is ever in two places at once."""
        closed = sorted((v for v in self.visits if v["left"]), key=lambda v: v["arrived"])
        still_in = sorted((v for v in self.visits if not v["left"]), key=lambda v: v["arrived"])
        for v in closed + still_in:
            try:
                visit = check_in(
                    actor=self.recorder,
                    school=self.school,
                    room=v["room"],
                    pupil=v["pupil"],
                    reason=v["reason"],
                    zone_on_arrival=v["zone_on_arrival"],
                    referred_by=v["referred_by"],
                    placement=v["placement"],
                    at=v["arrived"],
                )
            except CheckInRefused:
                continue  # the room was full then: this visit did not happen
            if v["left"] is None:
                continue
            strategies = (
                self.rng.sample(self.strategies, self.rng.randint(1, 3)) if self.strategies else []
            )
            visit = check_out(
                actor=self.recorder,
                school=self.school,
                visit=visit,
                left_at=v["left"],
                zone_on_leaving=v["zone_on_leaving"],
                outcome=v["outcome"],
                outcome_note=v["outcome_note"],
                strategies=strategies,
                free_to_leave="seclusion" not in v,
                seclusion=v.get("seclusion"),
                at=v["left"],
            )
            if visit.restrictive_intervention_id:
                v["record"] = visit.restrictive_intervention

    def _write_missed(self):
        """Each missed session is flagged when the board would have noticed it, then resolved by
        the assistant a few minutes later."""
        after = timedelta(minutes=settings.SEMH_RESET_MISSING_AFTER_MINUTES)
        for m in sorted(self.missed, key=lambda m: (m["day"], m["placement"].period.starts_at)):
            noticed = _at(m["day"], m["placement"].period.starts_at) + after
            flag_missing_pupils(school=self.school, at=noticed)
            flag = MissingPupil.objects.filter(placement=m["placement"], day=m["day"]).first()
            if flag is None:
                continue
            resolve_missing(
                actor=self.recorder,
                school=self.school,
                missing=flag,
                resolution=m["resolution"],
                note=m["note"],
                at=noticed + m["after"],
            )

    def _seclusion_follow_up(self, records):
        """The older seclusion's follow-up is complete, written through the incidents app's
        follow-up services (the same as for a restraint)."""
        if not records:
            return
        done, senco = records[0], self.staff.get(Role.SENCO) or self.recorder
        record_parent_report(
            actor=senco,
            school=self.school,
            intervention=done,
            reported_at=done.ended_at + timedelta(hours=3),
            method="Phone call",
            reported_by=senco,
            what_was_said="Explained what happened and why; agreed to review the plan.",
        )
        record_debrief(
            actor=senco,
            school=self.school,
            intervention=done,
            pupil_debrief_at=min(done.ended_at + timedelta(days=1), timezone.now()),
            pupil_debrief_notes="Talked it through with their key adult.",
        )
        for user in done.staff_involved.all():
            save_statement(actor=user, school=self.school, intervention=done, text="My account.")
