"""Import pupils from the school's MIS: upload → preview → confirm (SENCo only)."""

from django.views.decorators.http import require_POST

from pupils.forms.mis_import import ImportUploadForm
from pupils.mis import COLUMNS
from pupils.services.mis_import import PUPIL_IMPORT
from pupils.views.import_batches import ImportPages
from semh.access import Capability
from semh.decorators import school_view

PAGES = ImportPages(
    kind=PUPIL_IMPORT,
    form_class=ImportUploadForm,
    columns=COLUMNS,
    url_name="pupils:import",
    id_kwarg="import_id",
    templates="pupils/mis_import",
    imported="Imported",
    conflict=(
        "Nothing was imported: the pupils changed while importing (someone may have added one of "
        "these UPNs). Upload the file again to see a fresh preview."
    ),
)


@school_view(Capability.EDIT_PUPILS)
def import_upload(request):
    return PAGES.upload(request)


@school_view(Capability.EDIT_PUPILS)
def import_preview(request, import_id):
    return PAGES.preview(request, import_id)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def import_confirm(request, import_id):
    return PAGES.confirm(request, import_id)


@school_view(Capability.EDIT_PUPILS)
@require_POST
def import_discard(request, import_id):
    return PAGES.discard(request, import_id)
