"""The tech-based SME registration moves from the enterprise profile to the Organisation (one place): copy
what profiles hold onto their organisation, then drop the profile's fields."""

from django.db import migrations


def copy_to_organisation(apps, schema_editor):
    Profile = apps.get_model("portal", "EnterpriseProfile")
    Organisation = apps.get_model("parties", "Organisation")
    for p in Profile.objects.exclude(tech_sme_number="").only("organisation_id", "tech_sme_number",
                                                               "tech_sme_year"):
        Organisation.objects.filter(pk=p.organisation_id).update(tech_sme_number=p.tech_sme_number,
                                                                 tech_sme_year=p.tech_sme_year)


def copy_back(apps, schema_editor):
    Profile = apps.get_model("portal", "EnterpriseProfile")
    for p in Profile.objects.select_related("organisation"):
        p.tech_sme_number = p.organisation.tech_sme_number
        p.tech_sme_year = p.organisation.tech_sme_year
        p.save(update_fields=["tech_sme_number", "tech_sme_year"])


class Migration(migrations.Migration):

    dependencies = [
        ("parties", "0004_organisation_tech_sme_year"),
        ("portal", "0001_profile_ip_documents"),
    ]

    operations = [
        migrations.RunPython(copy_to_organisation, copy_back),
        migrations.RemoveConstraint(
            model_name="enterpriseprofile",
            name="profile_tech_sme_year_plausible",
        ),
        migrations.RemoveField(
            model_name="enterpriseprofile",
            name="tech_sme_number",
        ),
        migrations.RemoveField(
            model_name="enterpriseprofile",
            name="tech_sme_year",
        ),
    ]
