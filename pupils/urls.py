from django.urls import path

from pupils.views import (
    attendance_import,
    caseloads,
    contacts,
    daily_log,
    mis_import,
    plans,
    profile,
    records,
    referrals,
)

app_name = "pupils"

PUPIL = "<uuid:pupil_id>/"
PLAN = f"{PUPIL}plans/<uuid:plan_id>/"

urlpatterns = [
    # records
    path("", records.pupil_list, name="list"),
    path("new/", records.pupil_create, name="create"),
    path(PUPIL, records.pupil_detail, name="detail"),
    path(f"{PUPIL}edit/", records.pupil_edit, name="edit"),
    path(f"{PUPIL}archive/", records.pupil_archive, name="archive"),
    path(f"{PUPIL}restore/", records.pupil_restore, name="restore"),
    path(f"{PUPIL}access-log/", records.pupil_access_log, name="access_log"),
    # caseloads
    path(f"{PUPIL}staff/", caseloads.pupil_staff, name="staff"),
    # profile
    path(f"{PUPIL}profile/edit/", profile.profile_edit, name="profile_edit"),
    path(f"{PUPIL}profile/print/", profile.profile_print, name="profile_print"),
    path(f"{PUPIL}profile/pdf/", profile.profile_pdf, name="profile_pdf"),
    # plans (reviews are append-only: no edit or delete pages)
    path("plans/due/", plans.plans_due, name="plans_due"),
    path(f"{PUPIL}plans/new/", plans.plan_create, name="plan_create"),
    path(PLAN, plans.plan_detail, name="plan_detail"),
    path(f"{PLAN}edit/", plans.plan_edit, name="plan_edit"),
    path(f"{PLAN}targets/new/", plans.target_create, name="target_create"),
    path(f"{PLAN}targets/<uuid:target_id>/edit/", plans.target_edit, name="target_edit"),
    path(f"{PLAN}reviews/new/", plans.plan_review_create, name="plan_review_create"),
    path(f"{PLAN}next-cycle/", plans.plan_next_cycle, name="plan_next_cycle"),
    # outreach referrals
    path(f"{PUPIL}referrals/new/", referrals.referral_create, name="referral_create"),
    path(
        f"{PUPIL}referrals/<uuid:referral_id>/edit/",
        referrals.referral_edit,
        name="referral_edit",
    ),
    path(f"{PUPIL}referrals/<uuid:referral_id>/end/", referrals.referral_end, name="referral_end"),
    # contacts
    path(f"{PUPIL}contacts/new/", contacts.contact_create, name="contact_create"),
    path(f"{PUPIL}contacts/<uuid:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path(f"{PUPIL}agencies/new/", contacts.agency_create, name="agency_create"),
    path(f"{PUPIL}agencies/<uuid:agency_id>/edit/", contacts.agency_edit, name="agency_edit"),
    path(f"{PUPIL}meetings/new/", contacts.meeting_create, name="meeting_create"),
    path(f"{PUPIL}meetings/<uuid:meeting_id>/", contacts.meeting_detail, name="meeting_detail"),
    path(f"{PUPIL}actions/<uuid:action_id>/done/", contacts.action_done, name="action_done"),
    # daily log and wellbeing check-ins
    path("notes/new/", daily_log.note_pick_pupil, name="note_pick_pupil"),
    path(f"{PUPIL}notes/new/", daily_log.note_create, name="note_create"),
    path(f"{PUPIL}day/", daily_log.daily_summary, name="daily_summary"),
    path(f"{PUPIL}day/print/", daily_log.daily_log_print, name="daily_log_print"),
    path(f"{PUPIL}check-ins/new/", daily_log.check_in_create, name="check_in_create"),
    # mis_import
    path("import/", mis_import.import_upload, name="import"),
    path("import/<uuid:import_id>/", mis_import.import_preview, name="import_preview"),
    path("import/<uuid:import_id>/confirm/", mis_import.import_confirm, name="import_confirm"),
    path("import/<uuid:import_id>/discard/", mis_import.import_discard, name="import_discard"),
    # attendance_import
    path("attendance/import/", attendance_import.attendance_upload, name="attendance_import"),
    path(
        "attendance/import/template.csv",
        attendance_import.attendance_template,
        name="attendance_template",
    ),
    path(
        "attendance/import/<uuid:attendance_import_id>/",
        attendance_import.attendance_preview,
        name="attendance_import_preview",
    ),
    path(
        "attendance/import/<uuid:attendance_import_id>/confirm/",
        attendance_import.attendance_confirm,
        name="attendance_import_confirm",
    ),
    path(
        "attendance/import/<uuid:attendance_import_id>/discard/",
        attendance_import.attendance_discard,
        name="attendance_import_discard",
    ),
]
