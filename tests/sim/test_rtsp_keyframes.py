"""The RTSP relay tells where a keyframe starts in the H.264 RTP packets it forwards (RFC 6184)."""
from __future__ import annotations

from commandcenter.sim.rtsp import starts_keyframe

HEADER = bytes([0x80, 96]) + (1).to_bytes(2, "big") + (90_000).to_bytes(4, "big") + (0x1234).to_bytes(4, "big")


def packet(payload: bytes, header: bytes = HEADER) -> bytes:
    return header + payload


def test_parameter_sets_and_idr_slices_start_a_keyframe() -> None:
    assert starts_keyframe(packet(bytes([0x67, 0x42, 0xC0, 0x1E])))            # SPS
    assert starts_keyframe(packet(bytes([0x65, 0x88, 0x84, 0x00])))            # IDR slice, whole


def test_a_predicted_slice_and_a_picture_parameter_set_do_not() -> None:
    assert not starts_keyframe(packet(bytes([0x41, 0x9A, 0x00, 0x00])))        # non-IDR slice
    assert not starts_keyframe(packet(bytes([0x68, 0xCE, 0x3C, 0x80])))        # PPS (follows the SPS)


def test_only_the_first_fragment_of_an_idr_slice_starts_it() -> None:
    assert starts_keyframe(packet(bytes([0x7C, 0x85, 0x88, 0x84])))            # FU-A, start bit, IDR
    assert not starts_keyframe(packet(bytes([0x7C, 0x05, 0x12, 0x34])))        # FU-A, a later fragment
    assert not starts_keyframe(packet(bytes([0x7C, 0x81, 0x9A, 0x00])))        # FU-A start of a P slice


def test_an_aggregation_packet_is_judged_by_its_first_unit() -> None:
    sps = bytes([0x67, 0x42, 0xC0, 0x1E])
    assert starts_keyframe(packet(bytes([0x78]) + len(sps).to_bytes(2, "big") + sps))
    p_slice = bytes([0x41, 0x9A])
    assert not starts_keyframe(packet(bytes([0x78]) + len(p_slice).to_bytes(2, "big") + p_slice))


def test_csrcs_and_header_extensions_are_skipped() -> None:
    with_csrc = bytes([0x81]) + HEADER[1:] + (7).to_bytes(4, "big")
    assert starts_keyframe(packet(bytes([0x65, 0x88]), with_csrc))
    with_extension = bytes([0x90]) + HEADER[1:] + bytes([0xBE, 0xDE, 0x00, 0x01]) + bytes(4)
    assert starts_keyframe(packet(bytes([0x65, 0x88]), with_extension))
    assert not starts_keyframe(packet(bytes([0x41, 0x9A]), with_extension))


def test_short_or_foreign_packets_are_not_keyframes() -> None:
    assert not starts_keyframe(b"")
    assert not starts_keyframe(HEADER)
    assert not starts_keyframe(bytes([0x40]) + HEADER[1:] + bytes([0x65, 0x88]))   # RTP version 1
