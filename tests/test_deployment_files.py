"""The Dockerfile and docker-compose.yml only name things that exist in the project.

Docker does not run here. Instead every command the image would run (compose `command`,
`entrypoint` and healthchecks of the services built from this project, and the Dockerfile's
CMD/ENTRYPOINT/RUN) is taken apart the way a shell would, and each program is resolved the way it
resolves its own arguments: Django's management command parser, gunicorn's option parser and
app loader, Celery's click options and `find_app`. A typo then fails here, not at
`docker compose up`.
"""

import ast
import importlib.util
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import click
import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError
from gunicorn.config import Config as GunicornConfig
from gunicorn.util import import_app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

WEB_SERVICES = ("web1", "web2")
WORKER_SERVICES = ("worker1", "worker2")
APP_SERVICES = (*WEB_SERVICES, *WORKER_SERVICES, "beat")
BACKING_SERVICES = ("postgres", "redis")
SHELLS = {"sh", "bash", "dash"}
PYTHONS = {"python", "python3", "python3.11"}
# Shell utilities that may appear in a start-up script and name nothing in the project.
HARMLESS_PROGRAMS = {"true", "echo", "sleep", "set", "cd", "test", "["}
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SCRIPT_PUNCTUATION = "();<>|&\n"


# --- Reading the files ---------------------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def named_volume_mounts(service: dict) -> dict[str, str]:
    """Mount target -> volume name, for the short `name:/path` syntax and the long syntax."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume":
                mounts[volume["target"]] = volume["source"]
            continue
        source, _, rest = volume.partition(":")
        if rest and not source.startswith((".", "/", "~")):
            mounts[rest.split(":")[0]] = source
    return mounts


def compose_argv(value) -> list[str]:
    """A list is the argv as is; compose splits a string into words itself (no shell runs)."""
    return [str(item) for item in value] if isinstance(value, list) else shlex.split(value)


def healthcheck_argv(test) -> list[str]:
    if isinstance(test, str):
        return ["sh", "-c", test]
    kind, *rest = test
    if kind == "CMD":
        return [str(item) for item in rest]
    if kind == "CMD-SHELL":
        return ["sh", "-c", " ".join(rest)]
    return []  # NONE


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comment lines dropped and continuations joined."""
    lines = [
        line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in text.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_argv(arguments: str) -> list[str]:
    """Exec form (a JSON array) is the argv; shell form runs under `/bin/sh -c`."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


@dataclass(frozen=True)
class Invocation:
    where: str
    argv: tuple[str, ...]
    # Strict: the container runs our image, so every program must be one this test understands.
    # Build steps (RUN) also call apt-get, pip …; there only the programs we know are checked.
    strict: bool


def compose_invocations() -> list[Invocation]:
    invocations = []
    for name, service in load_compose()["services"].items():
        if "build" not in service:
            continue  # postgres, redis: commands of someone else's image
        for key in ("entrypoint", "command"):
            if key in service:
                argv = compose_argv(service[key])
                invocations.append(Invocation(f"{name}.{key}", tuple(argv), strict=True))
        if "healthcheck" in service:
            argv = healthcheck_argv(service["healthcheck"]["test"])
            invocations.append(Invocation(f"{name}.healthcheck", tuple(argv), strict=True))
    return invocations


def dockerfile_invocations() -> list[Invocation]:
    invocations = []
    for number, (keyword, arguments) in enumerate(dockerfile_instructions(), start=1):
        if keyword in {"CMD", "ENTRYPOINT", "RUN"}:
            argv = tuple(dockerfile_argv(arguments))
            strict = keyword != "RUN"
            invocations.append(Invocation(f"Dockerfile:{keyword}#{number}", argv, strict))
    return invocations


# --- Taking commands apart -----------------------------------------------------------------------


def split_script(script: str) -> list[list[str]]:
    """The simple commands of a shell script: split at && || ; | & newlines and parentheses,
    redirections dropped."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=SCRIPT_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    commands, current, skip_next = [], [], False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token and set(token) <= set(SCRIPT_PUNCTUATION) and set(token) & set("<>"):
            skip_next = True  # a redirection and its target
        elif token and set(token) <= set(SCRIPT_PUNCTUATION):
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


def simple_commands(argv: list[str]) -> list[list[str]]:
    """Each program the argv ends up running, looking inside `sh -c "…"` and past `exec`/VAR=x."""
    while argv and (argv[0] == "exec" or ENV_ASSIGNMENT.match(argv[0])):
        argv = argv[1:]
    if not argv:
        return []
    if Path(argv[0]).name in SHELLS:
        for index, arg in enumerate(argv[1:], start=1):
            if re.fullmatch(r"-[a-z]*c[a-z]*", arg) and index + 1 < len(argv):
                script = argv[index + 1]
                return [cmd for part in split_script(script) for cmd in simple_commands(part)]
    return [argv]


# --- Resolving what each program names -----------------------------------------------------------


def problems_with(argv: list[str], *, strict: bool) -> list[str]:
    problems = []
    for command in simple_commands(list(argv)):
        program, args = Path(command[0]).name, command[1:]
        if program in PYTHONS:
            problems += python_problems(args)
        elif program == "gunicorn":
            problems += gunicorn_problems(args)
        elif program == "celery":
            problems += celery_problems(args)
        elif strict and program not in HARMLESS_PROGRAMS:
            problems.append(
                f"unknown program {program!r}: the image runs python, gunicorn and celery "
                "(teach this test about a new one)"
            )
    return problems


def python_problems(args: list[str]) -> list[str]:
    while args and args[0].startswith("-") and args[0] not in {"-m", "-c"}:
        args = args[1:]  # interpreter flags such as -u, -B
    if not args:
        return ["python is given nothing to run"]
    if args[0] == "-c":
        try:
            compile(args[1], "<python -c>", "exec")
        except SyntaxError as error:
            return [f"python -c: {error}"]
        return []
    if args[0] == "-m":
        module, rest = args[1], args[2:]
        if module == "gunicorn":
            return gunicorn_problems(rest)
        if module == "celery":
            return celery_problems(rest)
        if module == "django":
            return management_problems(rest)
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        return [] if found else [f"python -m {module}: no such module"]
    script, rest = args[0], args[1:]
    if not (ROOT / script).is_file():
        return [f"python {script}: no such file in the project"]
    return management_problems(rest) if Path(script).name == "manage.py" else []


def management_problems(args: list[str]) -> list[str]:
    if not args:
        return ["manage.py is given no command"]
    name, rest = args[0], args[1:]
    commands = get_commands()
    if name not in commands:
        return [f"manage.py {name}: no such management command"]
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(rest)
    except CommandError as error:
        return [f"manage.py {name}: {error}"]
    return []


class _ParseError(Exception):
    pass


def _raise_parse_error(message):
    raise _ParseError(message)


def gunicorn_parse(args: list[str]):
    parser = GunicornConfig().parser()
    parser.error = _raise_parse_error  # argparse would print and exit
    return parser.parse_args(args)


def gunicorn_problems(args: list[str]) -> list[str]:
    try:
        parsed = gunicorn_parse(args)
    except _ParseError as error:
        return [f"gunicorn {' '.join(args)}: {error}"]
    if not parsed.args:
        return ["gunicorn is given no WSGI application"]
    problems = []
    for app_path in parsed.args:
        try:
            import_app(app_path)  # gunicorn's own loader: module import, attribute, callable
        except Exception as error:  # any failure to load is the finding
            problems.append(f"gunicorn {app_path}: {type(error).__name__}: {error}")
    return problems


def _split_celery_args(args: list[str]) -> tuple[list[str], str | None, list[str]]:
    """celery [global options] <subcommand> [subcommand options]"""
    takes_value = {
        opt
        for param in celery_cli.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for opt in param.opts + param.secondary_opts
    }
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in takes_value else 1
    if index >= len(args):
        return args, None, []
    return args[:index], args[index], args[index + 1 :]


def celery_problems(args: list[str]) -> list[str]:
    global_args, subcommand, sub_args = _split_celery_args(args)
    try:
        context = click.Command("celery", params=celery_cli.params).make_context(
            "celery", global_args
        )
    except click.ClickException as error:
        return [f"celery: {error.format_message()}"]
    app_name = context.params.get("app")
    if not app_name:
        return ["celery is not told its app (-A)"]
    try:
        app = find_app(app_name)  # how `celery -A` resolves it: module.app, module.celery.app …
    except (ImportError, AttributeError) as error:
        return [f"celery -A {app_name}: {type(error).__name__}: {error}"]
    if not isinstance(app, Celery):
        return [f"celery -A {app_name}: found {app!r}, not a Celery app"]
    if subcommand not in celery_cli.commands:
        return [f"celery -A {app_name}: no such subcommand {subcommand!r}"]
    cli_context = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    try:
        celery_cli.commands[subcommand].make_context(subcommand, sub_args, obj=cli_context)
    except click.ClickException as error:
        return [f"celery {subcommand}: {error.format_message()}"]
    return []


# --- Tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("invocation", compose_invocations(), ids=lambda inv: inv.where)
def test_every_compose_command_names_something_that_exists(invocation):
    assert invocation.argv, f"{invocation.where} runs nothing"
    assert problems_with(invocation.argv, strict=invocation.strict) == []


@pytest.mark.parametrize("invocation", dockerfile_invocations(), ids=lambda inv: inv.where)
def test_every_dockerfile_command_names_something_that_exists(invocation):
    assert invocation.argv, f"{invocation.where} runs nothing"
    assert problems_with(invocation.argv, strict=invocation.strict) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["gunicorn", "config.wsgix:application", "--bind", "0.0.0.0:8000"],
        ["gunicorn", "config.wsgi:app", "--bind", "0.0.0.0:8000"],
        ["gunicorn", "config.wsgi:application", "--wokers", "3"],
        ["celery", "-A", "semhx", "worker"],
        ["celery", "-A", "semh", "workr"],
        ["celery", "-A", "semh", "worker", "--concurency=2"],
        ["celery", "worker"],
        ["python", "manage.py", "migrat", "--noinput"],
        ["python", "manage.py", "migrate", "--no-imput"],
        ["python", "manage.pyx", "migrate"],
        ["python", "-m", "config.wsgix"],
        ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi:app"],
        ["sh", "-c", "python manage.py migrate; gunicron config.wsgi:application"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_command_check_catches_a_typo(argv):
    assert problems_with(argv, strict=True) != []


def test_compose_runs_two_web_two_workers_one_beat_postgres_and_redis():
    services = load_compose()["services"]

    assert set(APP_SERVICES + BACKING_SERVICES) <= services.keys()
    assert all("build" in services[name] for name in APP_SERVICES)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def programs_of(service: dict) -> list[list[str]]:
    return simple_commands(compose_argv(service.get("command", "")))


def test_the_two_web_containers_are_the_same_and_so_are_the_two_workers():
    services = load_compose()["services"]

    for group in (WEB_SERVICES, WORKER_SERVICES):
        assert len(group) == 2
        assert all(services[name] == services[group[0]] for name in group), group
    assert programs_of(services["web1"])[0][0] == "gunicorn"
    assert programs_of(services["worker1"])[0][:4] == ["celery", "-A", "config", "worker"]


def test_beat_runs_exactly_once():
    services = load_compose()["services"]

    beats = [
        name
        for name, service in services.items()
        if any(cmd[0] == "celery" and "beat" in cmd for cmd in programs_of(service))
    ]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    # No one else runs the schedule inside a worker (celery worker -B).
    for name in WORKER_SERVICES:
        assert not {"-B", "--beat"} & set(programs_of(services[name])[0]), name


def test_web_postgres_and_redis_have_healthchecks():
    services = load_compose()["services"]

    for name in (*WEB_SERVICES, *BACKING_SERVICES):
        assert healthcheck_argv(services[name]["healthcheck"]["test"]), name
    assert "pg_isready" in healthcheck_argv(services["postgres"]["healthcheck"]["test"])
    assert healthcheck_argv(services["redis"]["healthcheck"]["test"]) == ["redis-cli", "ping"]


def test_app_services_start_only_when_postgres_and_redis_are_healthy():
    services = load_compose()["services"]

    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert {dep: depends_on[dep]["condition"] for dep in BACKING_SERVICES} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }, name


def test_postgres_keeps_its_data_on_a_named_volume():
    compose = load_compose()

    volume = named_volume_mounts(compose["services"]["postgres"])["/var/lib/postgresql/data"]
    assert volume in compose["volumes"]


def test_web_and_worker_share_the_media_volume_at_media_root():
    compose = load_compose()
    services = compose["services"]

    volumes = set()
    for name in (*WEB_SERVICES, *WORKER_SERVICES):
        media_root = environment_of(services[name])["MEDIA_ROOT"]
        volumes.add(named_volume_mounts(services[name]).get(media_root))
    assert len(volumes) == 1
    assert volumes <= compose["volumes"].keys()


def test_app_services_share_one_production_environment():
    services = load_compose()["services"]
    environments = [environment_of(services[name]) for name in APP_SERVICES]

    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["DEBUG"] == "0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-0}"
    for key in ("DATABASE_URL", "REDIS_URL", "CACHE_URL"):
        assert urlparse(env[key]).hostname in services, f"{key} points at no compose service"
    assert env["REDIS_URL"] != env["CACHE_URL"], "Celery and the cache should use separate DBs"


def urlopen_request_in(code: str) -> tuple[str, dict[str, str]]:
    """The URL and headers of the request a `python -c` healthcheck makes."""
    tree = ast.parse(code)
    urls = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and str(node.value).startswith("http://")
    ]
    headers = {
        key: value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in ast.literal_eval(node).items()
    }
    assert len(urls) == 1, urls
    return urls[0], headers


