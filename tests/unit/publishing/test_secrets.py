"""Channel credentials at rest: readable with the app's key, unreadable without it, rotatable."""

from __future__ import annotations

import pytest

from planner.errors import PlannerError
from planner.publishing.secrets import SecretBox, SecretDecryptionError

KEY = "a-long-random-flask-secret-key-for-tests"


def test_secret_box_round_trips_text() -> None:
    box = SecretBox(KEY)
    token = box.encrypt("wachtwoord met spatie én accent")
    assert box.decrypt(token) == "wachtwoord met spatie én accent"


def test_secret_box_token_does_not_contain_the_plaintext() -> None:
    token = SecretBox(KEY).encrypt("hunter2-hunter2")
    assert "hunter2" not in token


def test_secret_box_same_key_material_decrypts_in_another_process() -> None:
    # The key is derived, not stored: a new box from the same secret key opens old tokens.
    assert SecretBox(KEY).decrypt(SecretBox(KEY).encrypt("x")) == "x"


def test_secret_box_wrong_key_gives_a_clear_error() -> None:
    token = SecretBox(KEY).encrypt("token")
    with pytest.raises(SecretDecryptionError) as caught:
        SecretBox("another-secret-key").decrypt(token)
    assert "secret key has changed" in caught.value.message
    assert isinstance(caught.value, PlannerError)


def test_secret_box_rejects_garbage_tokens() -> None:
    with pytest.raises(SecretDecryptionError):
        SecretBox(KEY).decrypt("not-a-fernet-token")


def test_secret_box_rotation_reencrypts_under_the_new_key() -> None:
    old_token = SecretBox("old-key").encrypt("token")
    rotating = SecretBox("new-key", previous_keys=["old-key"])
    assert rotating.decrypt(old_token) == "token"
    assert SecretBox("new-key").decrypt(rotating.rotate(old_token)) == "token"


def test_secret_box_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError, match="empty"):
        SecretBox("")


def test_secret_box_repr_hides_the_key() -> None:
    assert KEY not in repr(SecretBox(KEY))
