"""Pages for people."""
app_name = "guarantees"
urlpatterns = []