@pytest.mark.parametrize("name", WEB_SERVICES)
def test_web_healthcheck_gets_the_login_page_past_the_ssl_redirect(client, settings, name):
    web = load_compose()["services"][name]
    argv = healthcheck_argv(web["healthcheck"]["test"])
    url, headers = urlopen_request_in(argv[argv.index("-c") + 1])
    (gunicorn,) = [
        cmd for cmd in simple_commands(compose_argv(web["command"])) if cmd[0] == "gunicorn"
    ]
    # Production settings, with the redirect on as it is behind TLS.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = environment_of(web)["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get(urlparse(url).path, headers=headers)

    assert gunicorn_parse(gunicorn[1:]).bind == [f"0.0.0.0:{urlparse(url).port}"]
    assert response.status_code == 200


def test_dockerfile_keeps_the_build_time_secret_key_out_of_the_image():
    instructions = dockerfile_instructions()

    persisted = [args for keyword, args in instructions if keyword == "ENV"]
    assert not any("SECRET_KEY" in args for args in persisted)
    assert any("collectstatic" in args for keyword, args in instructions if keyword == "RUN")
    assert ("USER", "root") not in instructions
    assert any(keyword == "USER" for keyword, _ in instructions)


def test_gunicorn_in_the_image_listens_on_the_exposed_port():
    instructions = dockerfile_instructions()
    cmd = next(args for keyword, args in instructions if keyword == "CMD")
    exposed = {args.split("/")[0] for keyword, args in instructions if keyword == "EXPOSE"}

    commands = simple_commands(dockerfile_argv(cmd))
    (gunicorn,) = [cmd for cmd in commands if Path(cmd[0]).name == "gunicorn"]
    parsed = gunicorn_parse(gunicorn[1:])

    assert parsed.bind == ["0.0.0.0:8000"]
    assert {bind.rsplit(":", 1)[1] for bind in parsed.bind} <= exposed


