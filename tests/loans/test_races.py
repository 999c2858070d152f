"""Real threads on PostgreSQL: a bank file and an API call pledging the same IP asset at the same moment, and
concurrent registrations of the same new borrower or bank reference. Exactly one wins; the loser gets a 409
or a row error naming the asset, never a 500 and never a second live pledge."""
import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from finance.parties.models import OrgKind, Role
from finance.parties.services import organisation_create
from loans.files import loan_file_process, loan_file_upload, template_headers
from loans.models import IPAsset, Loan, Pledge
from loans.services import loan_submit, registration, repayment_record
from tests.conftest import key_client, postgres_only
from tests.loans.loan_factories import borrower_code, loan_body, patent, pledge, registration_no

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


def run_together(*targets):
    """Start the targets on threads at one barrier; the register check is slowed a little so both are in
    their transactions at once (the row locks, not luck, must decide)."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)
    real_check = registration.asset_errors

    def slow_check(*args, **kwargs):
        time.sleep(0.3)
        return real_check(*args, **kwargs)

    def run(i, target):
        try:
            barrier.wait()
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - recorded and asserted on
            results[i] = exc
        finally:
            connection.close()

    with mock.patch.object(registration, "asset_errors", side_effect=slow_check):
        threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return results


def file_bytes(body) -> bytes:
    p = body["pledges"][0]
    row = [body["external_ref"], body["borrower_uscc"], body["borrower_name"], body["principal"], "CNY", "4.35",
           "36", "等额本息", "30/360", body["disbursed_on"], "", "发明专利", p["ip_number"], p["appraised_value"],
           p["registration_no"], p["registered_on"]]
    return ("\n".join([",".join(template_headers()), ",".join(row)]) + "\n").encode()


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("asset_known", [False, True])
def test_file_and_api_pledging_the_same_asset_at_once_exactly_one_wins(orgs, make_user, asset_known):
    bank = orgs.make(OrgKind.BANK)
    officer = make_user(bank, Role.BANK_OFFICER)
    firm = organisation_create(kind=OrgKind.ENTERPRISE, name="同一企业", uscc=borrower_code(1))
    asset = patent(1)
    if asset_known:  # the asset secured a loan that was repaid: it is free and its row exists
        old = loan_submit(bank=bank, by=officer, data=loan_body(9, borrower_uscc=firm.uscc,
                                                                pledges=[pledge(9, number=asset)]))
        repayment_record(loan=old, paid_on=dt.date(2025, 2, 15), amount="1003625.00", by=officer)
    file_body = loan_body(1, borrower_uscc=firm.uscc, pledges=[pledge(1, number=asset)])
    api_body = loan_body(2, borrower_uscc=firm.uscc, pledges=[pledge(2, number=asset)])
    lf = loan_file_upload(bank=bank, by=officer, upload=SimpleUploadedFile("race.csv", file_bytes(file_body)),
                          enqueue=lambda pk: None)
    api = key_client(bank)
    file_result, api_result = run_together(lambda: loan_file_process(loan_file_id=lf.pk),
                                           lambda: api.post("/api/v1/loans/", api_body, format="json"))
    assert not isinstance(file_result, Exception) and not isinstance(api_result, Exception)
    file_won = file_result.status == "done"
    api_won = api_result.status_code == 201
    assert file_won != api_won, (file_result.status, file_result.errors, api_result.status_code)
    number = IPAsset.objects.get().number
    if api_won:
        assert [(e["code"], e["column"]) for e in file_result.errors] == [("ip_already_pledged", "质押物编号")]
        assert number in file_result.errors[0]["detail_zh"]
        # the lock serialised them: the loser's check saw the winner's pledge (the index is only the backstop)
        assert "already secures another outstanding loan" in file_result.errors[0]["detail_en"]
    else:
        assert api_result.status_code == 409 and api_result.json()["code"] == "ip_already_pledged"
        assert number in api_result.json()["detail_en"]
        assert "already secures another outstanding loan" in api_result.json()["detail_en"]
        assert api_result.json()["errors"][0]["field"] == "pledges.0.ip_number"
    assert Pledge.objects.filter(asset__number=number, released_on__isnull=True).count() == 1
    assert Loan.objects.filter(external_ref__in=["LN-00001", "LN-00002"]).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same", ["borrower", "external_ref"])
def test_concurrent_registration_of_the_same_new_borrower_or_reference_is_409(orgs, same):
    bank = orgs.make(OrgKind.BANK)
    bodies = [loan_body(1), loan_body(2)]
    if same == "borrower":  # a new borrower, registered by both calls
        bodies[1]["borrower_uscc"] = bodies[0]["borrower_uscc"]
    else:  # two loans with one bank reference
        bodies[1]["external_ref"] = bodies[0]["external_ref"]
    clients = [key_client(bank), key_client(bank)]
    results = run_together(*[lambda c=c, b=b: c.post("/api/v1/loans/", b, format="json")
                             for c, b in zip(clients, bodies, strict=True)])
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409], [r.json() for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    named = bodies[0]["borrower_uscc"] if same == "borrower" else bodies[0]["external_ref"]
    assert named in loser["detail_en"] and loser["code"] in ("borrower_registered_concurrently",
                                                             "duplicate_external_ref")
    assert Loan.objects.count() == 1


def test_registration_number_helper_is_a_valid_patent_pledge_number():
    from loans.validators import pledge_registration

    assert pledge_registration("invention_patent", registration_no(7), "2025-01-10", prefix="p")[0] == \
        "Y2025980000007"
