"""Our signing helper and the webhook's check agree with Twilio's own published example."""

from twilio.request_validator import RequestValidator

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
