"""uvicorn's WebSocket protocol (websockets' sans-I/O implementation, uvicorn's default), with
a text message that isn't UTF-8 handed to the app instead of logged.

uvicorn logs an ERROR with a traceback for each such message and closes with 1007; a client
can send them at will, one socket after another, and flood the log. Here the message reaches
the app as the bytes it is, and the gateway answers it as it answers any frame that isn't
JSON text: an `error` frame (`invalid_frame`), the socket stays open (the protocol's contract
for a bad frame, rather than RFC 6455's close)."""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text":
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            if not _is_utf8(data):
                self.curr_msg_data_type = "bytes"  # what uvicorn's method then passes on
        super().send_receive_event_to_app()
