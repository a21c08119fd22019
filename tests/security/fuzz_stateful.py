"""schemathesis's stateful phase, as one role: sequences of requests that
follow the schema's links (clinic/core/api/schema_links.py), so a record made or
listed by one step is read, updated and acted on by the next, with the ETag
it came with.

The machine holds only the operations the role may call (role_matrix): the
refusals are the other phases' job, and here they would use up the steps.
Each scenario starts from the world as built (a savepoint rolled back after
it). A scenario that starts on one record's operation (an action, a detail)
gets the world's real id for it, as the other phases do, and every other
scenario that starts on a list reads it without query parameters, so that
it lists records for the links to follow rather than a 400 or 404.
"""

from collections import Counter
from typing import Any

import hypothesis
from django.core.cache import cache
from django.db import transaction
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.python._constants.orchestrator import make_constants_value_source

from tests.security import role_matrix
from tests.security.fuzz_support import (
    STATEFUL_CHECKS,
    Failures,
    auth_headers,
    load_schema,
    real_ids,
)
from tests.security.world import World


class FollowEveryLink:
    """Link calibration that always uses a link's values. schemathesis would
    otherwise swap some for a fresh random id by a coin flip outside
    Hypothesis's control, so two runs with the same seed could differ; random
    ids are the other passes' job."""

    def use_probability(self, transition_id: str) -> float:
        return 1.0

    def is_calibrated(self, transition_id: str) -> bool:
        return True


def run_stateful(
    world: World, role: str, *, scenarios: int, steps: int
) -> tuple[Failures, Counter[str]]:
    """Run the machine; the failures, and how many steps of each kind
    answered 2xx ("root", "linked") or anything else."""
    failures = Failures("stateful", role)
    outcomes: Counter[str] = Counter()
    headers = auth_headers(world, role)
    permitted = [op for op, cells in role_matrix.API.items() if cells[role] < 300]
    schema = load_schema().include(name=permitted)
    base = schema.build_state_machine(
        feedback=FeedbackSources(
            constants_value_source=make_constants_value_source(schema)
        ),
        link_calibration=FollowEveryLink(),
    )

    class RoleMachine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            cache.clear()
            self._savepoint = transaction.savepoint()
            # Per scenario, so a scenario's steps depend on its own draws only.
            self._lists_read: Counter[str] = Counter()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self._savepoint)

        def step(self, input: Any) -> Any:
            case = input.case
            label = case.operation.label
            if input.transition is None and case.path_parameters:
                case.path_parameters = real_ids(world, label, role)
            elif input.transition is None and label.startswith("GET "):
                self._lists_read[label] += 1
                if self._lists_read[label] % 2:
                    case.query = {}
            output = super().step(input)
            kind = "root" if input.transition is None else "linked"
            ok = 200 <= output.response.status_code < 300
            outcomes[f"{kind} {'2xx' if ok else 'other'}"] += 1
            return output

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            failures.sent += 1
            failures.validate(
                case,
                response,
                headers,
                STATEFUL_CHECKS,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    RoleMachine.run(
        settings=hypothesis.settings(
            max_examples=scenarios,
            stateful_step_count=steps,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    return failures, outcomes
