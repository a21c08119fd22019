"""What each role gets from each API operation and each admin page.

One row per operation exactly as `/api/schema/` names it (METHOD path), one
column per role. A cell is the status the test expects for a valid request
(tests/security/world.py builds it):

- 2xx: the role may do it, and the request really succeeds;
- 403: a signed-in role the view's `role_rules` do not grant;
- 401: no credentials.

Columns: anon = anonymous, desk = front_desk, clin = clinician, mgr = manager.

A new endpoint fails `test_matrix_lists_every_operation` until it has a row
here and a request in world.SCENARIOS. Roles follow docs/product.md "Who uses it":
the front desk books and registers but never reads treatments; clinicians do
everything clinical but no set-up; managers do everything (history included).
"""

API_MATRIX = """
operation                                                     anon desk clin  mgr
POST   /api/v1/auth/token/                                     201  201  201  201
DELETE /api/v1/auth/token/                                     401  204  204  204

GET    /api/v1/patients/                                       401  200  200  200
POST   /api/v1/patients/                                       401  201  403  201
GET    /api/v1/patients/{public_id}/                           401  200  200  200
PATCH  /api/v1/patients/{public_id}/                           401  200  200  200
POST   /api/v1/patients/{public_id}/deactivate/                401  200  403  200
POST   /api/v1/patients/{public_id}/reactivate/                401  200  403  200
GET    /api/v1/patients/{public_id}/history/                   401  403  403  200

GET    /api/v1/consent-forms/                                  401  200  200  200
POST   /api/v1/consent-forms/                                  401  403  403  201
GET    /api/v1/consent-forms/{id}/                             401  200  200  200
PATCH  /api/v1/consent-forms/{id}/                             401  403  403  200
POST   /api/v1/consent-forms/{id}/publish/                     401  403  403  200
POST   /api/v1/consent-forms/{id}/new-version/                 401  403  403  201
GET    /api/v1/consent-forms/{id}/history/                     401  403  403  200
GET    /api/v1/consents/                                       401  200  200  200
POST   /api/v1/consents/                                       401  201  403  201
GET    /api/v1/consents/{public_id}/                           401  200  200  200
POST   /api/v1/consents/{public_id}/withdraw/                  401  200  200  200
GET    /api/v1/consents/{public_id}/history/                   401  403  403  200

GET    /api/v1/locations/                                      401  200  200  200
POST   /api/v1/locations/                                      401  403  403  201
GET    /api/v1/locations/{id}/                                 401  200  200  200
PATCH  /api/v1/locations/{id}/                                 401  403  403  200
GET    /api/v1/locations/{id}/history/                         401  403  403  200
GET    /api/v1/rooms/                                          401  200  200  200
POST   /api/v1/rooms/                                          401  403  403  201
GET    /api/v1/rooms/{id}/                                     401  200  200  200
PATCH  /api/v1/rooms/{id}/                                     401  403  403  200
GET    /api/v1/rooms/{id}/history/                             401  403  403  200
GET    /api/v1/practitioners/                                  401  200  200  200
POST   /api/v1/practitioners/                                  401  403  403  201
GET    /api/v1/practitioners/{id}/                             401  200  200  200
PATCH  /api/v1/practitioners/{id}/                             401  403  403  200
GET    /api/v1/practitioners/{id}/history/                     401  403  403  200
GET    /api/v1/appointment-types/                              401  200  200  200
POST   /api/v1/appointment-types/                              401  403  403  201
GET    /api/v1/appointment-types/{id}/                         401  200  200  200
PATCH  /api/v1/appointment-types/{id}/                         401  403  403  200
GET    /api/v1/appointment-types/{id}/history/                 401  403  403  200
GET    /api/v1/working-hours/                                  401  200  200  200
POST   /api/v1/working-hours/                                  401  403  403  201
GET    /api/v1/working-hours/{id}/                             401  200  200  200
PATCH  /api/v1/working-hours/{id}/                             401  403  403  200
DELETE /api/v1/working-hours/{id}/                             401  403  403  204
GET    /api/v1/working-hours/{id}/history/                     401  403  403  200
GET    /api/v1/schedule-exceptions/                            401  200  200  200
POST   /api/v1/schedule-exceptions/                            401  403  403  201
GET    /api/v1/schedule-exceptions/{id}/                       401  200  200  200
PATCH  /api/v1/schedule-exceptions/{id}/                       401  403  403  200
DELETE /api/v1/schedule-exceptions/{id}/                       401  403  403  204
GET    /api/v1/schedule-exceptions/{id}/history/               401  403  403  200

GET    /api/v1/appointments/                                   401  200  200  200
POST   /api/v1/appointments/                                   401  201  403  201
GET    /api/v1/appointments/{public_id}/                       401  200  200  200
PATCH  /api/v1/appointments/{public_id}/                       401  200  403  200
POST   /api/v1/appointments/{public_id}/check-in/              401  200  403  200
POST   /api/v1/appointments/{public_id}/start/                 401  403  200  200
POST   /api/v1/appointments/{public_id}/complete/              401  403  200  200
POST   /api/v1/appointments/{public_id}/cancel/                401  200  403  200
POST   /api/v1/appointments/{public_id}/no-show/               401  200  403  200
GET    /api/v1/appointments/{public_id}/history/               401  403  403  200
GET    /api/v1/availability/                                   401  200  200  200

GET    /api/v1/products/                                       401  403  200  200
POST   /api/v1/products/                                       401  403  403  201
GET    /api/v1/products/{id}/                                  401  403  200  200
PATCH  /api/v1/products/{id}/                                  401  403  403  200
GET    /api/v1/products/{id}/history/                          401  403  403  200
GET    /api/v1/lots/                                           401  403  200  200
POST   /api/v1/lots/                                           401  403  403  201
GET    /api/v1/lots/{id}/                                      401  403  200  200
PATCH  /api/v1/lots/{id}/                                      401  403  403  200
POST   /api/v1/lots/{id}/release/                              401  403  403  200
POST   /api/v1/lots/{id}/recall/                               401  403  403  200
GET    /api/v1/lots/{id}/recipients/                           401  403  403  200
GET    /api/v1/lots/{id}/stock/                                401  403  200  200
POST   /api/v1/lots/{id}/stock/                                401  403  403  201
GET    /api/v1/lots/{id}/history/                              401  403  403  200

GET    /api/v1/administrations/                                401  403  200  200
POST   /api/v1/administrations/                                401  403  201  201
GET    /api/v1/administrations/{public_id}/                    401  403  200  200
PATCH  /api/v1/administrations/{public_id}/                    401  403  200  200
POST   /api/v1/administrations/{public_id}/sign/               401  403  200  200
POST   /api/v1/administrations/{public_id}/amend/              401  403  201  201
POST   /api/v1/administrations/{public_id}/entered-in-error/   401  403  200  200
GET    /api/v1/administrations/{public_id}/history/            401  403  403  200

GET    /api/v1/follow-ups/                                     401  403  200  200
POST   /api/v1/follow-ups/                                     401  403  201  201
GET    /api/v1/follow-ups/{public_id}/                         401  403  200  200
PATCH  /api/v1/follow-ups/{public_id}/                         401  403  200  200
POST   /api/v1/follow-ups/{public_id}/sign/                    401  403  200  200
POST   /api/v1/follow-ups/{public_id}/amend/                   401  403  201  201
POST   /api/v1/follow-ups/{public_id}/entered-in-error/        401  403  200  200
GET    /api/v1/follow-ups/{public_id}/history/                 401  403  403  200
GET    /api/v1/adverse-events/                                 401  403  200  200
POST   /api/v1/adverse-events/                                 401  403  201  201
GET    /api/v1/adverse-events/{public_id}/                     401  403  200  200
PATCH  /api/v1/adverse-events/{public_id}/                     401  403  200  200
POST   /api/v1/adverse-events/{public_id}/report/              401  403  200  200
GET    /api/v1/adverse-events/{public_id}/history/             401  403  403  200
GET    /api/v1/patients/{public_id}/outcomes/                  401  403  200  200
"""


