#!/usr/bin/env python3
# Writes the seed corpus of fuzz_dp_frames into dp_frames/ (run once; the
# files are committed). Byte 0 of each seed is the harness's flags
# (fuzz_dp_frames.c: 0x01 inside, 0x40 tailroom, 0x80 wrap a UDP payload).
import os
import struct

OUT_MAC = bytes.fromhex("025e00000101")
PEER_MAC = bytes.fromhex("021122334455")
OUR4, PEER4 = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 10])
OUR6 = bytes.fromhex("20010db8000000010000000000000001")
PEER6 = bytes.fromhex("20010db8000000010000000000000010")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, etype):
    return dst + PEER_MAC + struct.pack("!H", etype)


def ipv4(proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto,
                    0, PEER4, OUR4)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def udp4(payload):
    u = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    ph = PEER4 + OUR4 + struct.pack("!BBH", 0, 17, len(u))
    return u[:6] + struct.pack("!H", csum(ph + u) or 0xFFFF) + u[8:]


def icmp6(dst, hops, body):
    ph = PEER6 + dst + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(ph + body)) + body[4:]
    return struct.pack("!IHBB", 6 << 28, len(body), 58, hops) + PEER6 + dst \
        + body


OPTIONS = (b"OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
           b"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKo1\r\n"
           b"Max-Forwards: 70\r\n"
           b"From: <sip:ping@partner.example>;tag=1\r\n"
           b"To: <sip:198.51.100.1>\r\n"
           b"Call-ID: o1@198.51.100.10\r\n"
           b"CSeq: 1 OPTIONS\r\n"
           b"Content-Length: 0\r\n\r\n")
SUBSCRIBE = (b"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
             b"Via: SIP/2.0/UDP 198.51.100.10:5070;branch=z9hG4bKs1\r\n"
             b"Max-Forwards: 70\r\n"
             b"From: <sip:w@evil.example>;tag=99\r\n"
             b"To: <sip:alice@example.com>\r\n"
             b"Call-ID: s1@198.51.100.10\r\n"
             b"CSeq: 1 SUBSCRIBE\r\n"
             b"Event: presence\r\n"
             b"Content-Length: 0\r\n\r\n")
SN6 = bytes.fromhex("ff0200000000000000000001ff000001")
SN_MAC = bytes.fromhex("3333ff000001")
NS = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + OUR6
NS_OPT = NS + bytes([1, 1]) + PEER_MAC

arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER4,
                  bytes(6), OUR4)
echo = bytes([8, 0, 0, 0, 0x12, 0x34, 0, 1]) + b"ping" * 8
echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
seeds = {
    "arp_request": b"\0" + eth(b"\xff" * 6, 0x0806) + arp,
    "icmp_echo": b"\0" + eth(OUT_MAC, 0x0800) + ipv4(1, echo),
    "udp_sip_options": b"\0" + eth(OUT_MAC, 0x0800) + ipv4(17, udp4(OPTIONS)),
    "udp_payload_subscribe_evil": b"\x80" + SUBSCRIBE,
    "ipv6_ns": b"\0" + eth(SN_MAC, 0x86DD) + icmp6(SN6, 255, NS_OPT),
    "ipv6_ns_no_option_tailroom": b"\x40" + eth(SN_MAC, 0x86DD)
    + icmp6(SN6, 255, NS),
}
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dp_frames")
os.makedirs(d, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
