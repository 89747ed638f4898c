"""The API against its own description: schemathesis generates requests from the OpenAPI
spec (valid ones and, in negative mode, invalid ones) and checks every answer: no server
error, every status, header and body as the spec says."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ideaboard.api.spec import SPEC
from ideaboard.extensions import db
from ideaboard.models import ApiToken, Idea
from ideaboard.services.accounts import token_digest

schema = schemathesis.openapi.from_dict(SPEC)
SEEDED = 3
# The tokens the seeded fixture stores, known beforehand: schemathesis asks for its
# credentials when it builds the tests, before any fixture runs.
TOKENS = {"member": "ib_schemathesis-member", "caretaker": "ib_schemathesis-caretaker"}
_CALLER = {"token": TOKENS["caretaker"]}


@schema.auth(refresh_interval=None)
class MemberToken:
    """Schemathesis's own way to send credentials, so that its checks know which requests
    carry them (and can leave them out to check for a 401)."""

    def get(self, case, context):
        return _CALLER["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def seeded(app, make_idea, member, caretaker):
    """A few ideas (ids 1 to 3 on a fresh database) to find, vote on and comment on."""
    for n in range(SEEDED):
        make_idea(f"Seeded idea number {n}", author=member)
    with app.app_context():
        for role, user in (("member", member), ("caretaker", caretaker)):
            db.session.add(ApiToken(user_id=user.id, name="schemathesis",
                                    token_hash=token_digest(TOKENS[role])))
        db.session.commit()
    return TOKENS


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_described(case, app, seeded):
    case.operation.schema.app = app  # this test's app: the fixture makes one per test
    _CALLER["token"] = seeded["caretaker"]
    case.call_and_validate(app=app, excluded_checks=[positive_data_acceptance])


def test_workflows_through_the_links_answer_as_described(app, seeded):
    """Stateful: post an idea, then read, change, vote on and comment on it through the
    spec's links, as a member (whose changes to another's idea are 403s, also checked)."""
    schema.app = app
    _CALLER["token"] = seeded["member"]

    class Workflow(schema.as_state_machine()):
        def before_call(self, case):
            case.operation.schema.app = app
            # Categories are rows (ids 1 to 5 of the board's, or their slugs): a valid idea
            # names one, so that its links are there to follow.
            if (case.operation.label == "POST /api/v1/ideas" and isinstance(case.body, dict)
                    and case.meta.generation.mode is GenerationMode.POSITIVE):
                case.body["category"] = "other"

        def get_call_kwargs(self, case):
            return {"app": app}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=[positive_data_acceptance],
                                   transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=15, stateful_step_count=6, deadline=None,
                                   suppress_health_check=list(HealthCheck)))
    with app.app_context():  # the workflows did post (and so could follow the links)
        assert db.session.query(Idea).count() > SEEDED