COLUMNS = {
    "anon": "anonymous",
    "desk": "front_desk",
    "clin": "clinician",
    "mgr": "manager",
}


def parse(table: str) -> dict[str, dict[str, int]]:
    """{"METHOD /path/": {role: status}} from a whitespace-aligned table."""
    lines = [line.split() for line in table.strip().splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    roles = [COLUMNS[name] for name in header[1:]]
    parsed: dict[str, dict[str, int]] = {}
    for row in rows:
        key = f"{row[0]} {row[1]}"
        if key in parsed:
            raise ValueError(f"{key} appears twice in the matrix")
        if len(row) != 2 + len(roles):
            raise ValueError(f"{key}: expected one cell per role {roles}")
        parsed[key] = dict(zip(roles, map(int, row[2:]), strict=True))
    return parsed


API = parse(API_MATRIX)

# The admin: each registered model's changelist, add, change (a view-only
# role gets the read-only page, 200), delete and history pages. Anonymous users
# are sent to the login page (302). Nobody deletes a clinical record, only
# superusers see tokens and login-attempt logs (axes.*), and history is read
# by managers only, as through the API (clinic/core/admin_fields.py).
ADMIN_MATRIX = """
model_page                             anon desk clin  mgr
auth.Group                 changelist   302  403  403  200
auth.Group                 add          302  403  403  403
auth.Group                 change       302  403  403  200
auth.Group                 delete       302  403  403  403
auth.Group                 history      302  403  403  200

auth.User                  changelist   302  403  403  200
auth.User                  add          302  403  403  200
auth.User                  change       302  403  403  200
auth.User                  delete       302  403  403  403
auth.User                  history      302  403  403  200

axes.AccessAttempt         changelist   302  403  403  403
axes.AccessAttempt         add          302  403  403  403
axes.AccessAttempt         change       302  403  403  403
axes.AccessAttempt         delete       302  403  403  403
axes.AccessAttempt         history      302  403  403  403

axes.AccessFailureLog      changelist   302  403  403  403
axes.AccessFailureLog      add          302  403  403  403
axes.AccessFailureLog      change       302  403  403  403
axes.AccessFailureLog      delete       302  403  403  403
axes.AccessFailureLog      history      302  403  403  403

axes.AccessLog             changelist   302  403  403  403
axes.AccessLog             add          302  403  403  403
axes.AccessLog             change       302  403  403  403
axes.AccessLog             delete       302  403  403  403
axes.AccessLog             history      302  403  403  403

clinic.ApiToken            changelist   302  403  403  403
clinic.ApiToken            add          302  403  403  403
clinic.ApiToken            change       302  403  403  403
clinic.ApiToken            delete       302  403  403  403
clinic.ApiToken            history      302  403  403  403

clinic.Appointment         changelist   302  200  200  200
clinic.Appointment         add          302  200  403  200
clinic.Appointment         change       302  200  200  200
clinic.Appointment         delete       302  403  403  403
clinic.Appointment         history      302  403  403  200

clinic.AppointmentType     changelist   302  200  200  200
clinic.AppointmentType     add          302  403  403  200
clinic.AppointmentType     change       302  200  200  200
clinic.AppointmentType     delete       302  403  403  403
clinic.AppointmentType     history      302  403  403  200

clinic.Location            changelist   302  200  200  200
clinic.Location            add          302  403  403  200
clinic.Location            change       302  200  200  200
clinic.Location            delete       302  403  403  403
clinic.Location            history      302  403  403  200

clinic.Practitioner        changelist   302  200  200  200
clinic.Practitioner        add          302  403  403  200
clinic.Practitioner        change       302  200  200  200
clinic.Practitioner        delete       302  403  403  403
clinic.Practitioner        history      302  403  403  200

clinic.Room                changelist   302  200  200  200
clinic.Room                add          302  403  403  200
clinic.Room                change       302  200  200  200
clinic.Room                delete       302  403  403  403
clinic.Room                history      302  403  403  200

clinic.ScheduleException   changelist   302  200  200  200
clinic.ScheduleException   add          302  403  403  200
clinic.ScheduleException   change       302  200  200  200
clinic.ScheduleException   delete       302  403  403  200
clinic.ScheduleException   history      302  403  403  200

patients.ConsentForm       changelist   302  200  200  200
patients.ConsentForm       add          302  403  403  200
patients.ConsentForm       change       302  200  200  200
patients.ConsentForm       delete       302  403  403  403
patients.ConsentForm       history      302  403  403  200

patients.Patient           changelist   302  200  200  200
patients.Patient           add          302  200  403  200
patients.Patient           change       302  200  200  200
patients.Patient           delete       302  403  403  403
patients.Patient           history      302  403  403  200

patients.SignedConsent     changelist   302  200  200  200
patients.SignedConsent     add          302  200  403  200
patients.SignedConsent     change       302  200  200  200
patients.SignedConsent     delete       302  403  403  403
patients.SignedConsent     history      302  403  403  200

treatments.Administration  changelist   302  403  200  200
treatments.Administration  add          302  403  200  200
treatments.Administration  change       302  403  200  200
treatments.Administration  delete       302  403  403  403
treatments.Administration  history      302  403  403  200

treatments.AdverseEvent    changelist   302  403  200  200
treatments.AdverseEvent    add          302  403  200  200
treatments.AdverseEvent    change       302  403  200  200
treatments.AdverseEvent    delete       302  403  403  403
treatments.AdverseEvent    history      302  403  403  200

treatments.FollowUpNote    changelist   302  403  200  200
treatments.FollowUpNote    add          302  403  200  200
treatments.FollowUpNote    change       302  403  200  200
treatments.FollowUpNote    delete       302  403  403  403
treatments.FollowUpNote    history      302  403  403  200

treatments.Lot             changelist   302  403  200  200
treatments.Lot             add          302  403  403  200
treatments.Lot             change       302  403  200  200
treatments.Lot             delete       302  403  403  403
treatments.Lot             history      302  403  403  200

treatments.Product         changelist   302  403  200  200
treatments.Product         add          302  403  403  200
treatments.Product         change       302  403  200  200
treatments.Product         delete       302  403  403  403
treatments.Product         history      302  403  403  200

treatments.StockMovement   changelist   302  403  200  200
treatments.StockMovement   add          302  403  403  200
treatments.StockMovement   change       302  403  200  200
treatments.StockMovement   delete       302  403  403  403
treatments.StockMovement   history      302  403  403  200
"""

ADMIN = parse(ADMIN_MATRIX)
