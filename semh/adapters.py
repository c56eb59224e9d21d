from allauth.account.adapter import DefaultAccountAdapter
from django.core.cache import cache

from semh.audit import client_ip


def _generation_key(login: str) -> str:
    return f"semh:login-lock-generation:{login.lower()}"


def unlock_sign_in(email: str) -> None:
    """Lift every lockout of this account (all addresses): old failure counts stop applying."""
    key = _generation_key(email)
    cache.add(key, 0, timeout=None)
    cache.incr(key)


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff are invited by an admin of their school: nobody can sign themselves up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # allauth's per-address limit counts the same address the audit trail records; with no
        # valid address known (a junk chain from the proxy) the connection's own stands in.
        return client_ip(request) or request.META.get("REMOTE_ADDR") or "unknown"

    # Private allauth hook (no public one keys the "login_failed" limit), safe in the range pinned
    # in pyproject.toml; a break fails tests/semh/test_client_address.py lockout tests.
    def _get_login_attempts_cache_key(self, request, **credentials):
        # Failed sign-ins lock the account itself, whatever address they claim to come from: a
        # changing address must not buy more guesses. An admin's unlock bumps the generation.
        login = (credentials.get("email") or credentials.get("username") or "").lower()
        generation = cache.get(_generation_key(login), 0)
        return f"{login}:{generation}"
