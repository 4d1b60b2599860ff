"""Our signing helper and the webhook's check agree with Twilio's own published example, and the
webhook's check passes exactly the requests the SDK's `validate` passes."""

import random
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bot.channels.sms.signature import signature_matches
from bot.channels.sms.webhook import parse_form

VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
# As in Twilio's docs and its SDKs' tests. (The foundation issue quoted +12349013030 for Caller and
# From; with that number the signature is 0/KCTR6DLpKmkAf8muzZqo1nDgQ=, not the published one.)
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_published_vector_is_reproduced() -> None:
    validator = RequestValidator("12345")
    assert validator.compute_signature(VECTOR_URL, VECTOR_PARAMS) == VECTOR_SIGNATURE
    assert validator.validate(VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE)


def test_a_changed_parameter_breaks_the_vector() -> None:
    tampered = {**VECTOR_PARAMS, "Digits": "1235"}
    assert not RequestValidator("12345").validate(VECTOR_URL, tampered, VECTOR_SIGNATURE)


# --- The webhook's own check (bot.channels.sms.signature) against the SDK's `validate` ----------


TOKEN = "f1c9e7d2a8b34c5d9e0f1a2b3c4d5e6f"
URLS = [
    "https://waypoint.example.org/sms/twilio",
    "https://waypoint.example.org:443/sms/twilio",
    "https://waypoint.example.org:8443/sms/twilio",
    "http://waypoint.example.org/sms/twilio",
    "http://waypoint.example.org:80/sms/twilio?county=alameda&x=%20y",
    "https://waypoint.example.org/sms/twilio?bodySHA256=abc",
]
BODIES = ["hi", "trabajé 6 horas hoy 💪", "8 hrs today & 6 tue = 14", "a+b%20c", "", "línea\nnueva", "\x00"]


def _form(rng: random.Random) -> list[tuple[str, str]]:
    """A Twilio SMS/MMS form, sometimes with a repeated key or a value repeated under one key."""
    pairs = [
        ("MessageSid", f"SM{rng.getrandbits(128):032x}"),
        ("AccountSid", f"AC{rng.getrandbits(128):032x}"),
        ("From", f"+1510555{rng.randrange(10_000):04d}"),
        ("To", "+15105559999"),
        ("Body", rng.choice(BODIES)),
        ("NumMedia", str(rng.randrange(3))),
    ]
    if rng.random() < 0.3:
        pairs.append(("MediaUrl0", "https://api.twilio.com/2010-04-01/Media/ME1"))
    if rng.random() < 0.2:
        pairs.append((rng.choice(pairs)[0], rng.choice(["yes", "no", pairs[4][1]])))
    rng.shuffle(pairs)
    return pairs


def test_the_webhooks_check_passes_and_refuses_exactly_what_the_sdk_does() -> None:
    rng = random.Random(19)
    sdk = RequestValidator(TOKEN)
    outcomes = set()
    for _ in range(600):
        form = parse_form(urlencode(_form(rng)).encode())
        signed_as = rng.choice(URLS)
        checked_at = rng.choice([signed_as, *URLS])
        signature = sdk.compute_signature(signed_as, form)
        match rng.randrange(4):
            case 0:
                signature = signature[:-2] + ("A=" if signature[-2] != "A" else "B=")
            case 1:
                form["Body"] = [*form.get("Body", []), "extra"]
            case 2:
                signature = rng.choice(["", "x", signature.lower(), "é" * 28])
        expected = sdk.validate(checked_at, form, signature)
        assert signature_matches(TOKEN.encode(), checked_at, form, signature) is expected, (signed_as, checked_at)
        outcomes.add(expected)
    assert outcomes == {True, False}


def test_published_vector_passes_the_webhooks_check_and_a_changed_value_does_not() -> None:
    params = {name: [value] for name, value in VECTOR_PARAMS.items()}
    assert signature_matches(b"12345", VECTOR_URL, params, VECTOR_SIGNATURE)
    assert not signature_matches(b"12345", VECTOR_URL, {**params, "Digits": ["1235"]}, VECTOR_SIGNATURE)
    assert not signature_matches(b"54321", VECTOR_URL, params, VECTOR_SIGNATURE)
