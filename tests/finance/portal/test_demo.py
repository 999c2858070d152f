"""The portal's demo seed: three startups with profile, team, shareholders, IP (valid numbers) and documents,
confirmed by the province's reviewer; one self-registered enterprise waits unverified. Running it twice
changes nothing."""
from __future__ import annotations

import pytest

from finance.parties.models import Organisation
from finance.portal import demo
from finance.portal.models import Document, EnterpriseProfile, IPRight, Shareholder, TalentMember
from finance.portal.selectors import profile_completeness, verification_queue

pytestmark = pytest.mark.django_db


def test_tiny_pdf_is_a_pdf():
    data = demo.tiny_pdf("营业执照")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[xref:xref + 4] == b"xref"


def test_seed_is_complete_and_idempotent(_media):
    from finance.web.management.commands.seed_demo import build_world

    world = build_world()
    demo.seed(world)
    counts = (EnterpriseProfile.objects.count(), TalentMember.objects.count(), Shareholder.objects.count(),
              IPRight.objects.count(), Document.objects.count())
    assert counts == (3, 7, 6, 18, 10)
    for org in world.startups[:3]:
        assert org.enterprise_profile and profile_completeness(org.enterprise_profile) == 100
        org.refresh_from_db()
        assert org.is_verified
    new = world.users["newstartup"].organisation
    assert not new.is_verified and list(verification_queue().filter(pk=new.pk)) == [new]
    assert Document.objects.filter(organisation=new, kind="business_licence").count() == 1
    demo.seed(build_world())
    assert counts == (EnterpriseProfile.objects.count(), TalentMember.objects.count(), Shareholder.objects.count(),
                      IPRight.objects.count(), Document.objects.count())
    assert Organisation.objects.filter(name=demo.NEW_STARTUP["name"]).count() == 1
