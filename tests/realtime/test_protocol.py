"""Frame parsing says what is wrong with a frame: a missing type, unknown fields, every bad
field at once."""

from __future__ import annotations

import pytest

from chinwag.realtime.protocol import FrameError, PingFrame, SendFrame, parse_frame


def refusal(raw: dict) -> FrameError:
    with pytest.raises(FrameError) as refused:
        parse_frame(raw)
    return refused.value


def test_a_frame_without_type_hears_that_the_field_is_missing():
    error = refusal({"chat_id": 1, "text": "hi"})
    assert error.code == "validation_error"
    assert error.message.startswith("type: missing")
    assert "None" not in error.message


def test_an_unknown_type_is_still_named():
    error = refusal({"type": "dance"})
    assert (error.code, error.message) == ("unknown_type", "unknown frame type 'dance'")


def test_unknown_fields_are_refused_by_name():
    error = refusal(
        {"type": "message.send", "chat_id": 1, "text": "hi", "client_id": "c-1", "reply_to_id": 3}
    )
    assert error.code == "validation_error"
    assert error.message == "reply_to_id: unknown field"
    assert error.client_id == "c-1"  # the composer can say which send failed


def test_every_bad_field_is_named():
    error = refusal({"type": "message.send", "chat_id": "one", "client_id": 7})
    assert "chat_id:" in error.message and "client_id:" in error.message


def test_good_frames_parse():
    assert isinstance(parse_frame({"type": "ping"}), PingFrame)
    frame = parse_frame({"type": "message.send", "chat_id": 1, "text": "hi", "client_id": "c"})
    assert isinstance(frame, SendFrame) and frame.text == "hi"
