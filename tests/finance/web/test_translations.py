"""All apps share one gettext catalogue: words that mean different things in different apps carry a context."""
from django.utils import translation


def test_words_shared_between_apps_keep_their_own_meaning():
    with translation.override("zh-hans"):
        assert translation.gettext("Balance") == "剩余本金"  # a loan schedule's remaining principal
        assert translation.pgettext("pool", "Balance") == "余额"  # a pool's money
        assert translation.pgettext("fund", "Seed") == "种子期"  # a company's stage
        assert translation.pgettext("pool", "Seed") == "随机种子"  # the stress test's random seed
        assert translation.pgettext("fund", "Apply") == "应用"
        assert translation.gettext("Apply") == "申请"


def test_english_is_available_everywhere():
    with translation.override("en"):
        assert translation.pgettext("pool", "Balance") == "Balance"
        assert translation.gettext("Log in to Kejin") == "Log in to Kejin"
