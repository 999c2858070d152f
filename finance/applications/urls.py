"""Pages for people: the enterprise's applications, the reviewers' workbench, the banks' financing needs."""
from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("<int:pk>/bank-reply/", views.bank_reply, name="bank-reply"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("workbench/", views.queue, name="queue"),
    path("workbench/<int:pk>/", views.review, name="review"),
    path("workbench/<int:pk>/assign/", views.assign, name="assign"),
    path("workbench/<int:pk>/conflict/", views.conflict, name="conflict"),
    path("workbench/<int:pk>/score/", views.score, name="score"),
    path("workbench/<int:pk>/rfi/", views.rfi, name="rfi"),
    path("workbench/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("workbench/<int:pk>/reject/", views.reject, name="reject"),
    path("financing-needs/", views.needs, name="needs"),
    path("financing-needs/<int:pk>/", views.need, name="need"),
    path("financing-needs/<int:pk>/answer/", views.need_answer, name="need-answer"),
]
