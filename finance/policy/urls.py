from django.urls import path

from . import views

urlpatterns = [
    path("", views.parameter_list, name="policy-list"),
    path("changes/<int:pk>/decide/", views.change_decide, name="policy-change-decide"),
    path("<str:key>/", views.parameter_detail, name="policy-detail"),
    path("<str:key>/propose/", views.change_propose, name="policy-propose"),
]
