"""The enterprise's talent team: the people an application counts as its team (and who leads it)."""

from __future__ import annotations

from django.db import transaction

from finance.parties.models import Organisation

from ..models import TalentMember, TalentProgramme
from ._common import check_may_edit, choice_field, text_field


@transaction.atomic
def talent_member_add(
    *, organisation: Organisation, by, name, role, programme=TalentProgramme.NONE, leads_team: bool = False
) -> TalentMember:
    check_may_edit(organisation, by)
    return TalentMember.objects.create(
        organisation=organisation,
        name=text_field("name", name, 50),
        role=text_field("role", role, 50),
        programme=choice_field("programme", programme, TalentProgramme),
        leads_team=bool(leads_team),
    )


@transaction.atomic
def talent_member_remove(*, member: TalentMember, by) -> None:
    check_may_edit(member.organisation, by)
    member.delete()
