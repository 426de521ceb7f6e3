"""Valid requests to start from; a test changes the one thing it is about."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from typing import Any

from shared import dates
from shared.pms.common.v1 import contact_pb2
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payers.v1 import payers_pb2
from shared.pms.scheduling.v1 import setup_pb2


def a_patient(first: str = "Maria", last: str = "Lopez", born: date = date(1980, 2, 3), *,
              mobile: str = "", **fields: Any) -> patients_pb2.Patient:
    p = patients_pb2.Patient(
        name=contact_pb2.PersonName(first=first, last=last),
        date_of_birth=dates.to_pb(born), sex=contact_pb2.ADMINISTRATIVE_SEX_FEMALE,
        address=contact_pb2.PostalAddress(line1="12 Elm St", city="Columbus", state="OH", zip="43215"),
        **fields)
    if mobile:
        p.phones.append(contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_MOBILE, number=mobile))
    return p


def a_payer(name: str = "Buckeye Health Plan", payer_id: str = "BHP01", cfi: str = "CI",
            days: int = 180) -> payers_pb2.Payer:
    return payers_pb2.Payer(name=name, electronic_payer_id=payer_id, claim_filing_indicator=cfi,
                            timely_filing_days=days)


def a_policy(patient_id: int, payer_id: int, member_id: str = "XYZ123456", **fields: Any) -> insurance_pb2.Policy:
    fields.setdefault("subscriber_relationship", "18")
    fields.setdefault("effective_date", dates.to_pb(date(2024, 1, 1)))
    return insurance_pb2.Policy(patient_id=patient_id, payer_id=payer_id, member_id=member_id,
                                accept_assignment=True, signature_on_file=True, **fields)


def png_bytes(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    """A real (tiny) PNG; ``seed`` changes the pixels so two images differ."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([(seed + x + y) % 256 for x in range(width * 3)]) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pdf_bytes(text: str = "Signed consent") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def an_npi(serial: int) -> str:
    """A valid individual NPI (correct check digit) from a small number."""
    from server.scheduling.rules import npi_check_digit

    first_nine = f"1{serial:08d}"
    return first_nine + str(npi_check_digit(first_nine))


def a_provider(first: str = "Gregory", last: str = "House", serial: int = 1, **fields: Any) -> setup_pb2.Provider:
    fields.setdefault("credentials", "MD")
    fields.setdefault("taxonomy_code", "207Q00000X")
    return setup_pb2.Provider(first_name=first, last_name=last, npi=an_npi(serial), active=True, **fields)


def a_location(name: str = "Main Street Clinic", tz: str = "America/New_York", **fields: Any) -> setup_pb2.Location:
    fields.setdefault("place_of_service", "11")
    return setup_pb2.Location(
        name=name, time_zone=tz, active=True,
        address=contact_pb2.PostalAddress(line1="1 Main St", city="Columbus", state="OH", zip="43215"), **fields)


def an_appointment_type(name: str = "Follow-up", minutes: int = 15, color: str = "blue",
                        **fields: Any) -> setup_pb2.AppointmentType:
    fields.setdefault("eligibility", setup_pb2.PATIENT_ELIGIBILITY_ANY)
    return setup_pb2.AppointmentType(name=name, default_minutes=minutes, color=color, active=True, **fields)


def weekday_blocks(location_id: int, *, days: range = range(1, 6), start: int = 8 * 60, end: int = 17 * 60,
                   lunch: tuple[int, int] | None = (12 * 60, 13 * 60), **fields: Any) -> list[setup_pb2.TemplateBlock]:
    """A plain week: available start..end on each day, with a lunch block."""
    out = []
    for d in days:
        out.append(setup_pb2.TemplateBlock(location_id=location_id, weekday=d, start_minute=start, end_minute=end,
                                           kind=setup_pb2.BLOCK_KIND_AVAILABLE, **fields))
        if lunch:
            out.append(setup_pb2.TemplateBlock(location_id=location_id, weekday=d, start_minute=lunch[0],
                                               end_minute=lunch[1], kind=setup_pb2.BLOCK_KIND_LUNCH))
    return out
