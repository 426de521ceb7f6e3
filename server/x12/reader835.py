"""The 835 reader (005010X221A1, health care claim payment/advice): the remittance a payer sends, as the same
`Remittance` values `server.x12.writer835` writes. Pure Python; money to integer cents, units to thousandths.

Strict, in the guide's order: header (BPR, TRN, CUR, REF*EV/F2, DTM*405), payer 1000A (N1*PR, N3, N4, REF, PER;
PER*BL required), payee 1000B (N1*PE, N3, N4, REF, RDM), LX headers (TS3, TS2) each with its claims (2100: CLP,
CAS, NM1 QC/IL/74/82/TT/PR/GB, MIA, MOA, REF, DTM, PER, AMT, QTY) and their lines (2110: SVC, DTM, CAS, REF, AMT,
QTY, LQ), then PLB. Segments the guide allows but `Remittance` does not model are checked for their qualifier and
skipped; anything else (an unknown segment, a qualifier the guide does not list, a segment out of its loop) raises
`X12ReadError` naming the segment and its line. See `check_balanced` for the payment arithmetic.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from server.x12.claim837 import Address
from server.x12.reader import (
    FunctionalGroup,
    Interchange,
    Segment,
    SegmentCursor,
    TransactionSet,
    X12ReadError,
    optional_cents,
    parse_cents,
    parse_date,
    read_interchanges,
)
from server.x12.writer835 import (
    ADJUSTMENT_GROUPS,
    CLAIM_STATUSES,
    HANDLING_CODES,
    IMPLEMENTATION_GUIDE,
    MAX_ADJUSTMENTS_PER_CAS,
    MAX_PLB_ADJUSTMENTS,
    PAYMENT_METHODS,
    PLB_REASONS,
    PROCEDURE_QUALIFIERS,
    Adjustment,
    BankAccount,
    ClaimPayment,
    Payee,
    Payer,
    Person,
    ProviderAdjustment,
    Remittance,
    RenderingProvider,
    ServicePayment,
)
from server.x12.writer_base import Envelope

NAME = "835 remittance"
# Qualifiers the guide lists for the segments we accept but do not model.
_HEADER_REFS = frozenset({"EV", "F2"})
_PAYER_REFS = frozenset({"2U", "EO", "HI", "NF"})
_PAYER_CONTACTS = frozenset({"CX", "BL", "IC"})
_PAYEE_REFS = frozenset({"TJ", "PQ", "D3", "0B"})
_PAYEE_ID_QUALIFIERS = frozenset({"FI", "XV", "XX"})
_CLAIM_PARTIES = ("QC", "IL", "74", "82", "TT", "PR", "GB")  # 2100 NM1s in the guide's order
_CLAIM_REFS = frozenset({"1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY",
                         "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "LU"})
_CLAIM_DATES = frozenset({"232", "233", "050", "036", "037"})
_CLAIM_AMOUNTS = frozenset({"AU", "D8", "DY", "F5", "I", "NL", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"})
_QUANTITIES = frozenset({"CA", "CD", "LA", "LE", "NE", "NR", "OU", "PS", "VS", "ZK", "ZL", "ZM", "ZN", "ZO"})
_LINE_REFS = frozenset({"1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB", "6R", "0B", "1A", "1B", "1C", "1D", "1G",
                        "1H", "1J", "D3", "G2", "HPI", "SY", "TJ", "0K"})
_LINE_DATES = frozenset({"472", "150", "151"})
_LINE_AMOUNTS = frozenset({"B6", "KH", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"})
_LINE_REMARKS = frozenset({"HE", "RX"})
_MIA_REMARKS = (5, 20, 21, 22, 23)
_MOA_REMARKS = (3, 4, 5, 6, 7)
_QUANTITY = re.compile(r"(-?)([0-9]*)(?:\.([0-9]*))?\Z")
_TIME = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})?[0-9]*\Z")


def read_835(data: bytes | str) -> tuple[Remittance, ...]:
    """One `Remittance` per 835 transaction set in the file; `X12ReadError` for anything that is not one."""
    interchanges = read_interchanges(data)
    sets = [(interchange, group, transaction) for interchange in interchanges for group in interchange.groups
            for transaction in group.transactions]
    # Every group and set is checked for kind and version before any is read, so the message names the first
    # wrong one rather than some later structural error.
    for _, group, transaction in sets:
        _check_kind(group, transaction)
    if not sets:
        raise interchanges[-1].trailer.error(f"the file holds no {NAME} transaction set")
    return tuple(_Transaction(interchange, group, transaction).read() for interchange, group, transaction in sets)


def check_balanced(r: Remittance) -> str | None:
    """None when BPR02 = the claims' paid amounts less the PLB amounts (positive PLB amounts are taken back,
    negative ones such as L6 interest are added, as in the writer); otherwise a sentence saying by how much."""
    paid = sum(c.paid_cents for c in r.claims)
    taken = sum(a.amount_cents for a in r.provider_adjustments)
    expected = paid - taken
    if r.payment_cents == expected:
        return None
    return (f"The payment (BPR02) of {_dollars(r.payment_cents)} is not the claims' paid amounts "
            f"({_dollars(paid)}) less the provider adjustments ({_dollars(taken)}), which is {_dollars(expected)}: "
            f"off by {_dollars(r.payment_cents - expected)}.")


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _check_kind(group: FunctionalGroup, transaction: TransactionSet) -> None:
    if group.functional_id != "HP":
        raise group.header.error(f"GS01 is {group.functional_id!r}: this functional group is not an {NAME} "
                                 "(expected GS01 'HP')")
    if group.version != IMPLEMENTATION_GUIDE:
        raise group.header.error(f"GS08 is {group.version!r}: only the 835 guide {IMPLEMENTATION_GUIDE} is read")
    st = transaction.header
    if transaction.set_id != "835":
        raise st.error(f"ST01 is {transaction.set_id!r}: this transaction set is not an {NAME} (expected '835')")
    # The guide marks ST03 not used, but when sent it must name the same guide.
    if transaction.implementation_guide not in ("", IMPLEMENTATION_GUIDE):
        raise st.error(f"ST03 is {transaction.implementation_guide!r}: only the 835 guide {IMPLEMENTATION_GUIDE} "
                       "is read")


def _code(segment: Segment, position: int, allowed: frozenset[str], what: str) -> str:
    value = segment.element(position)
    if value not in allowed:
        raise segment.error(f"{segment.id}{position:02d} ({what}) is {value!r}, not one of "
                            f"{', '.join(sorted(allowed))}")
    return value


def _integer(segment: Segment, position: int) -> str:
    value = segment.element(position)
    if not value.isdigit() or not value.isascii():
        raise segment.error(f"{segment.id}{position:02d} must be a control number of digits, got {value!r}")
    return value


def _milli(segment: Segment, position: int, value: str) -> int:
    """A quantity (R) as thousandths, exactly: `3` -> 3000, `1.5` -> 1500."""
    match = _QUANTITY.match(value)
    if not value or match is None or not (match.group(2) or match.group(3)):
        raise segment.error(f"{segment.id}{position:02d} must be a quantity, got {value!r}")
    sign, whole, fraction = match.group(1), match.group(2) or "0", match.group(3) or ""
    if len(fraction) > 3 and fraction[3:].strip("0"):
        raise segment.error(f"{segment.id}{position:02d} quantity {value!r} has more than 3 decimal places")
    milli = int(whole) * 1000 + int((fraction + "000")[:3])
    return -milli if sign else milli


def _count(segment: Segment, position: int) -> int:
    """A CAS quantity: a whole number of units (`2`, `2.0`)."""
    value = segment.element(position)
    if not value:
        return 0
    milli = _milli(segment, position, value)
    if milli % 1000:
        raise segment.error(f"{segment.id}{position:02d} quantity {value!r} is not a whole number of units")
    return milli // 1000


def _envelope(interchange: Interchange, group: FunctionalGroup, transaction: TransactionSet) -> Envelope:
    gs = group.header
    day = parse_date(gs, 4)
    match = _TIME.match(gs.element(5))
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59 or int(match.group(3) or 0) > 59:
        raise gs.error(f"GS05 must be a time HHMM[SS[dd]], got {gs.element(5)!r}")
    created = datetime(day.year, day.month, day.day, int(match.group(1)), int(match.group(2)),
                       int(match.group(3) or 0))
    isa = interchange.header
    return Envelope(interchange.sender, interchange.receiver, created, int(_integer(isa, 13)), int(_integer(gs, 6)),
                    int(_integer(transaction.header, 2)), isa.element(5), isa.element(7), isa.element(15))


def _adjustments(cas: Segment) -> list[Adjustment]:
    group = _code(cas, 1, ADJUSTMENT_GROUPS, "claim adjustment group")
    adjustments = []
    for n in range(MAX_ADJUSTMENTS_PER_CAS):
        reason_at = 2 + 3 * n
        if not cas.element(reason_at):
            for extra in (reason_at + 1, reason_at + 2):
                if cas.element(extra):
                    raise cas.error(f"CAS{extra:02d} is sent without its reason code CAS{reason_at:02d}")
            continue
        adjustments.append(Adjustment(group, cas.element(reason_at), parse_cents(cas, reason_at + 1),
                                      _count(cas, reason_at + 2)))
    if len(cas.elements) > 1 + 3 * MAX_ADJUSTMENTS_PER_CAS:
        raise cas.error(f"CAS has {len(cas.elements)} elements, at most {1 + 3 * MAX_ADJUSTMENTS_PER_CAS}")
    if not adjustments:
        raise cas.error("CAS02 (claim adjustment reason code) is required but empty")
    return adjustments


def _person(nm1: Segment) -> Person:
    return Person(nm1.element(3), nm1.element(4), nm1.element(5), nm1.element(7), nm1.element(9))


def _address(n3: Segment | None, n4: Segment) -> Address:
    return Address(n3.element(1) if n3 else "", n4.element(1), n4.element(2), n4.element(3),
                   n3.element(2) if n3 else "")


class _Transaction:
    def __init__(self, interchange: Interchange, group: FunctionalGroup, transaction: TransactionSet) -> None:
        self.envelope = _envelope(interchange, group, transaction)
        self.c = SegmentCursor(transaction, NAME)

    def take_qualified(self, segment_id: str, allowed: frozenset[str], what: str) -> list[Segment]:
        """All the next `segment_id` segments; each must carry one of the guide's qualifiers for this place."""
        taken = self.c.take_all(segment_id)
        for segment in taken:
            _code(segment, 1, allowed, what)
        return taken

    def read(self) -> Remittance:
        c = self.c
        bpr = c.expect("BPR", "financial information")
        trn = c.expect("TRN", "reassociation trace number")
        c.take("CUR")
        receiver_id = ""
        for ref in self.take_qualified("REF", _HEADER_REFS, "reference qualifier in the 835 header"):
            if ref.element(1) == "EV":
                receiver_id = ref.required(2, "receiver identification")
        production = c.take("DTM", "405")
        if c.at("DTM"):
            raise c.unexpected("DTM*405 (production date) or N1*PR")
        handling = _code(bpr, 1, HANDLING_CODES, "transaction handling code")
        payment = parse_cents(bpr, 2)
        _code(bpr, 3, frozenset({"C", "D"}), "credit/debit flag")
        method = _code(bpr, 4, PAYMENT_METHODS, "payment method")
        payer_account = payee_account = None
        if method == "ACH":
            for position in (5, 6, 7, 8, 9, 10, 12, 13, 14, 15):
                bpr.required(position, "required for ACH payments")
        if bpr.element(7):
            payer_account = BankAccount(bpr.element(7), bpr.required(9, "payer account number"),
                                        bpr.required(8, "payer account type"))
        if bpr.element(13):
            payee_account = BankAccount(bpr.element(13), bpr.required(15, "payee account number"),
                                        bpr.required(14, "payee account type"))
        payment_date = parse_date(bpr, 16)
        if trn.element(1) != "1":
            raise trn.error(f"TRN01 must be 1 (current transaction trace numbers), got {trn.element(1)!r}")
        trace = trn.required(2, "check or EFT trace number")
        company = trn.required(3, "payer identifier")
        # The guide's TRN03 is "1" followed by the payer's EIN.
        payer_tax_id = company[1:] if len(company) == 10 and company.isdigit() and company[0] == "1" else company
        payer = self.payer(payer_tax_id)
        payee = self.payee()
        claims: list[ClaimPayment] = []
        while (lx := c.take("LX")) is not None:
            lx.required(1, "assigned number")
            c.take("TS3")
            c.take("TS2")
            if not c.at("CLP"):
                raise c.unexpected("CLP (every LX header holds at least one claim)")
            while c.at("CLP"):
                claims.append(self.claim())
        adjustments, fiscal_period_end = self.provider_adjustments()
        c.finish("LX, CLP (inside an LX), PLB or SE")
        if not claims and not adjustments:
            raise c.trailer.error(f"{NAME}: neither a claim (CLP) nor a provider adjustment (PLB)")
        return Remittance(self.envelope, payer, payee, method, payment, payment_date, trace,
                          parse_date(production, 2) if production else payment_date, tuple(claims),
                          adjustments, fiscal_period_end, payer_account, payee_account, handling, receiver_id)

    def payer(self, tax_id: str) -> Payer:
        c = self.c
        n1 = c.expect("N1", "payer identification", "PR")
        n3 = c.expect("N3", "payer address")
        n4 = c.expect("N4", "payer city, state, ZIP code")
        payer_id = ""
        for ref in self.take_qualified("REF", _PAYER_REFS, "payer reference qualifier"):
            if ref.element(1) == "2U":
                payer_id = ref.required(2, "payer identification number")
        contacts = self.take_qualified("PER", _PAYER_CONTACTS, "payer contact function code")
        technical = [per for per in contacts if per.element(1) == "BL"]
        if not technical:
            raise (c.peek() or c.trailer).error(f"{NAME}: the payer's technical contact (PER*BL), which the guide "
                                                "requires, is missing before this segment")
        per = technical[0]
        numbers = {per.element(p): per.element(p + 1) for p in (3, 5, 7) if per.element(p)}
        return Payer(n1.required(2, "payer name"), _address(n3, n4), tax_id, numbers.get("TE", ""),
                     per.element(2), numbers.get("EM", ""), payer_id)

    def payee(self) -> Payee:
        c = self.c
        n1 = c.expect("N1", "payee identification", "PE")
        qualifier = _code(n1, 3, _PAYEE_ID_QUALIFIERS, "payee identification code qualifier")
        identifier = n1.required(4, "payee identification code")
        n3 = c.take("N3")
        n4 = c.take("N4")
        if n3 is not None and n4 is None:
            raise c.unexpected("N4 (the payee's city, state, ZIP code after N3)")
        tax_id = ""
        for ref in self.take_qualified("REF", _PAYEE_REFS, "payee reference qualifier"):
            if ref.element(1) == "TJ":
                tax_id = ref.required(2, "payee tax id")
        # A payee named by its tax id (N103 FI) and no REF*TJ: that id is the tax id.
        if not tax_id and qualifier == "FI":
            tax_id = identifier
        c.take("RDM")
        return Payee(n1.required(2, "payee name"), identifier if qualifier == "XX" else "", tax_id,
                     _address(n3, n4) if n4 is not None else None)

    def claim(self) -> ClaimPayment:
        c = self.c
        clp = c.expect("CLP", "claim payment information")
        adjustments = [a for cas in c.take_all("CAS") for a in _adjustments(cas)]
        patient = _person(c.expect("NM1", "patient name", "QC"))
        subscriber: Person | None = None
        rendering: RenderingProvider | None = None
        order = 0
        while c.at("NM1"):
            nm1 = c.peek()
            assert nm1 is not None
            entity = nm1.element(1)
            if entity not in _CLAIM_PARTIES[order + 1:]:
                raise c.unexpected(f"an NM1 of {', '.join(_CLAIM_PARTIES[order + 1:])} (the guide's order, each "
                                   "once)")
            order = _CLAIM_PARTIES.index(entity)
            c.take("NM1")
            if entity == "IL":
                subscriber = _person(nm1)
            elif entity == "82":
                rendering = RenderingProvider(nm1.element(3), nm1.element(9) if nm1.element(8) == "XX" else "",
                                              nm1.element(4))
        remarks: list[str] = []
        mia = c.take("MIA")
        if mia is not None:
            remarks += [mia.element(p) for p in _MIA_REMARKS if mia.element(p)]
        moa = c.take("MOA")
        if moa is not None:
            remarks += [moa.element(p) for p in _MOA_REMARKS if moa.element(p)]
        self.take_qualified("REF", _CLAIM_REFS, "claim reference qualifier")
        dates: dict[str, date] = {}
        for dtm in self.take_qualified("DTM", _CLAIM_DATES, "claim date qualifier"):
            if dtm.element(1) in dates:
                raise dtm.error(f"DTM*{dtm.element(1)} is sent twice for this claim")
            dates[dtm.element(1)] = parse_date(dtm, 2)
        self.take_qualified("PER", frozenset({"CX"}), "claim contact function code")
        for amt in self.take_qualified("AMT", _CLAIM_AMOUNTS, "claim amount qualifier"):
            parse_cents(amt, 2)
        for qty in self.take_qualified("QTY", _QUANTITIES, "claim quantity qualifier"):
            _milli(qty, 2, qty.element(2))
        lines: list[ServicePayment] = []
        while c.at("SVC"):
            lines.append(self.line(dates.get("232"), dates.get("233")))
        return ClaimPayment(
            control_number=clp.required(1, "patient control number"),
            status=_code(clp, 2, CLAIM_STATUSES, "claim status code"),
            charge_cents=parse_cents(clp, 3),
            paid_cents=parse_cents(clp, 4),
            claim_filing_indicator=clp.required(6, "claim filing indicator code"),
            payer_claim_number=clp.required(7, "payer claim control number"),
            patient=patient,
            facility_code=clp.element(8),
            frequency=clp.element(9),
            patient_responsibility_cents=optional_cents(clp, 5),
            adjustments=tuple(adjustments),
            subscriber=subscriber,
            rendering=rendering,
            remarks=tuple(remarks),
            statement_from=dates.get("232"),
            statement_to=dates.get("233"),
            received_on=dates.get("050"),
            lines=tuple(lines),
        )

    def line(self, statement_from: date | None, statement_to: date | None) -> ServicePayment:
        c = self.c
        svc = c.expect("SVC", "service payment information")
        procedure = svc.components(1)
        if len(procedure) < 2 or not procedure[1]:
            raise svc.error(f"SVC01 must be a composite qualifier:procedure code, got {svc.element(1)!r}")
        qualifier = procedure[0]
        if qualifier not in PROCEDURE_QUALIFIERS:
            raise svc.error(f"SVC01-1 (product/service id qualifier) is {qualifier!r}, not one of "
                            f"{', '.join(sorted(PROCEDURE_QUALIFIERS))}")
        modifiers = tuple(m for m in procedure[2:6] if m)
        units = _milli(svc, 5, svc.element(5)) if svc.element(5) else 1000
        dates: dict[str, date] = {}
        for dtm in self.take_qualified("DTM", _LINE_DATES, "service date qualifier"):
            if dtm.element(1) in dates:
                raise dtm.error(f"DTM*{dtm.element(1)} is sent twice for this service line")
            dates[dtm.element(1)] = parse_date(dtm, 2)
        if "472" in dates and ("150" in dates or "151" in dates):
            raise svc.error("the service line has both DTM*472 and a DTM*150/151 period")
        start = dates.get("472") or dates.get("150")
        end = dates.get("151")
        if start is None:
            # The guide leaves the line date out when the claim's statement dates cover it.
            start, end = statement_from, statement_to if statement_to != statement_from else None
        if start is None:
            raise svc.error("the service line has no date (DTM*472 or DTM*150) and the claim no statement date "
                            "(DTM*232)")
        adjustments = [a for cas in c.take_all("CAS") for a in _adjustments(cas)]
        control_number = ""
        for ref in self.take_qualified("REF", _LINE_REFS, "service line reference qualifier"):
            if ref.element(1) == "6R":
                control_number = ref.required(2, "line item control number")
        allowed: int | None = None
        for amt in self.take_qualified("AMT", _LINE_AMOUNTS, "service line amount qualifier"):
            amount = parse_cents(amt, 2)
            if amt.element(1) == "B6":
                allowed = amount
        for qty in self.take_qualified("QTY", _QUANTITIES, "service line quantity qualifier"):
            _milli(qty, 2, qty.element(2))
        remarks = tuple(lq.required(2, "remark code") for lq in self.take_qualified(
            "LQ", _LINE_REMARKS, "remark code list qualifier") if lq.element(1) == "HE")
        return ServicePayment(procedure[1], parse_cents(svc, 2), parse_cents(svc, 3), start, end, modifiers,
                              qualifier, units, tuple(adjustments), control_number, allowed, remarks)

    def provider_adjustments(self) -> tuple[tuple[ProviderAdjustment, ...], date | None]:
        adjustments: list[ProviderAdjustment] = []
        fiscal_period_end: date | None = None
        for plb in self.c.take_all("PLB"):
            plb.required(1, "provider identifier")
            period = parse_date(plb, 2)
            fiscal_period_end = fiscal_period_end or period
            if len(plb.elements) > 2 + 2 * MAX_PLB_ADJUSTMENTS:
                raise plb.error(f"PLB has {len(plb.elements)} elements, at most {2 + 2 * MAX_PLB_ADJUSTMENTS}")
            for n in range(MAX_PLB_ADJUSTMENTS):
                reason_at = 3 + 2 * n
                if not plb.element(reason_at):
                    if plb.element(reason_at + 1):
                        raise plb.error(f"PLB{reason_at + 1:02d} is sent without its reason PLB{reason_at:02d}")
                    continue
                reason = plb.component(reason_at, 1)
                if reason not in PLB_REASONS:
                    raise plb.error(f"PLB{reason_at:02d}-1 (adjustment reason) is {reason!r}, not one of the "
                                    "guide's codes")
                if not plb.element(reason_at + 1):
                    raise plb.error(f"PLB{reason_at + 1:02d} (adjustment amount) is required but empty")
                adjustments.append(ProviderAdjustment(reason, parse_cents(plb, reason_at + 1),
                                                      plb.component(reason_at, 2)))
            if not plb.element(3):
                raise plb.error("PLB03 (the first adjustment) is required but empty")
        return tuple(adjustments), fiscal_period_end


__all__ = ["X12ReadError", "check_balanced", "read_835"]