# --- Proxy and database roles ----------------------------------------------------------------


def bind_mount_source(service: dict, target: str) -> Path:
    for volume in service.get("volumes", []):
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target and source.startswith("."):
            return ROOT / source
    raise AssertionError(f"nothing is mounted at {target}")


def test_only_the_proxy_is_published_and_it_is_the_official_nginx_image():
    services = load_compose()["services"]

    assert services["proxy"]["image"].startswith("nginx:")
    assert services["proxy"]["ports"] == ["8000:80"]
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    for name in WEB_SERVICES:
        assert services["proxy"]["depends_on"][name]["condition"] == "service_healthy"


def test_the_proxy_sends_the_forwarded_headers_to_both_web_containers():
    services = load_compose()["services"]
    conf = bind_mount_source(services["proxy"], "/etc/nginx/conf.d/default.conf").read_text()
    directives = {" ".join(line.split()) for line in conf.splitlines()}
    (gunicorn,) = [
        cmd
        for cmd in simple_commands(compose_argv(services["web1"]["command"]))
        if cmd[0] == "gunicorn"
    ]
    port = gunicorn_parse(gunicorn[1:]).bind[0].rsplit(":", 1)[1]
    upstream = sorted(d.split()[1] for d in directives if d.startswith("server ") and d[-1] == ";")

    assert upstream == [f"{name}:{port}" for name in WEB_SERVICES]
    assert "proxy_pass http://semh_web;" in directives
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in directives
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in directives
    assert "listen 80;" in directives


