"""The shape every app keeps (DESIGN.md §1 and §5), read from the source: one layout, writes only
in services, services that never take a request or a form, audit actions only from the enum."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["pupils", "incidents", "reset_area", "interventions", "staff"]
WRITES = {"save", "delete", "create", "bulk_create", "get_or_create", "update_or_create"}
ORM_ONLY_WRITES = {"bulk_create", "get_or_create", "update_or_create"}
# Writes the system makes on its own, with no person acting (each audits or needs no audit): the
# missing-pupil check, run every minute by the beat task (reset_area.tasks), never by a page.
SYSTEM_WRITES = {"flag_missing_pupils"}


def modules(*folders):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def calls(path):
    return [node for node in ast.walk(tree(path)) if isinstance(node, ast.Call)]


def attribute_name(call):
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_the_same_layout(app):
    folder = ROOT / app
    for module in ("models.py", "selectors.py", "urls.py"):
        assert (folder / module).is_file() or app == "staff" and module == "models.py", module
    for package in ("services", "forms", "views"):
        assert (folder / package / "__init__.py").is_file(), package
    assert not list(folder.glob("forms_*.py")) and not list(folder.glob("services_*.py"))
    assert not (folder / "urls").exists()
    services = {p.stem for p in (folder / "services").glob("*.py")} - {"__init__"}
    views = {p.stem for p in (folder / "views").glob("*.py")} - {"__init__"}
    assert services, "an app's writes live in services/<feature>.py"
    assert views, "an app's pages live in views/<feature>.py"


@pytest.mark.parametrize("app", APPS)
def test_views_and_forms_write_nothing_themselves(app):
    offenders = []
    for path in modules(f"{app}/views", f"{app}/forms"):
        for call in calls(path):
            name = attribute_name(call)
            commit_false = any(
                k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in call.keywords
            )
            if name in WRITES and not commit_false:
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno} .{name}()")
    assert offenders == []


@pytest.mark.parametrize("app", [*APPS, "demo"])
def test_demo_and_receivers_write_through_services(app):
    paths = [ROOT / app / "demo.py", ROOT / app / "receivers.py", ROOT / app / "tasks.py"]
    if app == "demo":
        paths = list(modules("demo"))
    offenders = [
        f"{path.relative_to(ROOT)}:{call.lineno} .{attribute_name(call)}()"
        for path in paths
        if path.exists()
        for call in calls(path)
        if attribute_name(call) in ORM_ONLY_WRITES
        and not (app == "demo" and path.name == "seed_demo.py")  # schools, staff, terms: set-up
        # The trust-scale benchmark data is written in bulk (COPY) by design: services would take
        # hours. tests/demo/test_seed_trust.py proves the rows open in the app as written.
        and not (app == "demo" and path.name in {"seed_trust.py", "bulk.py"})
    ]
    assert offenders == []


def test_no_service_takes_a_request_or_a_form():
    offenders = []
    for path in modules(*(f"{app}/services" for app in APPS)):
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args.args + node.args.kwonlyargs + node.args.posonlyargs
                names = {a.arg for a in arguments}
                if names & {"request", "form", "formset"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []


def test_every_public_service_takes_the_actor_by_keyword():
    offenders = []
    for path in modules(*(f"{app}/services" for app in APPS)):
        for node in tree(path).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            decorated = any(
                isinstance(d, ast.Attribute) and d.attr == "atomic" for d in node.decorator_list
            )
            actor = "actor" in {a.arg for a in node.args.kwonlyargs}
            if decorated and not actor and node.name not in SYSTEM_WRITES:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []


def test_audit_actions_are_enum_members_never_strings():
    offenders = []
    for path in modules(*APPS, "semh", "demo", "reports"):
        for call in calls(path):
            name = attribute_name(call) or getattr(call.func, "id", None)
            if name == "record":
                action = next((k.value for k in call.keywords if k.arg == "action"), None)
            elif name in ("record_view", "record_page_view") and len(call.args) >= 2:
                action = call.args[1]
            else:
                continue
            if isinstance(action, ast.Constant | ast.JoinedStr | ast.BinOp):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offenders == []
