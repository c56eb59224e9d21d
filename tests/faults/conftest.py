import pytest

from tests.factories.incidents import incident_data, school_vocabulary


@pytest.fixture
def vocab_for_alder(cast):
    """The incident form's data for a pupil of Alder, with Alder's own lists."""
    vocab = school_vocabulary(cast.school_a)
    return lambda pupil, recorder: incident_data(vocab, pupil, recorder)