def test_the_app_believes_the_forwarded_address_of_the_proxy_alone(settings):
    import ipaddress

    from django.test import RequestFactory

    from semh.audit import client_ip

    compose = load_compose()
    services = compose["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    (subnet,) = [c["subnet"] for c in compose["networks"]["default"]["ipam"]["config"]]
    trusted = environment_of(services["web1"])["SEMH_TRUSTED_PROXIES"]
    settings.SEMH_TRUSTED_PROXIES = trusted.split(",")
    through_proxy = RequestFactory().get(
        "/", REMOTE_ADDR=proxy_address, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    direct = RequestFactory().get(
        "/", REMOTE_ADDR="172.28.0.99", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert trusted == proxy_address
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    assert client_ip(through_proxy) == "203.0.113.9"
    assert client_ip(direct) == "172.28.0.99"


def test_migrations_run_as_the_owner_and_the_app_as_a_role_that_owns_nothing():
    services = load_compose()["services"]
    migrate = services["migrate"]
    owner = urlparse(environment_of(migrate)["DATABASE_URL"]).username
    app = urlparse(environment_of(services["web1"])["DATABASE_URL"]).username

    assert compose_argv(migrate["command"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert {k: v for k, v in environment_of(migrate).items() if k != "DATABASE_URL"} == {
        k: v for k, v in environment_of(services["web1"]).items() if k != "DATABASE_URL"
    }
    assert owner != app and "postgres" not in (owner, app)
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
        assert "migrate" not in json.dumps(services[name].get("command", "")), name


def test_the_database_init_script_creates_the_owner_and_the_app_role_with_table_rights_only():
    services = load_compose()["services"]
    script = bind_mount_source(services["postgres"], "/docker-entrypoint-initdb.d/01-roles.sql")
    sql = " ".join(line.split("--")[0] for line in script.read_text().splitlines())
    sql = " ".join(sql.split())
    owner = urlparse(environment_of(services["migrate"])["DATABASE_URL"]).username
    app = urlparse(environment_of(services["web1"])["DATABASE_URL"]).username

    assert f"CREATE ROLE {owner} LOGIN" in sql and f"CREATE ROLE {app} LOGIN" in sql
    assert f'ALTER DATABASE :"DBNAME" OWNER TO {owner};' in sql
    assert f"ALTER SCHEMA public OWNER TO {owner};" in sql
    assert (
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};"
    ) in sql
    assert (
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app};"
    ) in sql
    assert "TRUNCATE" not in sql and "SUPERUSER" not in sql.upper()
    assert f"OWNER TO {app}" not in sql
    # The passwords come from the postgres service's environment, the same the URLs use.
    for variable in ("SEMH_DB_OWNER_PASSWORD", "SEMH_DB_APP_PASSWORD"):
        assert "\\getenv" in sql and variable in sql
        assert variable in environment_of(services["postgres"])
