"""Demo interventions for seed_demo: programmes and groups, a term of sessions, and baseline and
exit measures with believable change. Synthetic data only, written through the services."""


def seed_interventions(*, school, pupils, staff, rng):
    groups = _seed_provision(school=school, pupils=pupils, staff=staff, rng=rng)
    _seed_sessions(school=school, groups=groups, rng=rng)
    _seed_measures(school=school, groups=groups, rng=rng)


def _seed_provision(*, school, pupils, staff, rng):
    """Groups of the default programmes with pupils enrolled; returns the groups."""
    return []


def _seed_sessions(*, school, groups, rng):
    """A term of sessions with their registers, a few cancelled, a few registers still owed."""


def _seed_measures(*, school, groups, rng):
    """Baseline and exit (or review) measures for enrolled pupils, most improving."""
    from .demo_measures import seed_measures

    seed_measures(school=school, groups=groups, rng=rng)
