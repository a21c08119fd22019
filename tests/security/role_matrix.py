"""What each role gets from each API operation and each admin page.

One row per operation exactly as `/api/schema/` names it (METHOD path), one
column per role. A cell is the status the test expects for a valid request
(tests/security/world.py builds it):

- 2xx: the role may do it, and the request really succeeds;
- 403: a signed-in role the view's `role_rules` do not grant;
- 401: no credentials.

Columns: anon = anonymous, desk = front_desk, clin = clinician, mgr = manager.

A new endpoint fails `test_matrix_lists_every_operation` until it has a row
here and a request in world.SCENARIOS. Roles follow SPEC.md "Who uses it":
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
