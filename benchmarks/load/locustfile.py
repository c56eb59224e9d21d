"""Staff at work, for the load run (``benchmarks/load_run.py`` starts it; see there).

Each simulated person signs in through the login form as the staff member the plan gives them
(``LOAD_PLAN``, JSON written by the load run), then logs incidents with the real form, checks
their own pupils in and out of a Reset Area room (one place each, never more than a room holds),
takes intervention registers and opens pupil pages. Whatever the app says it saved (the
incident's id from the redirect, the visit's id from the board, a register sent back to the home
page) is written as one JSON line to ``LOAD_RECORDS`` so the
load run can check the database holds exactly that afterwards.

Plain HTTP on loopback stands in for the TLS proxy: the app's cookies are marked secure, so each
request carries them in its own Cookie header (requests would hold them back on plain HTTP), and
redirects are followed by hand for the same reason.
"""

# ruff: noqa: S311 - the random choices make up a workload, never a secret

import html
import itertools
import json
import os
import random
import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
LONDON = ZoneInfo("Europe/London")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INCIDENT_URL = re.compile(r"/incidents/([0-9a-f-]{36})/$")
ATTENDANCE_FIELD = re.compile(r'name="(att_[0-9a-f-]+)"')
slots = itertools.count()
records_lock = threading.Lock()
records = open(os.environ["LOAD_RECORDS"], "a")  # noqa: SIM115


def record(kind, **values):
    with records_lock:
        records.write(json.dumps({"kind": kind, **values}) + "\n")
        records.flush()


@events.quitting.add_listener
def close_records(environment, **kwargs):
    records.close()


def local_now():
    return datetime.now(LONDON)


class Staff(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.me = PLAN["people"][next(slots) % len(PLAN["people"])]
        self.school = PLAN["schools"][self.me["school"]]
        self.prefix = f"/s/{self.school['slug']}"
        self.visit = None  # (visit id, pupil) while one of my pupils is in the Reset Area
        self.registers = list(self.me["registers"])
        token = self.csrf_from("/accounts/login/", name="login form")
        with self.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "login": self.me["email"],
                "password": PLAN["password"],
            },
            name="sign in",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused for {self.me['email']}")

    def on_stop(self):
        if self.visit:
            self.check_out()

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.cookies(), allow_redirects=False, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self.cookies(), allow_redirects=False, **kwargs)

    def cookies(self):
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)}

    def csrf_from(self, url, *, name):
        with self.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: HTTP {response.status_code}")
        match = CSRF.search(response.text)
        return match.group(1) if match else ""

    @task(3)
    def log_incident(self):
        v = self.school["vocabulary"]
        token = self.csrf_from(f"{self.prefix}/incidents/new/", name="incident form")
        pupil = random.choice(self.me["pupils"])
        data = {
            "csrfmiddlewaretoken": token,
            "submission_key": os.urandom(16).hex(),
            "primary_pupil": pupil["id"],
            "occurred_at": f"{local_now():%Y-%m-%dT%H:%M}",
            "location": random.choice(v["location"]),
            "category": random.choice(v["category"]),
            "severity": str(random.randint(1, 4)),
            "trigger": random.choice(v["trigger"]),
            "antecedent": "Asked to start the written task",
            "behaviour": f"Load run {os.urandom(6).hex()}: pushed a chair over and left the room.",
            "outcome": "returned",
            "strategies": random.sample(v["strategy"], 2),
            "staff_involved": [self.me["id"]],
            "parents_informed": "yes",
            "parents_informed_detail": "Dad, by phone at 15:20",
        }
        with self.post(
            f"{self.prefix}/incidents/new/",
            data=data,
            name="log an incident",
            catch_response=True,
        ) as response:
            saved = INCIDENT_URL.search(response.headers.get("Location", ""))
            if response.status_code != 302 or not saved:
                response.failure(f"incident not saved (HTTP {response.status_code})")
                return
        record(
            "incident",
            id=saved.group(1),
            pupil=pupil["id"],
            reporter=self.me["id"],
            severity=int(data["severity"]),
            behaviour=data["behaviour"],
        )

    @task(3)
    def reset_area(self):
        if not self.me["room"]:  # every place in the school's rooms has someone on it
            self.open_pupil_page()
        elif self.visit:
            self.check_out()
        else:
            self.check_in()

    def check_in(self):
        room, pupil = self.me["room"], random.choice(self.me["pupils"])
        url = f"{self.prefix}/reset-area/rooms/{room}/check-in/"
        token = self.csrf_from(f"{url}?pupil={pupil['id']}", name="check-in form")
        zone = random.choice(["blue", "green", "yellow", "red"])
        data = {"csrfmiddlewaretoken": token, "pupil": pupil["id"], "reason": "self"}
        with self.post(
            url, data={**data, "zone_on_arrival": zone}, name="check in", catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"check-in not saved (HTTP {response.status_code})")
                return
        # On the board, my pupil's "Check out" button carries the visit's id.
        with self.get(response.headers["Location"], name="board", catch_response=True) as board:
            label = re.escape(f'aria-label="Check out {html.escape(pupil["name"])}"')
            found = re.search(r'visits/([0-9a-f-]{36})/check-out/" ' + label, board.text)
            if not found:
                board.failure(f"checked-in pupil not on the board (HTTP {board.status_code})")
                return
        self.visit = (found.group(1), pupil)
        record("check-in", id=found.group(1), pupil=pupil["id"], room=room, zone=zone)

    def check_out(self):
        visit_id, pupil = self.visit
        url = f"{self.prefix}/reset-area/visits/{visit_id}/check-out/"
        token = self.csrf_from(url, name="check-out form")
        data = {
            "csrfmiddlewaretoken": token,
            "left_time": f"{local_now():%H:%M}",
            "zone_on_leaving": "green",
            "outcome": "returned",
            "free_to_leave": "yes",
        }
        with self.post(url, data=data, name="check out", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"check-out not saved (HTTP {response.status_code})")
                return
        self.visit = None
        record("check-out", id=visit_id, outcome="returned", zone="green")

    @task(1)
    def take_register(self):
        if not self.registers:
            return self.open_pupil_page()
        group, day, taken = self.registers.pop()
        url = f"{self.prefix}/interventions/groups/{group}/register/?day={day}"
        page = self.get(url, name="intervention register")
        token = CSRF.search(page.text)
        fields = ATTENDANCE_FIELD.findall(page.text)
        marks = {name[4:]: random.choice(["attended", "attended", "absent"]) for name in fields}
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "delivered_by": self.me["id"],
        }
        data.update({f"att_{key}": mark for key, mark in marks.items()})
        data.update({f"why_{key}": "Unwell" for key, mark in marks.items() if mark == "absent"})
        with self.post(url, data=data, name="save register", catch_response=True) as response:
            # Only a saved register goes back to the school's home page.
            if response.headers.get("Location") != f"{self.prefix}/":
                response.failure(f"register not saved (HTTP {response.status_code})")
                return
        record("register", group=group, day=day, taken=taken, marks=marks)

    @task(3)
    def open_pupil_page(self):
        pupil = random.choice(self.me["readable"])
        with self.get(
            f"{self.prefix}/pupils/{pupil}/", name="pupil page", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"pupil page: HTTP {r.status_code}")
