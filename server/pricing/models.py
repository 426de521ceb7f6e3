"""Medicare physician fee schedule releases: the CMS RVUs per code, the GPCIs per locality, the conversion factor.

Reference data shared by every practice on the server, like the code sets. Every number is stored as an exact
integer in the unit CMS publishes it to: RVUs in hundredths, GPCIs in thousandths, the conversion factor in
ten-thousandths of a dollar (33.4009 is 334009). `server/pricing/fees.py` turns them into cents.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class PfsRelease(Base):
    """One CMS release (e.g. "CY2026 January"): an RVU file, a GPCI file and a conversion factor."""

    __tablename__ = "medicare_pfs_release"
    __table_args__ = (
        Index("uq_medicare_pfs_release_effective", "effective_date", unique=True),
        CheckConstraint("conversion_factor > 0", name="conversion_factor_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(80))
    # First date of service the release prices.
    effective_date: Mapped[date]
    # Dollars x 10,000: 33.4009 is stored as 334009.
    conversion_factor: Mapped[int] = mapped_column(Integer)
    rvu_source: Mapped[str] = mapped_column(String(200))
    gpci_source: Mapped[str] = mapped_column(String(200))
    rvu_count: Mapped[int] = mapped_column(Integer)
    locality_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PfsRvu(Base):
    """The RVUs of one HCPCS/CPT code with one pricing modifier ('' global, '26', 'TC', '53') in one release."""

    __tablename__ = "medicare_pfs_rvu"
    __table_args__ = (
        CheckConstraint("work_rvu >= 0 AND pe_nonfacility_rvu >= 0 AND pe_facility_rvu >= 0 AND mp_rvu >= 0",
                        name="rvus_not_negative"),
    )

    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("medicare_pfs_release.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)
    modifier: Mapped[str] = mapped_column(String(2, collation="C"), primary_key=True)
    # CMS status code (A active, R restricted, T injections, I not valid for Medicare, B bundled, ...).
    status: Mapped[str] = mapped_column(String(1))
    # Hundredths of an RVU: 1.30 is stored as 130.
    work_rvu: Mapped[int] = mapped_column(Integer)
    pe_nonfacility_rvu: Mapped[int] = mapped_column(Integer)
    pe_facility_rvu: Mapped[int] = mapped_column(Integer)
    mp_rvu: Mapped[int] = mapped_column(Integer)


class PfsLocality(Base):
    """The GPCIs of one Medicare payment locality (MAC number + locality number) in one release."""

    __tablename__ = "medicare_pfs_locality"
    __table_args__ = (
        CheckConstraint("work_gpci > 0 AND pe_gpci > 0 AND mp_gpci > 0", name="gpcis_positive"),
    )

    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("medicare_pfs_release.id"), primary_key=True)
    # Medicare Administrative Contractor (carrier) number, 5 digits, e.g. "10112".
    contractor: Mapped[str] = mapped_column(String(5), primary_key=True)
    # Locality number, 2 digits, e.g. "00", "99".
    locality: Mapped[str] = mapped_column(String(2), primary_key=True)
    state: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(120))
    # Thousandths: 1.000 is stored as 1000 (the work GPCI as published, with the 1.0 floor where the law sets one).
    work_gpci: Mapped[int] = mapped_column(Integer)
    pe_gpci: Mapped[int] = mapped_column(Integer)
    mp_gpci: Mapped[int] = mapped_column(Integer)


class FeeScheduleEntry(Base):
    """The practice's own charge for one unit of a code (with a modifier, or '' for any), from a date on.

    A change of fee is a new row with its date, so a line keeps the fee it was charged and the schedule keeps its
    history; the fee in effect on a date of service is the latest row on or before it."""

    __tablename__ = "fee_schedule_entry"
    __table_args__ = (CheckConstraint("fee_cents >= 0", name="fee_not_negative"),)

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)
    modifier: Mapped[str] = mapped_column(String(2, collation="C"), primary_key=True)
    effective_from: Mapped[date] = mapped_column(primary_key=True)
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PayerContract(Base):
    """What one payer agreed to allow, for a span of dates: a rate per code, and for codes without one, a
    percentage of the Medicare fee in a locality. Contracts of one payer never overlap (the database refuses)."""

    __tablename__ = "payer_contract"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
        CheckConstraint("medicare_percent IS NULL OR medicare_percent > 0", name="percent_positive"),
        CheckConstraint("medicare_percent IS NULL OR (medicare_contractor <> '' AND medicare_locality <> '')",
                        name="percent_has_locality"),
        Index("ix_payer_contract_payer", "practice_id", "payer_id", "effective_from"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    payer_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date]
    # The last day the contract covers; NULL while it runs.
    effective_to: Mapped[date | None]
    # Hundredths of a percent of the Medicare fee: 115% is 11500. NULL: codes without a rate have no expectation.
    medicare_percent: Mapped[int | None] = mapped_column(Integer)
    medicare_contractor: Mapped[str] = mapped_column(String(5), server_default="")
    medicare_locality: Mapped[str] = mapped_column(String(2), server_default="")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PayerContractRate(Base):
    """The allowed amount for one unit of a code (with a modifier, or '' for any) under a contract."""

    __tablename__ = "payer_contract_rate"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "contract_id"], ["payer_contract.practice_id", "payer_contract.id"],
                             ondelete="CASCADE"),
        CheckConstraint("allowed_cents >= 0", name="allowed_not_negative"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contract_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)
    modifier: Mapped[str] = mapped_column(String(2, collation="C"), primary_key=True)
    allowed_cents: Mapped[int] = mapped_column(BigInteger)
