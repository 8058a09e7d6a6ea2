"""GET /api/calibration_units: the console units the Calibration page computes pulse widths with,
served from the car's calibration maths (the page copies no constant of calibration/maths.py)."""

from __future__ import annotations

from calibration import maths
from tests.console.conftest import ConsoleClient
from tests.console.fake_car import FakeCar


def test_the_units_are_the_calibration_maths(client: ConsoleClient) -> None:
    body = client.get("/api/calibration_units").json()
    assert body == {
        "success": True,
        "pwm_offset_ns": maths.PWM_OFFSET,
        "kinds": {
            "angle": {"factor_ns": maths.ui_factor(maths.CAL_TYPE_SERVO), "default_polarity": maths.DEFAULT_SERVO.polarity},
            "throttle": {"factor_ns": maths.ui_factor(maths.CAL_TYPE_MOTOR),
                         "default_polarity": maths.DEFAULT_MOTOR.polarity},
        },
    }
    # the original console's units (section 3 of the API notes), which every console relies on
    assert (body["pwm_offset_ns"], body["kinds"]["angle"]["factor_ns"], body["kinds"]["throttle"]["factor_ns"]) == (
        1_500_000, 10_000, 4_500)


def test_a_value_the_page_saves_is_the_pulse_the_units_give(client: ConsoleClient, car: FakeCar) -> None:
    """What the page shows as "pulse … ms" (v * factor + offset, from this answer) is what the car gets."""
    units = client.get("/api/calibration_units").json()
    client.get("/api/set_calibration_mode")
    for kind, cal_type, values in (("angle", maths.CAL_TYPE_SERVO, {"mid": 3, "min": -20, "max": 25}),
                                   ("throttle", maths.CAL_TYPE_MOTOR, {"mid": -5, "min": -12, "max": 20})):
        assert client.post(f"/api/set_calibration/{kind}", {**values, "polarity": 1}).json() == {"success": True}
        saved = car.calibration[cal_type]
        factor = units["kinds"][kind]["factor_ns"]
        for name, v in values.items():
            assert getattr(saved, name) == v * factor + units["pwm_offset_ns"], (kind, name)


def test_the_units_need_a_login(anon: ConsoleClient) -> None:
    response = anon.get("/api/calibration_units")
    assert response.status_code == 401
    assert response.json()["success"] is False
